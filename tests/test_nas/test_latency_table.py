# Copyright (c) pose_nas contributors. All rights reserved.
"""Latency budgets: lookup tables of per-candidate latency, their files,
the budget built on them, and the one-line errors of bad tables."""
import json
import os
import re

import pytest
import torch
import torch.nn as nn

from pose_nas.deploy.module_latency import measure_latency
from pose_nas.models.efficientpose import (EfficientPoseBackbone,
                                           SlimDeconvHead)
from pose_nas.nas.cost import ArchBudget
from pose_nas.nas.latency_table import (LatencyTable, build_latency_table,
                                        distinct_items, latency_cost_tables,
                                        model_latency_items)

STAGES = ((8, 2, 2), (16, 3, 2), (24, 3, 2), (32, 2, 1))
SIZE = (48, 64)  # (w, h)


class Net(nn.Module):

    def __init__(self, **kw):
        super().__init__()
        self.backbone = EfficientPoseBackbone(
            stages=STAGES, stem_channels=8, stem_out_channels=8, **kw)
        self.head = SlimDeconvHead(32, 17, deconv_out_channels=(16, 8))

    def forward(self, x):
        return self.head.forward(self.backbone(x))


@pytest.fixture(scope='module')
def table_file(tmp_path_factory):
    torch.manual_seed(0)
    table = build_latency_table(Net(), SIZE, 'pytorch', warmup=1, repeats=3,
                                rounds=1, passes=1,
                                meta=dict(config='test'))
    return table.save(str(tmp_path_factory.mktemp('lut') / 'lut.json'))


def test_items_share_keys_between_blocks_of_equal_shape():
    net = Net()
    fixed, positions = model_latency_items(net, SIZE)
    bb = net.backbone
    assert [len(p) for p in positions] == [len(c)
                                           for c in bb.block_candidates]
    assert [i.key for i in positions[0]][0].startswith('ir_k3_e3@8x32x24->8/s2')
    # stem + neck/head; the head key names the class and its parameters
    assert fixed[0].key == 'stem[8->8]@3x64x48'
    assert fixed[1].key.startswith('SlimDeconvHead[')
    assert fixed[1].input_shape == (32, 4, 3)
    # blocks 3 and 4 (stage 2, stride 1, 16 -> 16 at 8x6) are one entry each
    assert [i.key for i in positions[3]] == [i.key for i in positions[4]]
    n = len(distinct_items(fixed, positions))
    assert n < len(fixed) + sum(len(p) for p in positions)
    # each item builds the module a derived net runs at that position
    item = positions[2][1]
    out = item.build().eval()(torch.zeros(1, *item.input_shape))
    assert out.shape == (1, 16, 8, 6)


def test_table_file_round_trip_and_prediction(table_file):
    table = LatencyTable.load(table_file)
    fixed, positions = model_latency_items(Net(), SIZE)
    assert set(table.entries) == set(distinct_items(fixed, positions))
    assert table.runtime == 'pytorch' and table.input_size == SIZE
    assert table.machine == {} and table.meta['config'] == 'test'
    key = positions[0][0].key
    raw = table.entries[key]['median_ms']
    assert table.ms(key) == pytest.approx(max(raw - table.call_overhead_ms,
                                              0))
    # one call overhead for the net, not one per part
    assert table.predict([key, key]) == pytest.approx(
        table.call_overhead_ms + 2 * table.ms(key))


def test_latency_budget_uses_the_table(table_file):
    torch.manual_seed(0)
    net = Net()
    table = LatencyTable.load(table_file)
    fixed_ms, tables = latency_cost_tables(net, table, SIZE)
    mid = fixed_ms + sum(float(t.min() + t.max()) / 2 for t in tables)
    budget = ArchBudget(net, mid, SIZE, metric='latency',
                        latency_table=table_file, runtime='pytorch')
    assert budget.unit == 'ms' and budget.fixed == pytest.approx(fixed_ms)
    for got, want in zip(budget.tables, tables):  # float32, like the logits
        assert got.tolist() == pytest.approx(want.tolist(), rel=1e-6)
    choices = budget.project()
    assert abs(budget.cost_of(choices) / mid - 1) <= 0.05
    # the penalty's gradient reaches every block's logits
    budget.penalty().backward()
    assert all(a.grad is not None for a in net.backbone.arch_alpha)
    # from a config dict, as the DARTS hook builds it
    cfg_budget = ArchBudget.from_config(
        net, dict(target=mid, input_size=list(SIZE), metric='latency',
                  latency_table=table_file))
    assert cfg_budget.project() == choices


