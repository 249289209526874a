# Copyright (c) pose_nas contributors. All rights reserved.
"""search (MMPose's tools/train.py) -> derive_arch.py -> retrain -> test."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import derive_arch, load_search_checkpoint
from pose_nas.workflows import retarget_config
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.nas import load_genotype

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs/nas_engine')


def _run(args, cwd=REPO):
    proc = subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope='module')
def searched(tmp_path_factory):
    """A 2-epoch first-order DARTS search run by MMPose's train tool."""
    tmp = tmp_path_factory.mktemp('search_tools')
    generate_synthetic_dataset(str(tmp / 'data'),
                               splits={'train': 24, 'val': 8}, seed=0,
                               formats=('coco', ))
    cfg = Config.fromfile(
        osp.join(CFG_DIR, 'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py'))
    retarget_config(cfg, str(tmp / 'data/coco'), max_epochs=2,
                    num_workers=0)
    cfg.train_cfg.search.darts.warmup_epochs = 1
    cfg.train_dataloader.batch_size = 8
    cfg_path = str(tmp / 'search.py')
    cfg.dump(cfg_path)
    work = str(tmp / 'work')
    _run([osp.join(REPO, 'tools/train.py'), cfg_path, '--work-dir', work])
    return dict(tmp=tmp, cfg=cfg_path, work=work,
                ckpt=osp.join(work, 'epoch_2.pth'))


@pytest.mark.slow
def test_search_logs_genotypes_every_epoch(searched):
    lines = open(osp.join(searched['work'], 'arch_history.jsonl')).read()
    records = [json.loads(x) for x in lines.splitlines()]
    assert [r['epoch'] for r in records] == [1, 2]
    arch = records[-1]['arch']['backbone.arch_alpha_normal']
    assert arch['labels'][0] == 'none' and 0 < arch['entropy'] <= 1
    assert osp.isfile(osp.join(searched['work'], 'genotypes',
                               'epoch_2_backbone.json'))
    ckpt = load_search_checkpoint(searched['ckpt'])
    assert 'rng_state' in ckpt and 'darts' in ckpt['nas_state']


@pytest.mark.slow
def test_derive_retrain_and_test(searched):
    tmp = searched['tmp']
    out = str(tmp / 'derived')
    proc = _run([osp.join(REPO, 'tools/derive_arch.py'), searched['cfg'],
                 searched['ckpt'], '--out-dir', out, '--retrain-config',
                 osp.join(CFG_DIR, 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py')])
    assert 'retrain config' in proc.stdout
    genotype = load_genotype(osp.join(out, 'genotype_backbone.json'))
    assert genotype.space == 'CellSearchBackbone'
    assert genotype.meta['source_checkpoint'].endswith('epoch_2.pth')
    # derived from the checkpoint's alphas by the DARTS rule
    ckpt = load_search_checkpoint(searched['ckpt'])
    from pose_nas.nas import derive_cell
    expect = derive_cell(ckpt['state_dict']['backbone.arch_alpha_normal'],
                         genotype_cands(), 1, 2, k=2)
    assert genotype['normal']['nodes'] == expect['nodes']
    retrain = osp.join(out, 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96_derived.py')
    cfg = Config.fromfile(retrain)
    assert cfg.model.backbone.genotype.endswith('genotype_backbone.json')
    assert 'constructor' not in cfg.optim_wrapper
    # retrain 1 epoch with MMPose's tools, then test
    retarget_config(cfg, str(tmp / 'data/coco'), max_epochs=1,
                    num_workers=0)
    cfg.train_dataloader.batch_size = 8
    run_cfg = str(tmp / 'retrain.py')
    cfg.dump(run_cfg)
    work = str(tmp / 'retrain')
    _run([osp.join(REPO, 'tools/train.py'), run_cfg, '--work-dir', work])
    state = torch.load(osp.join(work, 'epoch_1.pth'), map_location='cpu',
                       weights_only=True)['state_dict']
    assert not any('arch_' in k for k in state)
    proc = _run([osp.join(REPO, 'tools/test.py'), run_cfg,
                 osp.join(work, 'epoch_1.pth'), '--work-dir', work])
    assert 'coco/AP' in proc.stdout + proc.stderr
    # and the visualiser draws the result and the search history
    _run([osp.join(REPO, 'tools/visualize_arch.py'), searched['work'],
          '--out-dir', str(tmp / 'vis')])
    assert osp.isfile(tmp / 'vis' / 'arch_history.png')


def genotype_cands():
    return ['none', 'skip_connect', 'sep_conv_3x3', 'conv_3x3',
            'dil_conv_3x3_r2', 'avg_pool_3x3']


def test_derive_errors(tmp_path):
    cfg = osp.join(CFG_DIR, 'engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py')
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        derive_arch(cfg, str(tmp_path / 'nope.pth'), str(tmp_path))
    bad = tmp_path / 'corrupt.pth'
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='corrupt'):
        derive_arch(cfg, str(bad), str(tmp_path))
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools/derive_arch.py'), cfg,
         str(bad), '--out-dir', str(tmp_path)], capture_output=True,
        text=True, cwd=REPO)
    assert proc.returncode == 1 and 'corrupt' in proc.stderr
