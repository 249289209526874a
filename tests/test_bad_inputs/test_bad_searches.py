# Copyright (c) pose_nas contributors. All rights reserved.
"""Searches that search nothing: warned at the start, refused at derive
time unless forced.

One tiny first-order DARTS search whose warm-up is as long as the run
(MMPose's ``tools/train.py`` on synthetic data) makes 0 architecture steps;
``tools/derive_arch.py`` must not export its initial architecture silently.
"""
import logging
import os.path as osp
from types import SimpleNamespace

import pytest
from bad_input_harness import REPO, Case, check, params, tool
from mmengine.config import Config
from mmengine.runner import IterBasedTrainLoop

from pose_nas.apis.derive import (build_search_model, derive_genotypes,
                                  load_search_checkpoint)
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.engine.hooks import DartsArchHook
from pose_nas.workflows import retarget_config

CFG_DIR = osp.join(REPO, 'configs/nas_engine')
SEARCH_CFG = osp.join(
    CFG_DIR, 'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py')
RETRAIN_CFG = osp.join(CFG_DIR,
                       'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py')

_RUN = {}


@pytest.fixture(scope='module')
def unsearched(tmp_path_factory):
    """A 1-epoch DARTS search with a 1-epoch warm-up (0 arch steps)."""
    tmp = tmp_path_factory.mktemp('unsearched')
    generate_synthetic_dataset(str(tmp / 'data'),
                               splits={'train': 8, 'val': 4}, seed=0,
                               formats=('coco', ))
    cfg = Config.fromfile(SEARCH_CFG)
    retarget_config(cfg, str(tmp / 'data/coco'), max_epochs=1,
                    num_workers=0)
    cfg.train_cfg.search.darts.warmup_epochs = 1
    cfg.train_dataloader.batch_size = 4
    cfg.val_dataloader.batch_size = 4
    cfg.train_cfg.search.darts.arch_dataloader.batch_size = 2
    cfg_path = str(tmp / 'search.py')
    cfg.dump(cfg_path)
    work = str(tmp / 'work')
    train = tool('train.py', cfg_path, '--work-dir', work)
    assert train.returncode == 0, train.stderr[-3000:]
    _RUN.update(cfg=cfg_path, ckpt=osp.join(work, 'epoch_1.pth'),
                train=train)
    return _RUN


def _derive(*extra):
    def run(tmp_path):
        return tool('derive_arch.py', _RUN['cfg'], _RUN['ckpt'],
                    '--out-dir', str(tmp_path / 'derived'),
                    '--retrain-config', RETRAIN_CFG, *extra)
    return run


def _derive_api(tmp_path):
    ckpt = load_search_checkpoint(_RUN['ckpt'])
    cfg = Config.fromfile(_RUN['cfg'])
    return derive_genotypes(build_search_model(cfg, ckpt), ckpt,
                            source=_RUN['ckpt'], search_cfg=cfg)


CASES = [
    Case('start-of-run-warning', lambda tmp: _RUN['train'],
         expect='handled',
         match=r'WARNING - DartsArchHook: warmup_epochs=1 >= max_epochs=1 '
         r'.*0 architecture steps'),
    Case('derive-unsearched', _derive(),
         match=r'derive_arch: error: .*epoch_1\.pth: this DARTS search made '
         r'0 architecture steps \(warm-up 1 >= 1 epochs\?\) — its '
         r'architecture is the initial one; pass --force'),
    Case('derive-unsearched-api', _derive_api,
         match='made 0 architecture steps.*pass --force', exc=RuntimeError),
    Case('derive-unsearched-forced', _derive('--force'), expect='handled',
         match=r'WARNING - .*made 0 architecture steps.*exported: --force'),
]


@pytest.mark.slow
@pytest.mark.parametrize('case', params(CASES))
def test_bad_search(case, tmp_path, unsearched):
    check(case, tmp_path)


class _Logger:

    def __init__(self):
        self.records = []

    def warning(self, msg):
        self.records.append((logging.WARNING, msg))


def _runner(max_epochs=2, iters_per_epoch=4, iter_based=False):
    loop = (IterBasedTrainLoop.__new__(IterBasedTrainLoop)
            if iter_based else object())
    return SimpleNamespace(
        max_epochs=1 if iter_based else max_epochs,
        max_iters=iters_per_epoch * (1 if iter_based else max_epochs),
        train_loop=loop, train_dataloader=[None] * iters_per_epoch,
        logger=_Logger())


@pytest.mark.parametrize('hook_args, runner_args, warning', [
    (dict(warmup_epochs=2), dict(), 'warmup_epochs=2 >= max_epochs=2'),
    (dict(warmup_iters=8), dict(), 'warmup_iters=8 >= max_iters=8'),
    (dict(warmup_epochs=1, interval=9), dict(),
     'interval=9 after the warm-up leaves no step before max_iters=8'),
    (dict(warmup_epochs=1, interval=5), dict(), None),  # steps at 5
    (dict(warmup_epochs=1), dict(iter_based=True),
     'warmup_epochs=1 in an iteration-based loop'),
    (dict(warmup_epochs=1), dict(), None),
    (dict(interval=100), dict(), None),  # steps at iteration 0
    (dict(warmup_iters=7), dict(), None),
])
def test_no_arch_step_warning(hook_args, runner_args, warning):
    hook = DartsArchHook(arch_dataloader=dict(), **hook_args)
    runner = _runner(**runner_args)
    hook._warn_if_no_arch_step(runner)
    if warning is None:
        assert runner.logger.records == []
    else:
        (level, msg), = runner.logger.records
        assert level == logging.WARNING and warning in msg
        assert '0 architecture steps' in msg
