# Copyright (c) pose_nas contributors. All rights reserved.
"""The models the speed benchmarks compare, by name: EfficientPose A/B/C
from our shipped COCO configs and MMPose's lightweight nets from the configs
inside the installed ``mmpose`` package (built without weights: timing and
profiling only). Used by ``tools/benchmark.py`` and
``tools/profile_onnx.py``."""
import os.path as osp
import warnings
from typing import Tuple

import torch.nn as nn

#: name -> its shipped config, relative to the repository root (the
#: backbone genotype is ``configs/efficientpose/genotypes/*.json``)
EFFICIENTPOSE = {
    f'efficientpose-{x}': 'configs/efficientpose/td-hm_efficientpose-'
    f'{x}_slimdeconv_2xb64-240e_coco-256x192.py'
    for x in 'abc'
}
#: name -> config path relative to mmpose/.mim/configs/body_2d_keypoint
MMPOSE_CONFIGS = {
    'rtmpose-t': 'rtmpose/coco/rtmpose-t_8xb256-420e_coco-256x192.py',
    'rtmpose-s': 'rtmpose/coco/rtmpose-s_8xb256-420e_coco-256x192.py',
    'litehrnet-18':
    'topdown_heatmap/coco/td-hm_litehrnet-18_8xb64-210e_coco-256x192.py',
    'mobilenetv2-simplebaseline':
    'topdown_heatmap/coco/td-hm_mobilenetv2_8xb64-210e_coco-256x192.py',
    'vipnas-mobilenetv3':
    'topdown_heatmap/coco/td-hm_vipnas-mbv3_8xb64-210e_coco-256x192.py',
    'hrnet-w32':
    'topdown_heatmap/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py',
}
MODEL_NAMES = list(EFFICIENTPOSE) + list(MMPOSE_CONFIGS)


def mmpose_config_path(name: str) -> str:
    """The config MMPose ships for ``name`` (a key of
    :data:`MMPOSE_CONFIGS`)."""
    import mmpose
    path = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs',
                    'body_2d_keypoint', MMPOSE_CONFIGS[name])
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'MMPose {mmpose.__version__} does not ship {path}')
    return path


def efficientpose_config_path(name: str) -> str:
    """The shipped COCO config of EfficientPose ``name``."""
    from pose_nas.workflows.nas_workflow import configs_root
    return osp.join(osp.dirname(configs_root()), EFFICIENTPOSE[name])


def build_model(name: str) -> Tuple[nn.Module, str]:
    """``(model in eval mode on the CPU, its config source)`` of ``name``
    (one of :data:`MODEL_NAMES`); an unknown name is a one-line error."""
    import torch
    from mmengine.registry import init_default_scope
    if name in EFFICIENTPOSE:
        from mmengine.config import Config
        from mmpose.registry import MODELS
        cfg = Config.fromfile(efficientpose_config_path(name))
        init_default_scope(cfg.get('default_scope', 'mmpose'))
        model = MODELS.build(cfg.model)
        source = EFFICIENTPOSE[name]
    elif name in MMPOSE_CONFIGS:
        from mmpose.apis import init_model
        path = mmpose_config_path(name)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            model = init_model(path, checkpoint=None, device='cpu')
        source = osp.relpath(path, osp.dirname(osp.dirname(path)))
    else:
        raise KeyError(f'unknown model {name!r}; known: {MODEL_NAMES}')
    model.eval()
    return model.to(torch.device('cpu')), source
