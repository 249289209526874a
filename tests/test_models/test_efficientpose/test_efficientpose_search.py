# Copyright (c) pose_nas contributors. All rights reserved.
"""The budget-aware EfficientPose search config through MMPose's shipped
tools/train.py, then derive: the derived net lands on the budget."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from pose_nas.apis.derive import load_search_checkpoint
from pose_nas.workflows import retarget_config
from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.nas import load_genotype
from pose_nas.nas.cost import count_flops

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CFG = osp.join(REPO, 'configs/efficientpose/'
               'efficientpose-darts1-budget0.6g_efficientpose_slimdeconv_1xb8-10e_synthcoco-128x96.py')
TRAIN_CFG = osp.join(REPO, 'configs/efficientpose/'
                     'td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py')
SMALL = ((8, 2, 2), (16, 3, 2), (24, 3, 2), (32, 2, 1))


def _run(args):
    proc = subprocess.run([sys.executable, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.mark.slow
def test_budget_search_through_mmpose_train_tool(tmp_path):
    generate_synthetic_dataset(str(tmp_path / 'data'),
                               splits={'train': 16, 'val': 4}, seed=0,
                               formats=('coco', ))
    cfg = Config.fromfile(CFG)
    retarget_config(cfg, str(tmp_path / 'data/coco'), max_epochs=2,
                    num_workers=0)
    # a small space so that the test is quick; budget at 256x192
    for c in (cfg.model.backbone, ):
        c.stages = SMALL
        c.stem_channels = 8
        c.stem_out_channels = 8
    cfg.model.head.in_channels = 32
    cfg.model.head.deconv_out_channels = (16, 8)
    target = 3.0e7  # this space spans 16-66 MFLOPs at 256x192
    cfg.train_cfg.search.darts.budget.target = target
    cfg.train_cfg.val_interval = 100
    cfg_path = str(tmp_path / 'search.py')
    cfg.dump(cfg_path)
    work = str(tmp_path / 'work')
    _run([osp.join(REPO, 'tools/train.py'), cfg_path, '--work-dir', work])
    ckpt = load_search_checkpoint(osp.join(work, 'epoch_2.pth'))
    budget = ckpt['nas_state']['darts']['budget']
    assert budget['target'] == target and len(budget['choices']) == 10
    out = str(tmp_path / 'derived')
    # the full-size train config does not fit this genotype: clear error
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools/derive_arch.py'), cfg_path,
         osp.join(work, 'epoch_2.pth'), '--out-dir', out,
         '--retrain-config', TRAIN_CFG], cwd=REPO, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 1
    assert '10 blocks, the model has 34' in proc.stderr
    train_cfg = Config.fromfile(TRAIN_CFG)
    train_cfg.model.backbone.update(stages=SMALL, stem_channels=8,
                                    stem_out_channels=8)
    train_cfg.model.head.update(in_channels=32, deconv_out_channels=(16, 8))
    train_path = str(tmp_path / 'train.py')
    train_cfg.dump(train_path)
    _run([osp.join(REPO, 'tools/derive_arch.py'), cfg_path,
          osp.join(work, 'epoch_2.pth'), '--out-dir', out,
          '--retrain-config', train_path])
    g = load_genotype(osp.join(out, 'genotype_backbone.json'))
    assert g.meta['rule'] == 'budget_projection'
    # the derived model (backbone + head) at 256x192 is on the budget
    from pose_nas.models.efficientpose import (EfficientPoseBackbone,
                                               SlimDeconvHead)

    class Net(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.b = EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                                           stem_out_channels=8, genotype=g)
            self.h = SlimDeconvHead(32, 17, deconv_out_channels=(16, 8))

        def forward(self, x):
            return self.h.forward(self.b(x))

    flops = count_flops(Net(), (torch.zeros(1, 3, 256, 192), ))
    assert abs(flops / target - 1) <= 0.05

    # the same search derived onto a latency budget instead: a table of
    # this space (PyTorch, built here), a target inside its range; the
    # derived net's predicted latency is on the target
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.nas.cost import ArchBudget
    from pose_nas.nas.latency_table import build_latency_table
    init_default_scope('mmpose')
    supernet = MODELS.build(Config.fromfile(cfg_path).model)
    table = build_latency_table(supernet, (192, 256), 'pytorch', warmup=1,
                                repeats=3, rounds=1, passes=1)
    lut = table.save(str(tmp_path / 'lut.json'))
    lat = ArchBudget(supernet, 1.0, metric='latency', latency_table=lut)
    ms = lat.min_cost + 0.5 * (lat.max_cost - lat.min_cost)
    out_lat = str(tmp_path / 'derived_latency')
    _run([osp.join(REPO, 'tools/derive_arch.py'), cfg_path,
          osp.join(work, 'epoch_2.pth'), '--out-dir', out_lat,
          '--retrain-config', train_path, '--budget-latency-ms', str(ms),
          '--latency-table', lut])
    g = load_genotype(osp.join(out_lat, 'genotype_backbone.json'))
    assert g.meta['rule'] == 'budget_projection'
    cands = supernet.backbone.block_candidates
    choices = [c.index(op) for c, op in zip(cands, g['blocks']['ops'])]
    assert abs(lat.cost_of(choices) / ms - 1) <= 0.05
    # a latency budget without its table: one line, exit status 1
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools/derive_arch.py'), cfg_path,
         osp.join(work, 'epoch_2.pth'), '--out-dir', out_lat,
         '--budget-latency-ms', str(ms)], cwd=REPO, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 1
    assert '--budget-latency-ms and --latency-table go together' in \
        proc.stderr