def test_bad_tables_and_budgets_are_one_line_errors(table_file, tmp_path):
    net = Net()
    with pytest.raises(FileNotFoundError, match='nothere.json does not'):
        ArchBudget(net, 1.0, SIZE, metric='latency',
                   latency_table=str(tmp_path / 'nothere.json'))
    with pytest.raises(ValueError, match='needs budget.latency_table'):
        ArchBudget(net, 1.0, SIZE, metric='latency')
    with pytest.raises(ValueError, match="one of \\('flops', 'latency'\\)"):
        ArchBudget(net, 1.0, SIZE, metric='energy')
    with pytest.raises(ValueError, match='measured on pytorch, the budget '
                       'asks for onnxruntime'):
        ArchBudget(net, 1.0, SIZE, metric='latency',
                   latency_table=table_file, runtime='onnxruntime')
    with pytest.raises(ValueError, match='built for input'):
        ArchBudget(net, 1.0, (96, 128), metric='latency',
                   latency_table=table_file)
    data = json.load(open(table_file))
    bad = dict(data, entries=dict(data['entries']))
    key = sorted(bad['entries'])[0]
    bad['entries'][key] = dict(median_ms=float('nan'))
    path = str(tmp_path / 'nan.json')
    json.dump(bad, open(path, 'w'))
    with pytest.raises(ValueError, match=re.escape(key) + '.* not a finite latency'):
        LatencyTable.load(path)
    json.dump(dict(data, format='other'), open(path, 'w'))
    with pytest.raises(ValueError, match='is not a latency table'):
        LatencyTable.load(path)
    # a table of another space lacks this space's entries: named
    wider = Net()
    wider.backbone = EfficientPoseBackbone(
        stages=((8, 2, 2), (16, 3, 2), (24, 3, 2), (40, 2, 1)),
        stem_channels=8, stem_out_channels=8)
    with pytest.raises(KeyError, match='has no entry .*rebuild it'):
        ArchBudget(wider, 1.0, SIZE, metric='latency',
                   latency_table=table_file)


@pytest.mark.parametrize('runtime', ['onnxruntime', 'pytorch'])
def test_measure_latency_on_each_runtime(runtime):
    conv = nn.Conv2d(4, 4, 3, padding=1)
    conv.train()
    stats = measure_latency(conv, (1, 4, 8, 8), runtime, warmup=1,
                            repeats=3)
    # a 3-call round of this tiny conv would last microseconds: a round
    # is made to last about 0.1 s (estimated from the warm-up)
    assert stats['runtime'] == runtime and stats['repeats'] > 3
    assert 0 < stats['min_ms'] <= stats['median_ms'] <= stats['p90_ms']
    assert conv.training  # the module's mode is restored
    # pinned to one CPU while timing, the affinity restored afterwards
    allowed = sorted(os.sched_getaffinity(0))
    assert stats['cpus'] == (allowed[-1:] if len(allowed) > 1 else [])
    assert sorted(os.sched_getaffinity(0)) == allowed
    assert len(stats['round_medians_ms']) == 1
    with pytest.raises(ValueError, match="unknown latency runtime 'tvm'"):
        measure_latency(conv, (1, 4, 8, 8), 'tvm')


def test_table_checks_against_direct_timings(tmp_path):
    """tools/build_latency_table.py's checks on a small space: a block's
    candidates timed as the blocks of derived nets, and derived nets timed
    end to end against the table's prediction."""
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.apis.latency_check import (check_block, check_nets,
                                             predicted_ms)
    init_default_scope('mmpose')
    model_cfg = dict(
        type='TopdownPoseEstimator',
        backbone=dict(type='EfficientPoseBackbone', stages=STAGES,
                      stem_channels=8, stem_out_channels=8),
        head=dict(type='SlimDeconvHead', in_channels=32, out_channels=17,
                  deconv_out_channels=(16, 8)))
    torch.manual_seed(0)
    supernet = MODELS.build(model_cfg).eval()
    table = build_latency_table(supernet, SIZE, 'pytorch', warmup=1,
                                repeats=3, rounds=1, passes=1)
    assert all(len(e['pass_medians_ms']) == 1
               for e in table.entries.values())
    n = len(supernet.backbone.block_candidates[3])
    rows = check_block(table, model_cfg, supernet, 3, [0] * 10, repeats=3)
    _, positions = model_latency_items(supernet, SIZE)
    assert [r['key'] for r in rows] == [i.key for i in positions[3]]
    assert len(rows) == n and all(r['direct_ms'] > 0 for r in rows)
    choices = [[0] * 10, [len(c) - 1 for c in
                          supernet.backbone.block_candidates]]
    nets = check_nets(table, model_cfg, supernet, choices, repeats=3)
    for r, c in zip(nets, choices):
        assert r['choices'] == c
        assert r['predicted_ms'] == predicted_ms(table, supernet, c)
        assert r['rel_error'] == pytest.approx(
            r['measured_ms'] / r['predicted_ms'] - 1)
