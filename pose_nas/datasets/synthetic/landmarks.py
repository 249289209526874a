# Copyright (c) pose_nas contributors. All rights reserved.
"""Landmarks of the synthetic body model and the keypoint sets derived
from them.

Both keypoint layouts used by the package are *derived* from the one list of
model landmarks (:data:`LANDMARKS`): :data:`COCO_INDICES` (17 joints in COCO
order) and :data:`MPII_INDICES` (16 joints in MMPose's MPII order).
"""
from typing import Dict, Tuple

import numpy as np

#: Names of all landmarks computed by
#: :func:`~.body_model.forward_kinematics`, in order.
LANDMARKS: Tuple[str, ...] = (
    'pelvis', 'left_hip', 'right_hip', 'left_knee', 'right_knee',
    'left_ankle', 'right_ankle', 'left_toe', 'right_toe', 'thorax',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hand', 'right_hand', 'upper_neck',
    'head_center', 'head_top', 'nose', 'left_eye', 'right_eye', 'left_ear',
    'right_ear', 'left_torso_top', 'right_torso_top', 'left_torso_bottom',
    'right_torso_bottom')
LANDMARK_INDEX: Dict[str, int] = {n: i for i, n in enumerate(LANDMARKS)}

#: COCO-17 keypoint names in the official COCO order.
COCO_KEYPOINTS: Tuple[str, ...] = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
#: COCO's 19 limbs, 1-based keypoint indices (as in the COCO json files).
COCO_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12],
                 [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
                 [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]

#: MPII-16 joint names in MMPose's order (``MpiiDataset``).
MPII_KEYPOINTS: Tuple[str, ...] = (
    'right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee',
    'left_ankle', 'pelvis', 'thorax', 'upper_neck', 'head_top',
    'right_wrist', 'right_elbow', 'right_shoulder', 'left_shoulder',
    'left_elbow', 'left_wrist')

#: Landmark indices of the COCO-17 and MPII-16 keypoints, shape (17,), (16,).
COCO_INDICES = np.array([LANDMARK_INDEX[n] for n in COCO_KEYPOINTS])
MPII_INDICES = np.array([LANDMARK_INDEX[n] for n in MPII_KEYPOINTS])

#: Face landmarks whose visibility depends on which way the head faces.
FACE_LANDMARKS: Tuple[str, ...] = ('nose', 'left_eye', 'right_eye',
                                   'left_ear', 'right_ear')
#: Minimal camera-facing component of a face landmark's surface normal for
#: it to be seen (ears stick out, so they stay visible from behind).
FACE_VISIBILITY_THR: Dict[str, float] = {
    'nose': -0.2, 'left_eye': 0.05, 'right_eye': 0.05, 'left_ear': -0.45,
    'right_ear': -0.45}

__all__ = [
    'LANDMARKS', 'LANDMARK_INDEX', 'COCO_KEYPOINTS', 'COCO_SKELETON',
    'MPII_KEYPOINTS', 'COCO_INDICES', 'MPII_INDICES', 'FACE_LANDMARKS',
    'FACE_VISIBILITY_THR'
]
