# Copyright (c) pose_nas contributors. All rights reserved.
"""The PNFS synchronous search config through MMPose's shipped
tools/train.py -> tools/derive_arch.py (every part's continuous alpha/beta)
-> retrain with tools/train.py -> tools/test.py (CocoMetric) ->
tools/visualize_arch.py."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.workflows import (latest_metrics, mmpose_tool_path,
                                retarget_config)
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.nas import load_genotype

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CFG = osp.join(REPO, 'configs/pnfs/'
               'pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py')


def _run(args):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.mark.slow
def test_sync_search_derive_retrain_test(tmp_path):
    generate_synthetic_dataset(str(tmp_path / 'data'),
                               splits={'train': 16, 'val': 4}, seed=0,
                               formats=('coco', ))
    data = str(tmp_path / 'data/coco')
    cfg = Config.fromfile(CFG)
    retarget_config(cfg, data, max_epochs=2, num_workers=0)
    cfg.model.head.fabric.channel_factor = 2
    cfg.train_cfg.val_interval = 100
    cfg_path = str(tmp_path / 'search.py')
    cfg.dump(cfg_path)
    work = str(tmp_path / 'search')
    _run([mmpose_tool_path('train.py'), cfg_path, '--work-dir', work])

    # synchronous: alpha/beta moved away from their zero init with the
    # weights, every part has its own
    ckpt = load_search_checkpoint(osp.join(work, 'epoch_2.pth'))
    arch = {k: v for k, v in ckpt['state_dict'].items() if '.arch_' in k}
    parts = ('head', 'upper_limb', 'lower_limb')
    assert sorted(arch) == sorted(f'head.branches.{p}.fabric.arch_{a}'
                                  for p in parts for a in ('alpha', 'beta'))
    assert all(v.abs().sum() > 0 for v in arch.values())
    assert not torch.equal(arch['head.branches.head.fabric.arch_alpha'],
                           arch['head.branches.lower_limb.fabric.arch_alpha'])
    # the genotype logger wrote the per-epoch genotype
    assert glob.glob(osp.join(work, 'genotypes', '*'))

    out = str(tmp_path / 'derived')
    _run([osp.join(REPO, 'tools/derive_arch.py'), cfg_path,
          osp.join(work, 'epoch_2.pth'), '--out-dir', out,
          '--prune-below', '1e-3'])
    g = load_genotype(osp.join(out, 'genotype_head.json'))
    assert sorted(g.components) == sorted(f'{p}/{a}' for p in parts
                                          for a in ('alpha', 'beta'))
    for p in parts:  # the continuous mixture is kept (not discretised)
        w = torch.tensor(g.components[f'{p}/alpha']['weights'],
                         dtype=torch.float64)
        sm = torch.softmax(
            arch[f'head.branches.{p}.fabric.arch_alpha'].double(), -1)
        kept = sm > 1e-3
        torch.testing.assert_close(w[kept], sm[kept])
        assert (w[~kept] == 0).all()

    # retrain the derived (fixed continuous) architecture from scratch
    retrain = glob.glob(osp.join(out, '*_derived.py'))
    assert len(retrain) == 1
    rcfg = Config.fromfile(retrain[0])
    assert rcfg.custom_hooks == []  # search-only settings reset
    retarget_config(rcfg, data, max_epochs=1, num_workers=0)
    rcfg.model.head.fabric.channel_factor = 2
    rpath = str(tmp_path / 'retrain.py')
    rcfg.dump(rpath)
    rwork = str(tmp_path / 'retrain')
    _run([mmpose_tool_path('train.py'), rpath, '--work-dir', rwork])
    state = torch.load(osp.join(rwork, 'epoch_1.pth'), map_location='cpu',
                       weights_only=False)['state_dict']
    assert not [k for k in state if '.arch_' in k]
    _run([mmpose_tool_path('test.py'), rpath,
          osp.join(rwork, 'epoch_1.pth'), '--work-dir',
          str(tmp_path / 'test')])
    metrics = latest_metrics(str(tmp_path / 'test'))
    assert 'coco/AP' in metrics

    # the visualiser draws every part's alpha/beta
    pics = str(tmp_path / 'pics')
    _run([osp.join(REPO, 'tools/visualize_arch.py'),
          osp.join(out, 'genotype_head.json'), '--out-dir', pics])
    assert glob.glob(osp.join(pics, '*.png'))
    with open(osp.join(out, 'genotype_head.json')) as f:
        assert json.load(f)['space'] == 'PartFabricHead'
