# Copyright (c) pose_nas contributors. All rights reserved.
"""Releases that are not what their name says, and bad publish inputs.

A release ``<name>-<sha256[:8]>.pth`` whose bytes do not match its name is
a clear one-line error wherever it is loaded (``load_release``, MMPose's
``init_model`` with the release config, ``tools/test.py``,
``tools/publish_model.py --check``): a readable file is a
``ReleaseHashError``, a truncated or corrupt one a ``CheckpointReadError``
that says so. The release is published from a freshly built EfficientPose-A
(what matters is the file, not the weights).
"""
import os.path as osp
import shutil
from typing import Dict

import numpy as np
import pytest
import torch
from bad_input_harness import REPO, Case, check, params, tool
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.apis.publish_check import ReleaseHashError
from pose_nas.nas.checkpoint_check import CheckpointReadError

EP_A = osp.join(REPO, 'configs/efficientpose/'
                'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
PNFS = osp.join(REPO, 'configs/pnfs/'
                'td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py')

R: Dict[str, str] = {}


def _training_checkpoint(config: str, path: str) -> None:
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    model = MODELS.build(Config.fromfile(config).model)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(epoch=1, dataset_meta=dict(
                        num_keypoints=17, sigmas=np.ones(17))),
                    optimizer={}), path)


def _variant(root: str, name: str, data: bytes, like: str) -> str:
    """``data`` written under the release name of ``like`` in a folder
    ``name`` (so the hash suffix is the original's)."""
    folder = osp.join(root, name)
    shutil.os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, osp.basename(like))
    with open(path, 'wb') as f:
        f.write(data)
    return path


@pytest.fixture(scope='module', autouse=True)
def releases(tmp_path_factory):
    from pose_nas.apis import publish_model
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.workflows import retarget_config
    root = str(tmp_path_factory.mktemp('bad_releases'))
    # tools/test.py builds the test set before it loads the weights
    paths = generate_synthetic_dataset(
        osp.join(root, 'data'), splits={'train': 2, 'val': 2}, seed=0,
        formats=('coco', ))['coco']
    cfg = Config.fromfile(EP_A)
    retarget_config(cfg, osp.dirname(osp.dirname(paths['val']['ann_file'])),
                    num_workers=0)
    cfg.dump(osp.join(root, 'ep_a.py'))
    _training_checkpoint(EP_A, osp.join(root, 'ep_a.pth'))
    _training_checkpoint(PNFS, osp.join(root, 'pnfs.pth'))
    good = publish_model(osp.join(root, 'ep_a.py'), osp.join(root, 'ep_a.pth'),
                         osp.join(root, 'good'), name='ep-a')
    with open(good['checkpoint'], 'rb') as f:
        data = f.read()
    # readable, but other bytes: another meta, saved under the good name
    ckpt = torch.load(good['checkpoint'], weights_only=True)
    ckpt['meta']['release']['name'] = 'changed'
    other = osp.join(root, 'other.pth')
    torch.save(ckpt, other)
    with open(other, 'rb') as f:
        changed = f.read()
    middle = bytearray(data)
    middle[len(data) // 2:len(data) // 2 + 64] = b'\x00' * 64
    R.update(
        good=good['checkpoint'], config=good['config'], root=root,
        pnfs=osp.join(root, 'pnfs.pth'),
        changed=_variant(root, 'changed', changed, good['checkpoint']),
        truncated=_variant(root, 'truncated', data[:len(data) // 2],
                           good['checkpoint']),
        garbage=_variant(root, 'garbage', b'<html>not found</html>' * 10,
                         good['checkpoint']),
        zeroed=_variant(root, 'zeroed', bytes(middle), good['checkpoint']))
    return R


def _load(key):
    from pose_nas.apis import load_release
    return lambda tmp: load_release(R[key])


def _init_model(key):

    def run(tmp):
        from mmpose.apis import init_model
        return init_model(R['config'], R[key], device='cpu')

    return run


HASH = r'does not match its name: sha256 starts with [0-9a-f]{8}, the name ' \
       r'says [0-9a-f]{8}'
CASES = [
    Case('changed-load_release', _load('changed'), match=HASH,
         exc=ReleaseHashError),
    Case('changed-init_model', _init_model('changed'), match=HASH,
         exc=ReleaseHashError),
    Case('zeroed-bytes-init_model', _init_model('zeroed'),
         match=r'(does not match its name|truncated or corrupt)',
         exc=CheckpointReadError),
    Case('truncated-load_release', _load('truncated'),
         match=r'cannot read checkpoint .*truncated or corrupt.*does not '
         r'match the release name', exc=CheckpointReadError),
    Case('truncated-init_model', _init_model('truncated'),
         match=r'truncated or corrupt', exc=CheckpointReadError),
    Case('garbage-load_release', _load('garbage'),
         match=r'not a PyTorch checkpoint', exc=CheckpointReadError),
    Case('missing-load_release',
         lambda tmp: __import__('pose_nas.apis', fromlist=['x']).load_release(
             str(tmp / 'ep-a-0123abcd.pth')),
         match='release not found', exc=FileNotFoundError),
    Case('changed-test-tool',
         lambda tmp: tool('test.py', R['config'], R['changed'],
                          '--work-dir', str(tmp)),
         match=r'test.py: error: release .* does not match its name'),
    Case('truncated-check-tool',
         lambda tmp: tool('publish_model.py', '--check', R['truncated']),
         match=r'publish_model.py: error: cannot read checkpoint .*'
         r'truncated or corrupt', marks=(pytest.mark.slow, )),
    Case('publish-another-models-checkpoint',
         lambda tmp: tool('publish_model.py', EP_A, R['pnfs'], '--out-dir',
                          str(tmp)),
         match=r'publish_model.py: error: checkpoint .*pnfs.pth does not fit '
         r'the model', marks=(pytest.mark.slow, )),
    Case('publish-missing-checkpoint',
         lambda tmp: tool('publish_model.py', EP_A, str(tmp / 'none.pth')),
         match=r'publish_model.py: error: checkpoint not found',
         marks=(pytest.mark.slow, )),
    Case('publish-name-with-a-path',
         lambda tmp: __import__('pose_nas.apis', fromlist=['x']).publish_model(
             EP_A, R['pnfs'], str(tmp), name='../escape'),
         match=r"release name '../escape': use letters", exc=ValueError),
    Case('good-release-loads', _load('good'), expect='handled',
         match='state_dict'),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_release(case, tmp_path):
    check(case, tmp_path)
