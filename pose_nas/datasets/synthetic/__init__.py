# Copyright (c) pose_nas contributors. All rights reserved.
"""Deterministic synthetic multi-person pose data in COCO / MPII layouts.

* :mod:`.landmarks`: landmarks of the body model and the COCO-17 / MPII-16
  joint sets derived from them.
* :mod:`.pose_prior`: joint-angle limits and pose sampling.
* :mod:`.body_model`: 3D articulated body (forward kinematics) and its
  orthographic projection into the image.
* :mod:`.drawing`: fixed-point OpenCV helpers, colours, compositing.
* :mod:`.appearance`, :mod:`.background`, :mod:`.figure`,
  :mod:`.occluder`: skin and clothing, cluttered backgrounds, figures with
  per-figure part maps, occluders.
* :mod:`.generator`: one image: placement, occlusion, visibility rules.
* :mod:`.synthetic_sample`: the ground truth of one image.
* :mod:`.writers`: COCO and MPII annotation files as MMPose reads them.
* :mod:`.dataset`: :func:`generate_synthetic_dataset` (files + manifest).
* :mod:`.presets`: named, versioned scenes (``synthcoco-bench-v1``).
"""
from .dataset import (MANIFEST_NAME, SUPPORTED_FORMATS,
                      generate_synthetic_dataset, image_id, image_rng)
from .generator import SyntheticPoseGenerator
from .landmarks import (COCO_KEYPOINTS, COCO_SKELETON, LANDMARKS,
                        MPII_KEYPOINTS)
from .pose_prior import JOINT_LIMITS
from .presets import SYNTHETIC_PRESETS, get_preset
from .synthetic_sample import FigureAnnotation, SyntheticSample

__all__ = [
    'generate_synthetic_dataset', 'SyntheticPoseGenerator',
    'SyntheticSample', 'FigureAnnotation', 'COCO_KEYPOINTS', 'COCO_SKELETON',
    'MPII_KEYPOINTS', 'LANDMARKS', 'JOINT_LIMITS', 'MANIFEST_NAME',
    'SUPPORTED_FORMATS', 'image_id', 'image_rng', 'SYNTHETIC_PRESETS',
    'get_preset'
]
