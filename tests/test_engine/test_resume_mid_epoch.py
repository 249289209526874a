# Copyright (c) pose_nas contributors. All rights reserved.
"""Resuming from a mid-epoch checkpoint is bit-identical to not stopping.

A first-order DARTS search of the engine's reference space (MMPose's
``tools/train.py`` on tiny synthetic data, random flips and affine
augmentation, an arch step before every weight step) saves a checkpoint
every 3 iterations, i.e. in the middle of an epoch / of the held-out
stream. A second run resumes from such a checkpoint (as after a kill right
after it was written: the resumed process reads nothing but the file) and
must end with exactly the weights, arch parameters, optimizer and schedule
states, held-out stream position and generator states of the uninterrupted
run, both for ``NASEpochBasedTrainLoop`` and ``NASIterBasedTrainLoop``.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.workflows import retarget_config

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
SEARCH_CFG = osp.join(REPO, 'configs/nas_engine/'
                      'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py')
MAX_ITERS = 8  # of the iteration-based run (the train loader wraps at 5)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('mid_epoch_data')
    generate_synthetic_dataset(str(root), splits={'train': 12, 'val': 4},
                               seed=0, formats=('coco', ))
    return str(root / 'coco')


def _write_cfg(path, data_root, iter_based):
    cfg = Config.fromfile(SEARCH_CFG)
    retarget_config(cfg, data_root, max_epochs=2, num_workers=0)
    cfg.train_dataloader.batch_size = 4  # 5 batches per epoch
    cfg.val_dataloader.batch_size = 4
    cfg.test_dataloader = cfg.val_dataloader
    search = cfg.train_cfg.search
    search.darts.warmup_epochs = 0
    search.darts.arch_dataloader.batch_size = 2  # 4 held-out batches/cycle
    if iter_based:
        # one "epoch": the train loader wraps at 5, the validation at 3
        # runs right after the checkpoint that the second run resumes from
        cfg.train_cfg = dict(type='NASIterBasedTrainLoop',
                             max_iters=MAX_ITERS, val_interval=3,
                             search=search)
        cfg.param_scheduler = [
            dict(type='LinearLR', begin=0, end=5, start_factor=0.1,
                 by_epoch=False),
            dict(type='CosineAnnealingLR', begin=0, end=MAX_ITERS,
                 T_max=MAX_ITERS, by_epoch=False)]
        cfg.log_processor = dict(by_epoch=False)
    else:
        cfg.train_cfg.val_interval = 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False,
                                        interval=3, save_last=True)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.dump(path)
    return path


def _train(cfg, work_dir, *extra):
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    cmd = [sys.executable, osp.join(REPO, 'tools/train.py'), cfg,
           '--work-dir', work_dir, *extra]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _assert_same(a, b, where=''):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert torch.equal(a, b), f'{where} differs'
    elif isinstance(a, dict):
        assert set(a) == set(b), f'{where}: keys {set(a) ^ set(b)}'
        for k in a:
            _assert_same(a[k], b[k], f'{where}.{k}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f'{where}[{i}]')
    elif hasattr(a, 'shape'):  # numpy generator state
        assert (a == b).all(), f'{where} differs'
    else:
        assert a == b, f'{where}: {a!r} != {b!r}'


def _assert_same_search(a_path, b_path):
    a, b = load_search_checkpoint(a_path), load_search_checkpoint(b_path)
    assert (a['meta']['epoch'], a['meta']['iter']) == (
        b['meta']['epoch'], b['meta']['iter'])
    _assert_same(a['state_dict'], b['state_dict'], 'state_dict')
    assert any('arch_alpha' in k for k in a['state_dict'])
    assert set(a['optimizer']) == {'weight', 'arch'}
    _assert_same(a['optimizer'], b['optimizer'], 'optimizer')
    _assert_same(a['param_schedulers'], b['param_schedulers'], 'schedulers')
    # held-out stream position (epoch, cycle, batches consumed), arch steps
    _assert_same(a['nas_state'], b['nas_state'], 'nas_state')
    _assert_same(a['rng_state'], b['rng_state'], 'rng_state')
    return a


@pytest.fixture(scope='module', params=['epoch', 'iter'])
def runs(request, tmp_path_factory, data_root):
    """The uninterrupted run and the run resumed from its iteration-3
    checkpoint (mid-epoch 0; mid held-out cycle)."""
    iter_based = request.param == 'iter'
    tmp = tmp_path_factory.mktemp(f'mid_epoch_{request.param}')
    cfg = _write_cfg(str(tmp / 'search.py'), data_root, iter_based)
    full, resumed = str(tmp / 'full'), str(tmp / 'resumed')
    _train(cfg, full)
    log = _train(cfg, resumed, '--resume', osp.join(full, 'iter_3.pth'))
    return dict(full=full, resumed=resumed, log=log.stdout + log.stderr,
                iter_based=iter_based)


@pytest.mark.slow
def test_resume_mid_epoch_is_bit_identical(runs):
    full, resumed = runs['full'], runs['resumed']
    # epoch-based: 2 epochs of 5 iterations; checkpoints at 3, 6, 9, 10
    max_iters = MAX_ITERS if runs['iter_based'] else 10
    expect = [f'iter_{i}.pth' for i in (6, 9 if max_iters > 9 else None,
                                        max_iters) if i]
    # the resumed run wrote the same checkpoints from iteration 6 on (6:
    # in the middle of the next epoch, after the train loader wrapped)
    assert sorted(f for f in os.listdir(resumed) if f.endswith('.pth')) == (
        sorted(expect))
    for name in expect:
        last = _assert_same_search(osp.join(full, name),
                                   osp.join(resumed, name))
    assert last['meta']['iter'] == max_iters
    assert last['nas_state']['darts']['arch_steps'] == max_iters
    # the checkpoint resumed from was in the middle of the held-out stream
    start = load_search_checkpoint(osp.join(full, 'iter_3.pth'))
    assert start['meta']['iter'] == 3 and start['meta']['epoch'] == 0
    assert start['nas_state']['darts']['heldout']['consumed'] > 0
    assert 'skipping the 3 batches already trained on' in runs['log']
