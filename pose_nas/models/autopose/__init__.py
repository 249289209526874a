# Copyright (c) pose_nas contributors. All rights reserved.
"""AutoPose (Gong et al. 2020): a multi-branch multi-scale search space
(network-level branch decisions for a REINFORCE controller, Gumbel-softmax
individual and aggregation cells). Heads: MMPose's ``HeatmapHead`` with a
1x1 final conv (see ``configs/autopose/README.md``)."""
from .autopose_backbone import AutoPoseBackbone
from .autopose_stem import AutoPoseStem
from .concat_fusion import ConcatFusion
from .multi_scale_module import MultiScaleModule
from .scale_resize import ScaleResize

__all__ = [
    'AutoPoseBackbone', 'AutoPoseStem', 'ConcatFusion', 'MultiScaleModule',
    'ScaleResize'
]
