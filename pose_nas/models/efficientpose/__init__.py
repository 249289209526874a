# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose (Zhang et al., Computational Visual Media 2021): the
searchable inverted-residual backbone and the slim deconvolution head.

The released architectures A, B and C are the genotype files
``configs/efficientpose/genotypes/efficientpose_{a,b,c}.json``, used by the
``td-hm_efficientpose-{a,b,c}_*`` configs.
"""
from .efficientpose_backbone import EfficientPoseBackbone
from .slim_deconv_head import SlimDeconvHead

__all__ = ['EfficientPoseBackbone', 'SlimDeconvHead']
