# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS search end to end through MMPose's shipped tools/train.py:
search -> derive (one genotype) -> retrain -> tools/test.py; a resumed
search is bit-identical; DDP ranks agree on the architecture."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.nas import load_genotype
from pose_nas.workflows import retarget_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CFGS = osp.join(REPO, 'configs/posenas')
SEARCH_CFG = osp.join(
    CFGS, 'posenas-darts1_posenas-l8-c8_fusiondec_1xb8-10e_synthcoco-64x48.py')
TRAIN_CFG = osp.join(
    CFGS, 'td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py')
ENGINE_TESTS = osp.join(REPO, 'tests/test_engine')  # search_test_hooks
TINY = dict(backbone=dict(channels=4, num_layers=4),
            head=dict(in_channels=[8, 16, 32, 64], stage2_channels=4,
                      stage2_layers=4))


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('posenas_data')
    generate_synthetic_dataset(str(root), splits={'train': 12, 'val': 4},
                               seed=0, formats=('coco', ))
    return str(root / 'coco')


def _tiny(cfg, data_root, epochs):
    retarget_config(cfg, data_root, max_epochs=epochs, num_workers=0)
    cfg.merge_from_dict({'model': TINY})
    cfg.train_dataloader.batch_size = 4
    cfg.val_dataloader.batch_size = 4
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.val_interval = 100
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.randomness = dict(seed=0, deterministic=True)
    return cfg


def _search_cfg(path, data_root, epochs=2, hooks=()):
    cfg = _tiny(Config.fromfile(SEARCH_CFG), data_root, epochs)
    cfg.train_cfg.search.darts.arch_dataloader.batch_size = 4
    cfg.train_cfg.search.darts.warmup_epochs = 0  # arch steps from epoch 1
    cfg.custom_imports = dict(imports=['pose_nas', 'search_test_hooks'],
                              allow_failed_imports=False)
    cfg.custom_hooks = list(hooks)
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                                 find_unused_parameters=False)
    cfg.env_cfg = dict(cudnn_benchmark=False,
                       mp_cfg=dict(mp_start_method='fork',
                                   opencv_num_threads=0),
                       dist_cfg=dict(backend='gloo'))
    cfg.dump(path)
    return path


def _run(*args, module=False):
    env = dict(os.environ)
    env['PYTHONPATH'] = ENGINE_TESTS + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    cmd = [sys.executable, *(['-m'] if module else []), *map(str, args)]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _train(cfg, work, *extra):
    return _run(osp.join(REPO, 'tools/train.py'), cfg, '--work-dir', work,
                *extra)


@pytest.fixture(scope='module')
def full_search(tmp_path_factory, data_root):
    """A 2-epoch search (shared by the end-to-end and resume tests)."""
    tmp = tmp_path_factory.mktemp('posenas_search')
    cfg = _search_cfg(str(tmp / 'full.py'), data_root)
    _train(cfg, str(tmp / 'a'))
    return cfg, str(tmp / 'a')


@pytest.mark.slow
def test_search_derive_retrain_test(tmp_path, data_root, full_search):
    cfg, work = full_search
    ckpt = osp.join(work, 'epoch_2.pth')
    assert load_search_checkpoint(ckpt)['nas_state']['darts']['arch_steps'] > 0
    retrain = _tiny(Config.fromfile(TRAIN_CFG), data_root, 1)
    retrain.dump(str(tmp_path / 'train.py'))
    out = str(tmp_path / 'derived')
    _run(osp.join(REPO, 'tools/derive_arch.py'), cfg, ckpt, '--out-dir', out,
         '--retrain-config', str(tmp_path / 'train.py'))
    # ONE genotype: encoder normal / reduce + three decoder cells
    files = sorted(os.listdir(out))
    assert files == ['genotype.json', 'train_derived.py'], files
    g = load_genotype(osp.join(out, 'genotype.json'))
    assert g.space == 'PoseNASEstimator'
    assert sorted(g.components) == ['decoder1', 'decoder2', 'decoder3',
                                    'normal', 'reduce']
    assert all(len(node) == 2 and all(op != 'none' for op, _ in node)
               for c in g.components.values() for node in c['nodes'])
    derived = osp.join(out, 'train_derived.py')
    assert Config.fromfile(derived).model.genotype == osp.join(
        out, 'genotype.json')
    _train(derived, str(tmp_path / 'r'))
    proc = _run(osp.join(REPO, 'tools/test.py'), derived,
                str(tmp_path / 'r' / 'epoch_1.pth'), '--work-dir',
                str(tmp_path / 't'))
    assert 'coco/AP' in proc.stdout + proc.stderr


def _same(a, b, where=''):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), f'{where} differs'
    elif isinstance(a, dict):
        assert set(a) == set(b), f'{where}: keys {set(a) ^ set(b)}'
        for k in a:
            _same(a[k], b[k], f'{where}.{k}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f'{where}[{i}]')
    else:
        assert a == b, f'{where}: {a!r} != {b!r}'


@pytest.mark.slow
def test_resumed_search_is_bit_identical(tmp_path, data_root, full_search):
    full, work = full_search
    stop = _search_cfg(str(tmp_path / 'stop.py'), data_root,
                       hooks=[dict(type='StopAfterEpochHook', epoch=1)])
    _train(stop, str(tmp_path / 'b'))
    assert not osp.exists(tmp_path / 'b' / 'epoch_2.pth')
    _train(full, str(tmp_path / 'b'), '--resume',
           str(tmp_path / 'b' / 'epoch_1.pth'))
    a = load_search_checkpoint(osp.join(work, 'epoch_2.pth'))
    b = load_search_checkpoint(str(tmp_path / 'b' / 'epoch_2.pth'))
    _same(a['state_dict'], b['state_dict'], 'state_dict')
    # encoder + decoder alphas; the stage-2 encoder's are the encoder's
    sd = a['state_dict']
    assert torch.equal(sd['head.encoder2.arch_alpha_normal'],
                       sd['backbone.arch_alpha_normal'])
    assert {'backbone.arch_alpha_reduce', 'head.arch_alpha_decoder3'} <= set(sd)
    _same(a['optimizer'], b['optimizer'], 'optimizer')
    _same(a['nas_state'], b['nas_state'], 'nas_state')
    _same(a['rng_state']['torch'], b['rng_state']['torch'], 'rng')
    assert float(a['optimizer']['arch']['state'][0]['step']) >= 2


@pytest.mark.slow
def test_ddp_ranks_agree(tmp_path, data_root):
    dump = str(tmp_path / 'dump')
    cfg = _search_cfg(str(tmp_path / 'ddp.py'), data_root, epochs=2,
                      hooks=[dict(type='DumpNASStateHook', out_dir=dump)])
    _run('torch.distributed.run', '--nproc_per_node=2',
         '--standalone', osp.join(REPO, 'tools/train.py'), cfg,
         '--work-dir', str(tmp_path / 'w'), '--launcher', 'pytorch',
         module=True)
    r0 = json.load(open(osp.join(dump, 'rank0.json')))
    r1 = json.load(open(osp.join(dump, 'rank1.json')))
    assert len(r0['records']) == 2
    assert r0 == r1  # alphas bit for bit, genotypes
    first, last = r0['records'][0]['arch'], r0['records'][-1]['arch']
    for name in ('backbone.arch_alpha_normal', 'head.arch_alpha_decoder1'):
        assert last[name] != first[name], name
