# Copyright (c) pose_nas contributors. All rights reserved.
"""The registries pose_nas registers into.

pose_nas has no registries of its own for things MMPose already knows:
models, hooks, datasets, transforms, metrics and optimizer-wrapper
constructors go into MMPose's registries, so MMPose's ``tools/train.py`` builds
them from a config that imports ``pose_nas`` (``custom_imports``). Import them
from here, so a method's code reads the same everywhere.
"""
from mmpose.registry import (DATA_SAMPLERS, DATASETS, EVALUATORS, HOOKS,
                             KEYPOINT_CODECS, LOOPS, METRICS, MODELS,
                             OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                             OPTIMIZERS, PARAM_SCHEDULERS, TRANSFORMS,
                             VISUALIZERS)

__all__ = [
    'DATA_SAMPLERS', 'DATASETS', 'EVALUATORS', 'HOOKS', 'KEYPOINT_CODECS',
    'LOOPS', 'METRICS', 'MODELS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'OPTIM_WRAPPERS', 'OPTIMIZERS', 'PARAM_SCHEDULERS', 'TRANSFORMS',
    'VISUALIZERS'
]
