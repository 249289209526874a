# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS (Bao et al., "Pose-native Network Architecture Search for
Multi-person Human Pose Estimation", ACM MM 2020): the searchable pose
encoder, the scale-adaptive fusion decoder with Fusion-and-Enhancement, and
the estimator that searches both end to end as one genotype.

The published architecture is ``configs/posenas/genotypes/posenas_published.json``.
"""
from .posenas_backbone import (POSENAS_CANDIDATES, PoseNASBackbone,
                               posenas_layout)
from .posenas_estimator import PoseNASEstimator
from .posenas_head import PoseNASHead
from .scale_adaptive_decoder import ScaleAdaptiveDecoder

__all__ = [
    'POSENAS_CANDIDATES', 'PoseNASBackbone', 'PoseNASEstimator',
    'PoseNASHead', 'ScaleAdaptiveDecoder', 'posenas_layout'
]
