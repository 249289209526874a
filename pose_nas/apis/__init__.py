# Copyright (c) pose_nas contributors. All rights reserved.
from .derive import (build_search_model, derive_arch, derive_genotypes,
                     load_search_checkpoint, write_retrain_config)
from .inference import find_images, init_topdown_inferencer, topdown_predict

__all__ = [
    'init_topdown_inferencer', 'topdown_predict', 'find_images',
    'build_search_model', 'derive_arch', 'derive_genotypes',
    'load_search_checkpoint', 'write_retrain_config'
]
