# Copyright (c) pose_nas contributors. All rights reserved.
from .derive import (build_search_model, derive_arch, derive_genotypes,
                     load_search_checkpoint, write_retrain_config)
from .inference import (check_video, find_images, images_to_video,
                        init_topdown_inferencer, is_video_file,
                        topdown_predict)
from .publish import load_release, publish_model
from .publish_check import (ReleaseHashError, check_release_file,
                            enable_release_checks)
from .publish_zoo import (get_config_path, load_model_index, mim_root,
                          zoo_models)

__all__ = [
    'init_topdown_inferencer', 'topdown_predict', 'find_images',
    'images_to_video', 'is_video_file', 'check_video',
    'build_search_model', 'derive_arch', 'derive_genotypes',
    'load_search_checkpoint', 'write_retrain_config', 'publish_model',
    'load_release', 'check_release_file', 'enable_release_checks',
    'ReleaseHashError', 'get_config_path', 'load_model_index', 'mim_root',
    'zoo_models'
]
