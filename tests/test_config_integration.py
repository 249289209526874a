# Copyright (c) pose_nas contributors. All rights reserved.
"""Our configs parse and build through MMPose's registries and tools."""
import glob
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from pose_nas.workflows import mmpose_tool_path

POSE_CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(osp.dirname(osp.dirname(__file__)), 'configs', '*', '*.py'))
    if '_base_' not in p and 'detectors' not in p)


def test_there_are_pose_configs():
    assert POSE_CONFIGS, 'no pose configs found under configs/'


@pytest.mark.parametrize('config', POSE_CONFIGS, ids=osp.basename)
def test_pose_config_contract(config):
    """What MMPose's tools, init_model and MMPoseInferencer rely on."""
    cfg = Config.fromfile(config)
    assert cfg.custom_imports == dict(
        imports=['pose_nas'], allow_failed_imports=False)
    assert cfg.default_scope == 'mmpose'
    assert 'dataset_type' in cfg and 'data_mode' in cfg
    # MMPose's TopdownPoseEstimator or a subclass (PoseNASEstimator)
    from mmpose.models import TopdownPoseEstimator
    from mmengine.registry import init_default_scope

    import pose_nas  # noqa: F401
    from pose_nas.registry import MODELS
    init_default_scope('mmpose')
    assert issubclass(MODELS.get(cfg.model.type), TopdownPoseEstimator)
    assert 'backbone' in cfg.model


@pytest.mark.parametrize('config', POSE_CONFIGS, ids=osp.basename)
def test_pose_config_builds_a_model_that_runs(config):
    import torch
    from mmpose.apis import init_model
    model = init_model(config, checkpoint=None, device='cpu')
    h, w = model.cfg.codec['input_size'][::-1] if 'codec' in model.cfg else (
        256, 192)
    with torch.no_grad():
        feats = model.extract_feat(torch.rand(1, 3, h, w))
        heatmaps = model.head.forward(feats)
    assert heatmaps.shape[:2] == (1, model.dataset_meta['num_keypoints'])


def test_detector_config_parses_without_pretrained_download(repo_root):
    cfg = Config.fromfile(
        osp.join(repo_root,
                 'configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py'))
    assert cfg.model.backbone.init_cfg is None
    assert cfg.model.bbox_head.num_classes == 1
    # nothing in the model asks for a pretrained (downloaded) checkpoint
    assert 'Pretrained' not in str(cfg.model)


def test_mmpose_tool_path_finds_shipped_tools():
    assert mmpose_tool_path('train.py').endswith(
        osp.join('.mim', 'tools', 'train.py'))
    with pytest.raises(FileNotFoundError, match='does not ship'):
        mmpose_tool_path('no_such_tool.py')


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_our_tools_take_mmposes_arguments(repo_root, tool):
    """tools/{train,test}.py are MMPose's scripts: same --help text."""
    ours = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools', f'{tool}.py'), '--help'],
        capture_output=True, text=True, check=True).stdout
    theirs = subprocess.run(
        [sys.executable, mmpose_tool_path(f'{tool}.py'), '--help'],
        capture_output=True, text=True, check=True).stdout
    strip = lambda s: s.split('\n', 1)[1]  # noqa: E731  (prog name differs)
    assert strip(ours) == strip(theirs)
