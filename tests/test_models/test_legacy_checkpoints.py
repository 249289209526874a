# Copyright (c) pose_nas contributors. All rights reserved.
"""The package reshaping changed no model: every config builds the same
state dict as before it, and checkpoints written before it load and give the
same output.

``tests/data/legacy/`` was written by the code at the commit recorded in
``state_dict_manifest.json`` (the last one before the reshaping): for every
model config, a sha256 of its sorted ``name:shape`` state-dict entries; and
two checkpoints (float16 weights, random but fixed values) of a PNFS search
supernet and of EfficientPose-A, each with a reference input and the output
that code computed from them.
"""
import hashlib
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict
from mmpose.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA = osp.join(REPO, 'tests', 'data', 'legacy')
MANIFEST = json.load(open(osp.join(DATA, 'state_dict_manifest.json')))
CHECKPOINTS = {
    'pnfs_p3_search_synthcoco.pth':
    'configs/pnfs/pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
    'efficientpose_a_synthcoco.pth':
    'configs/efficientpose/'
    'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py',
}


def _build(rel):
    cfg = Config.fromfile(osp.join(REPO, rel))
    init_default_scope('mmpose')
    return MODELS.build(cfg.model)


def _signature(model):
    items = sorted(f'{k}:{tuple(v.shape)}'
                   for k, v in model.state_dict().items())
    return hashlib.sha256('\n'.join(items).encode()).hexdigest(), len(items)


@pytest.mark.parametrize('rel', sorted(MANIFEST['configs']))
def test_every_config_builds_the_same_state_dict(rel):
    expected = MANIFEST['configs'][rel]
    model = _build(rel)
    digest, num_keys = _signature(model)
    assert num_keys == expected['num_keys'], rel
    assert sum(p.numel() for p in model.parameters()) == expected['params']
    assert digest == expected['state_dict_sha256'], rel


@pytest.mark.parametrize('name', sorted(CHECKPOINTS))
def test_checkpoints_from_before_load_and_agree(name):
    ckpt = _load_checkpoint(osp.join(DATA, name), map_location='cpu')
    assert ckpt['meta']['config'] == CHECKPOINTS[name]
    model = _build(CHECKPOINTS[name])
    state = {k: v.float() if v.is_floating_point() else v
             for k, v in ckpt['state_dict'].items()}
    load_state_dict(model, state, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(ckpt['reference']['input'], None, mode='tensor')
    ref = ckpt['reference']['output']
    assert out.shape == ref.shape
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-5)
