# Copyright (c) pose_nas contributors. All rights reserved.
"""The AutoPose bi-level search end to end through MMPose's shipped
tools/train.py (search -> derive -> retrain -> tools/test.py -> detector ->
pose), a resumed search that ends bit-identical to the uninterrupted one,
and DDP ranks that agree on branch decisions and cell alphas."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import mmdet
import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.nas import load_genotype
from pose_nas.workflows import retarget_config

pytestmark = pytest.mark.slow

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(osp.dirname(HERE)))
ENGINE_TESTS = osp.join(REPO, 'tests', 'test_engine')  # test hooks
CFG_DIR = osp.join(REPO, 'configs/autopose')
SEARCH = osp.join(CFG_DIR, 'autopose-darts1-gumbel-reinforce_autopose_hm_'
                  '1xb8-3e_synthcoco-64x48.py')
RETRAIN = osp.join(CFG_DIR, 'td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py')
DET = osp.join(REPO, 'configs/detectors/'
               'rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py')
# a narrow space so that each run takes seconds
SPACE = dict(stem_channels=4, channels=(2, 4, 6, 8), individual_nodes=1,
             aggregation_nodes=1)


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    env['PYTHONPATH'] = ENGINE_TESTS + os.pathsep + env.get('PYTHONPATH', '')
    return env


def _run(args, timeout=600):
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=REPO,
                          env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _search_cfg(path, data_root, hooks=(), epochs=2):
    cfg = Config.fromfile(SEARCH)
    retarget_config(cfg, data_root, max_epochs=epochs, num_workers=0)
    cfg.retrain_config = RETRAIN
    cfg.model.backbone.update(SPACE)
    cfg.model.head.in_channels = sum(SPACE['channels'])
    cfg.custom_imports = dict(imports=['pose_nas', 'search_test_hooks'],
                              allow_failed_imports=False)
    cfg.custom_hooks = list(hooks)
    rf = cfg.train_cfg.search.reinforce
    rf.update(start_epoch=0, updates_per_epoch=1, derive_samples=2)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.env_cfg = dict(cudnn_benchmark=False,
                       mp_cfg=dict(mp_start_method='fork',
                                   opencv_num_threads=0),
                       dist_cfg=dict(backend='gloo'))
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.dump(path)
    return path


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('autopose_data')
    generate_synthetic_dataset(str(root), splits={'train': 12, 'val': 6},
                               seed=0, formats=('coco', ))
    return str(root / 'coco')


@pytest.fixture(scope='module')
def search(tmp_path_factory, data_root):
    tmp = tmp_path_factory.mktemp('autopose_search')
    cfg = _search_cfg(str(tmp / 'search.py'), data_root)
    _run([osp.join(REPO, 'tools/train.py'), cfg, '--work-dir', tmp / 'a'])
    return dict(tmp=tmp, cfg=cfg, work=tmp / 'a')


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


def test_search_derive_retrain_test_topdown(search, data_root):
    ckpt = load_search_checkpoint(str(search['work'] / 'epoch_2.pth'))
    rf = ckpt['nas_state']['reinforce']
    # the controller learned from CocoMetric rewards, best of K=2 kept
    # K=2 sampled vectors + the greedy one are scored
    assert len(rf['history']) == 2 and len(rf['best']['candidates']) == 3
    assert all(0.0 <= r <= 1.0 for _, r in rf['best']['candidates'])
    assert len(rf['best']['decisions']) == 12
    # the cell level took first-order steps with its own Adam
    assert set(ckpt['optimizer']) == {'weight', 'arch'}
    assert ckpt['optimizer']['arch']['state']
    history = [json.loads(line) for line in
               open(search['work'] / 'arch_history.jsonl')]
    assert len(history) == 2 and 'decisions' in history[-1]
    # the method's retrain config (channels x2), with the test's narrow space
    base = Config.fromfile(RETRAIN)
    base.model.backbone.update(SPACE)
    base.model.head.in_channels = 2 * sum(SPACE['channels'])
    base.dump(str(search['tmp'] / 'retrain_base.py'))
    out = search['tmp'] / 'derived'
    _run([osp.join(REPO, 'tools/derive_arch.py'), search['cfg'],
          search['work'] / 'epoch_2.pth', '--out-dir', out,
          '--retrain-config', search['tmp'] / 'retrain_base.py'])
    g = load_genotype(str(out / 'genotype_backbone.json'))
    assert g['branches']['values'] == rf['best']['decisions']
    assert set(g.components) == {'individual', 'aggregation', 'branches'}
    derived = glob.glob(str(out / '*_derived.py'))[0]
    cfg = Config.fromfile(derived)
    assert cfg.model.head.in_channels == 40  # derived: x2 multiplier
    retarget_config(cfg, data_root, max_epochs=1, num_workers=0)
    cfg.dump(str(search['tmp'] / 'retrain.py'))
    _run([osp.join(REPO, 'tools/train.py'), search['tmp'] / 'retrain.py',
          '--work-dir', search['tmp'] / 'r'])
    pose_ckpt = search['tmp'] / 'r' / 'epoch_1.pth'
    proc = _run([osp.join(REPO, 'tools/test.py'), search['tmp'] / 'retrain.py',
                 pose_ckpt, '--work-dir', search['tmp'] / 't'])
    assert 'coco/AP' in proc.stdout + proc.stderr
    # top-down: a (1-epoch) person detector -> boxes -> the derived net
    det = retarget_config(Config.fromfile(DET), data_root, 1, num_workers=0)
    det.dump(str(search['tmp'] / 'det.py'))
    det_train = osp.join(osp.dirname(mmdet.__file__), '.mim/tools/train.py')
    _run([det_train, search['tmp'] / 'det.py', '--work-dir',
          search['tmp'] / 'det'])
    images = sorted(glob.glob(osp.join(data_root, 'val', '*')))[:2]
    proc = _run([osp.join(REPO, 'tools/topdown_demo.py'),
                 search['tmp'] / 'det.py', search['tmp'] / 'det/epoch_1.pth',
                 search['tmp'] / 'retrain.py', pose_ckpt, '--input',
                 osp.dirname(images[0]), '--out-dir', search['tmp'] / 'demo',
                 '--bbox-thr', '0.0'])
    preds = glob.glob(str(search['tmp'] / 'demo/predictions/*.json'))
    assert len(preds) == 6
    inst = json.load(open(preds[0]))
    inst = inst[0] if isinstance(inst, list) else inst
    assert inst is not None


def test_resumed_search_is_bit_identical(search, data_root):
    tmp = search['tmp']
    stop = _search_cfg(str(tmp / 'stop.py'), data_root,
                       hooks=[dict(type='StopAfterEpochHook', epoch=1)])
    _run([osp.join(REPO, 'tools/train.py'), stop, '--work-dir', tmp / 'b'])
    assert not osp.exists(tmp / 'b' / 'epoch_2.pth')
    _run([osp.join(REPO, 'tools/train.py'), search['cfg'], '--work-dir',
          tmp / 'b', '--resume', tmp / 'b' / 'epoch_1.pth'])
    a = load_search_checkpoint(str(search['work'] / 'epoch_2.pth'))
    b = load_search_checkpoint(str(tmp / 'b' / 'epoch_2.pth'))
    _same(a['state_dict'], b['state_dict'], 'state_dict')  # + both alphas
    _same(a['optimizer'], b['optimizer'], 'optimizer')  # weight + arch
    _same(a['nas_state'], b['nas_state'], 'nas_state')  # controller ...
    _same(a['rng_state']['torch'], b['rng_state']['torch'], 'rng')


def test_ddp_ranks_agree(tmp_path, data_root):
    dump = str(tmp_path / 'dump')
    cfg = _search_cfg(str(tmp_path / 'ddp.py'), data_root,
                      hooks=[dict(type='DumpNASStateHook', out_dir=dump)])
    _run(['-m', 'torch.distributed.run', '--nproc_per_node=2',
          '--standalone', osp.join(REPO, 'tools/train.py'), cfg,
          '--work-dir', tmp_path / 'w', '--launcher', 'pytorch'])
    r0 = json.load(open(osp.join(dump, 'rank0.json')))
    r1 = json.load(open(osp.join(dump, 'rank1.json')))
    assert len(r0['records']) == 2
    assert r0 == r1  # alphas (bitwise), branch decisions, genotypes
    arch = r0['records'][-1]['arch']
    assert set(arch) == {'backbone.arch_alpha_individual',
                         'backbone.arch_alpha_aggregation'}
    assert r0['records'][-1]['decisions_info']['best'] is not None
    assert len(r0['train_decisions']) > 0
