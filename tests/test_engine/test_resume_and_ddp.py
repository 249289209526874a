# Copyright (c) pose_nas contributors. All rights reserved.
"""A resumed search loses nothing; DDP ranks agree on the architecture.

Both run MMPose's shipped ``tools/train.py`` (through ours) on synthetic
data with the DARTS (first-order) config of the engine's reference space,
plus a REINFORCE controller over its depth decisions.
"""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.workflows import retarget_config
from pose_nas.datasets import generate_synthetic_dataset

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
SEARCH_CFG = osp.join(REPO, 'configs/nas_engine/'
                      'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('nas_data')
    generate_synthetic_dataset(str(root), splits={'train': 24, 'val': 8},
                               seed=0, formats=('coco', ))
    return str(root / 'coco')


def _write_cfg(path, data_root, extra_hooks=(), reward=None, epochs=3):
    cfg = Config.fromfile(SEARCH_CFG)
    retarget_config(cfg, data_root, max_epochs=epochs, num_workers=0)
    cfg.custom_imports = dict(imports=['pose_nas', 'search_test_hooks'],
                              allow_failed_imports=False)
    cfg.train_cfg.val_interval = 2  # validation runs mid-search in run A
    cfg.train_dataloader.batch_size = 8
    cfg.val_dataloader.batch_size = 8
    cfg.test_dataloader = cfg.val_dataloader
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.model.backbone.searchable_depth = True
    cfg.train_cfg.search.darts.warmup_epochs = 1
    cfg.train_cfg.search.darts.arch_dataloader.batch_size = 8
    reward = reward or dict(type='CallableReward',
                            fn='search_test_hooks:depth_reward')
    cfg.train_cfg.search.strategy = 'darts1+reinforce'
    cfg.train_cfg.search.reinforce = dict(
        reward=reward, controller=dict(hidden_size=16), start_epoch=0,
        updates_per_epoch=2, samples_per_update=2, derive_samples=2)
    cfg.custom_hooks = list(extra_hooks)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                                 find_unused_parameters=True)
    cfg.env_cfg = dict(cudnn_benchmark=False,
                       mp_cfg=dict(mp_start_method='fork',
                                   opencv_num_threads=0),
                       dist_cfg=dict(backend='gloo'))
    cfg.dump(path)
    return path


def _env():
    env = dict(os.environ)
    env['PYTHONPATH'] = HERE + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def _train(cfg, work_dir, *extra):
    cmd = [sys.executable, osp.join(REPO, 'tools/train.py'), cfg,
           '--work-dir', work_dir, *extra]
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True,
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
    else:
        assert a == b, f'{where}: {a!r} != {b!r}'


@pytest.mark.slow
def test_resumed_search_is_bit_identical(tmp_path, data_root):
    full_cfg = _write_cfg(str(tmp_path / 'full.py'), data_root)
    stop_cfg = _write_cfg(str(tmp_path / 'stop.py'), data_root,
                          extra_hooks=[dict(type='StopAfterEpochHook',
                                            epoch=2)])
    _train(full_cfg, str(tmp_path / 'a'))
    _train(stop_cfg, str(tmp_path / 'b'))
    assert not osp.exists(tmp_path / 'b' / 'epoch_3.pth')
    _train(full_cfg, str(tmp_path / 'b'), '--resume',
           str(tmp_path / 'b' / 'epoch_2.pth'))
    a = load_search_checkpoint(str(tmp_path / 'a' / 'epoch_3.pth'))
    b = load_search_checkpoint(str(tmp_path / 'b' / 'epoch_3.pth'))
    # weights and arch params
    _assert_same(a['state_dict'], b['state_dict'], 'state_dict')
    assert any('arch_alpha' in k for k in a['state_dict'])
    # weight and arch optimizers, both LR schedules
    assert set(a['optimizer']) == {'weight', 'arch'}
    _assert_same(a['optimizer'], b['optimizer'], 'optimizer')
    _assert_same(a['param_schedulers'], b['param_schedulers'], 'schedulers')
    # controller, its optimizer, baseline, generator, best vector
    _assert_same(a['nas_state'], b['nas_state'], 'nas_state')
    assert a['nas_state']['reinforce']['best'] is not None
    _assert_same(a['rng_state']['torch'], b['rng_state']['torch'], 'rng')
    # and the arch optimizer did step during the search (after warm-up)
    arch_state = a['optimizer']['arch']['state']
    assert arch_state and float(arch_state[0]['step']) >= 2


@pytest.mark.slow
def test_ddp_ranks_agree(tmp_path, data_root):
    reward = dict(
        type='EvaluatorReward',
        dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False,
                         round_up=False),
            dataset=dict(
                type='CocoDataset', data_root=data_root + '/',
                data_mode='topdown',
                ann_file='annotations/person_keypoints_val.json',
                data_prefix=dict(img='val/'), test_mode=True,
                pipeline=[dict(type='LoadImage'),
                          dict(type='GetBBoxCenterScale'),
                          dict(type='TopdownAffine', input_size=(96, 128)),
                          dict(type='PackPoseInputs')])),
        evaluator=dict(type='CocoMetric'), metric='coco/AP')
    dump_dir = str(tmp_path / 'dump')
    cfg = _write_cfg(str(tmp_path / 'ddp.py'), data_root, reward=reward,
                     extra_hooks=[dict(type='DumpNASStateHook',
                                       out_dir=dump_dir)])
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           '--nproc_per_node=2', '--standalone',
           osp.join(REPO, 'tools/train.py'), cfg, '--work-dir',
           str(tmp_path / 'w'), '--launcher', 'pytorch']
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r0 = json.load(open(osp.join(dump_dir, 'rank0.json')))
    r1 = json.load(open(osp.join(dump_dir, 'rank1.json')))
    assert len(r0['records']) == 3
    assert r0 == r1  # arch params (bitwise), decisions, genotypes, sampler
    last = r0['records'][-1]
    first_alpha = r0['records'][0]['arch']['backbone.arch_alpha_normal']
    assert last['arch']['backbone.arch_alpha_normal'] != first_alpha
    assert last['decisions_info']['best'] is not None
    assert len(r0['train_decisions']) > 0
    # the held-out sampler got set_epoch under DDP too (epoch 2, cycle k)
    assert last['heldout_sampler_epoch'] // 1000 == 2
