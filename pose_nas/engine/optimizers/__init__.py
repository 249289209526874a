# Copyright (c) pose_nas contributors. All rights reserved.
from .nas_optim_wrapper_constructor import (DEFAULT_ARCH_OPTIMIZER,
                                            NASOptimWrapperConstructor)
from .nas_optim_wrapper_dict import NASOptimWrapperDict

__all__ = [
    'DEFAULT_ARCH_OPTIMIZER', 'NASOptimWrapperConstructor',
    'NASOptimWrapperDict'
]
