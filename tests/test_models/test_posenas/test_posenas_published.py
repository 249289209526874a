# Copyright (c) pose_nas contributors. All rights reserved.
"""The published PoseNAS architecture: the genotype file, the derived net's
edges and ops, the model-zoo configs and their size."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.nas.genotype import load_genotype
from pose_nas.nas.ops import canonical_op_name
from pose_nas.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CFGS = osp.join(REPO, 'configs/posenas')
PUBLISHED = osp.join(CFGS, 'genotypes/posenas_published.json')
# SPEC 3.3, verbatim (the authors' released genotype)
SPEC = {
    'normal': 'n2 = c3(s1)+c3(s0); n3 = c3(n2)+c3(s1); n4 = c3(n3)+c3(n2); '
              'n5 = c3(n4)+c3(n3)',
    'reduce': 'n2 = c3(s1)+c3(s0); n3 = d3(n2)+c3(s1); n4 = d3(n3)+c3(s0); '
              'n5 = d3(n4)+c3(s1)',
    'decoder1': 'n2 = c3(s0)+se(s1); n3 = se(s1)+c3(s0); n4 = c3(s0)+c3(n2); '
                'n5 = c3(s0)+c3(n2)',
    'decoder2': 'n2 = c3(s0)+se(s1); n3 = se(s1)+c3(s0); n4 = c3(n2)+se(s1); '
                'n5 = se(s1)+c3(n2)',
    'decoder3': 'n2 = se(s0)+se(s1); n3 = avgpool(s0)+se(n2); '
                'n4 = se(s0)+d3(s1); n5 = se(s0)+se(s1)',
}


def _expected(text):
    """[[(op, source state), ...] per node], as sets (edge order free)."""
    nodes = []
    for part in text.split(';'):
        edges = re.findall(r'(\w+)\((s|n)(\d)\)', part.split('=')[1])
        nodes.append(sorted((canonical_op_name(op), int(i))
                            for op, _, i in edges))
    return nodes


def _cell_edges(cell):
    got, e = [], 0
    for srcs in cell.edge_sources:
        node = []
        for src in srcs:
            node.append((cell.edges[e].chosen, src))
            e += 1
        got.append(sorted(node))
    return got


@pytest.fixture(scope='module')
def model():
    init_default_scope('mmpose')
    cfg = Config.fromfile(osp.join(
        CFGS, 'td-hm_posenas-l18-c48_fusiondec_1xb32-210e_coco-384x288.py'))
    return MODELS.build(cfg.model)


def test_genotype_file_is_the_spec():
    g = load_genotype(PUBLISHED)
    assert g.space == 'PoseNASEstimator'
    for name, text in SPEC.items():
        nodes = [sorted((canonical_op_name(op), int(s)) for op, s in n)
                 for n in g[name]['nodes']]
        assert nodes == _expected(text), name
        assert g[name]['concat'] == [2, 3, 4, 5]


def test_derived_net_has_exactly_the_published_edges(model):
    bb, head = model.backbone, model.head
    assert len(bb.cells) == 18 and bb.out_cells == [2, 7, 14, 17]
    for i, cell in enumerate(bb.cells):
        kind = 'reduce' if i in (3, 8, 15) else 'normal'
        assert cell.reduction == (kind == 'reduce')
        assert _cell_edges(cell) == _expected(SPEC[kind]), (i, kind)
        assert cell.num_edges == 8
    # stage-2 (Fusion-and-Enhancement) encoder: L=12, C=32, same cells
    enc2 = head.encoder2
    assert len(enc2.cells) == 12 and enc2.reduction_cells == [3, 6, 9]
    assert enc2.out_channels == [64, 128, 256, 512]
    for i, cell in enumerate(enc2.cells):
        kind = 'reduce' if cell.reduction else 'normal'
        assert _cell_edges(cell) == _expected(SPEC[kind])
    # both decoders: the same three fusion cells, own weights
    assert len(head.decoders) == 2
    for dec in head.decoders:
        for i, cell in enumerate(dec.cells):
            assert _cell_edges(cell) == _expected(SPEC[f'decoder{i + 1}'])
    w0 = head.decoders[0].cells[0].edges[0].ops[0]
    w1 = head.decoders[1].cells[0].edges[0].ops[0]
    assert w0 is not w1
    assert not any('arch_' in n for n, _ in model.named_parameters())


def test_forward_shapes_at_every_tap(model):
    model.eval()
    with torch.no_grad():
        taps = model.backbone(torch.randn(1, 3, 128, 96))
        assert [tuple(t.shape[1:]) for t in taps] == [
            (96, 32, 24), (192, 16, 12), (384, 8, 6), (768, 4, 3)]
        assert tuple(model.head(taps).shape) == (1, 17, 32, 24)


def test_c64_params_match_the_paper():
    init_default_scope('mmpose')
    cfg = Config.fromfile(osp.join(
        CFGS, 'td-hm_posenas-l18-c64_fusiondec_1xb32-210e_coco-384x288.py'))
    n = sum(p.numel() for p in MODELS.build(cfg.model).parameters())
    # the paper: 33.6 M params (M = 2^20) for its best model
    assert abs(n / 2**20 / 33.6 - 1) < 0.01, n


def test_configs_build():
    init_default_scope('mmpose')
    for name in ('td-hm_posenas-l18-c48_fusiondec_1xb32-210e_mpii-256x256.py',
                 'posenas-darts1_posenas-l8-c8_fusiondec_1xb8-10e_'
                 'synthcoco-64x48.py'):
        cfg = Config.fromfile(osp.join(CFGS, name))
        assert MODELS.build(cfg.model) is not None
    cfg = Config.fromfile(osp.join(
        CFGS, 'td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py'))
    cfg.model.head.num_stages = 1  # the ablation is one switch
    m = MODELS.build(cfg.model)
    assert not hasattr(m.head, 'encoder2') and len(m.head.decoders) == 1
