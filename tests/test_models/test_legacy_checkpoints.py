# Copyright (c) pose_nas contributors. All rights reserved.
"""The package reshaping changed no model: every config builds the same
state dict as before it, and the same weights give the same output.

``tests/data/legacy/`` was written by the code at the commit recorded in its
files (the last one before the reshaping): ``state_dict_manifest.json``
holds, for every model config, a sha256 of its sorted ``name:shape``
state-dict entries and its parameter count; ``reference_outputs.json``
holds, for a PNFS search supernet and for EfficientPose-A, the output that
code computed on a fixed input with deterministic weights
(:func:`legacy_weights.synthetic_state_dict`, a function of the state
dict's keys and shapes only). Today's code writes a checkpoint of the same
weights, loads it through MMEngine's checkpoint loader strictly, and must
reproduce those outputs. No checkpoint file is shipped.

Intentional changes since (``intentional_changes`` in the manifest, e.g.
PNFS's MobileNetV2 built only as far as its head reads) are checked as
exactly that change: the legacy build still matches the manifest, today's
state dict is it minus the dropped modules, and an old checkpoint of it,
minus those modules, loads strictly and gives the old output.
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

from legacy_weights import reference_input, synthetic_state_dict

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA = osp.join(REPO, 'tests', 'data', 'legacy')
MANIFEST = json.load(open(osp.join(DATA, 'state_dict_manifest.json')))
REFERENCE = json.load(open(osp.join(DATA, 'reference_outputs.json')))


CHANGES = MANIFEST.get('intentional_changes', {})


def _build(rel, legacy=False):
    """The config's model; ``legacy``: undo the manifest's intentional
    changes (the backbone type they replaced)."""
    cfg = Config.fromfile(osp.join(REPO, rel))
    init_default_scope('mmpose')
    change = CHANGES.get(cfg.model.get('backbone', {}).get('type'))
    if legacy and change:
        cfg.model.backbone.type = change['legacy_backbone_type']
    return MODELS.build(cfg.model), change


def _signature(model):
    items = sorted(f'{k}:{tuple(v.shape)}'
                   for k, v in model.state_dict().items())
    return hashlib.sha256('\n'.join(items).encode()).hexdigest(), len(items)


@pytest.mark.parametrize('rel', sorted(MANIFEST['configs']))
def test_every_config_builds_the_same_state_dict(rel):
    expected = MANIFEST['configs'][rel]
    model, change = _build(rel, legacy=True)
    if change:  # today's model is the legacy one minus the dropped modules
        today = set(_build(rel)[0].state_dict())
        legacy = set(model.state_dict())
        dropped = {k for k in legacy
                   if k.startswith(tuple(change['dropped_prefixes']))}
        assert dropped and today == legacy - dropped, rel
    digest, num_keys = _signature(model)
    assert num_keys == expected['num_keys'], rel
    assert sum(p.numel() for p in model.parameters()) == expected['params']
    assert digest == expected['state_dict_sha256'], rel


@pytest.mark.parametrize('name', sorted(REFERENCE['models']))
def test_old_outputs_are_reproduced_through_a_checkpoint(name, tmp_path):
    ref = REFERENCE['models'][name]
    legacy, change = _build(ref['config'], legacy=True)
    model, _ = _build(ref['config'])
    # the weights the old code drew (from its state dict's keys)
    state = synthetic_state_dict(legacy.state_dict(), ref['weight_seed'])
    path = str(tmp_path / f'{name}.pth')
    torch.save(dict(meta=dict(config=ref['config']), state_dict=state), path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    if change:  # an old checkpoint loads; only the dropped modules are left
        dropped = tuple(change['dropped_prefixes'])
        ckpt['state_dict'] = {k: v for k, v in ckpt['state_dict'].items()
                              if not k.startswith(dropped)}
    load_state_dict(model, ckpt['state_dict'], strict=True)
    model.eval()
    with torch.no_grad():
        out = model(reference_input(), None, mode='tensor')
    expected = torch.tensor(ref['output']).reshape(ref['shape'])
    assert out.abs().mean() > 0.05  # a meaningful output, not ~0
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)
