# Copyright (c) pose_nas contributors. All rights reserved.
"""Deterministic synthetic multi-person pose data in COCO / MPII layouts.

* :mod:`.body_model`: 3D articulated body, joint-angle limits, pose
  sampling, COCO-17 / MPII-16 joint sets derived from one landmark list.
* :mod:`.render`: backgrounds, figures, occluders, per-figure part maps.
* :mod:`.generator`: one image: placement, occlusion, visibility rules.
* :mod:`.writers`: COCO and MPII annotation files as MMPose reads them.
* :mod:`.dataset`: :func:`generate_synthetic_dataset` (files + manifest).
"""
from .body_model import (COCO_KEYPOINTS, COCO_SKELETON, JOINT_LIMITS,
                         LANDMARKS, MPII_KEYPOINTS)
from .dataset import (MANIFEST_NAME, SUPPORTED_FORMATS,
                      generate_synthetic_dataset, image_id, image_rng)
from .generator import (FigureAnnotation, SyntheticPoseGenerator,
                        SyntheticSample)

__all__ = [
    'generate_synthetic_dataset', 'SyntheticPoseGenerator',
    'SyntheticSample', 'FigureAnnotation', 'COCO_KEYPOINTS', 'COCO_SKELETON',
    'MPII_KEYPOINTS', 'LANDMARKS', 'JOINT_LIMITS', 'MANIFEST_NAME',
    'SUPPORTED_FORMATS', 'image_id', 'image_rng'
]
