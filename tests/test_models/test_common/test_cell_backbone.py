# Copyright (c) pose_nas contributors. All rights reserved.
"""SearchCell and the engine's reference space: search vs derived nets."""
import pytest
import torch
import torch.nn as nn

from pose_nas.models.common import CellSearchBackbone
from pose_nas.nas import (GenotypeError, SearchCell, build_op,
                          find_searchable, num_cell_edges)
from pose_nas.nas.ops import ReLUConvBN


class HandCell(nn.Module):
    """A derived cell written out by hand from the genotype's choices."""

    def __init__(self, c_in, c, comp, reduction):
        super().__init__()
        self.pre = ReLUConvBN(c_in, c, 1, 1) if c_in != c else nn.Identity()
        self.comp = comp
        self.ops = nn.ModuleList(
            build_op(op, c, c, 2 if reduction and src < 1 else 1)
            for node in comp['nodes'] for op, src in node)
        self.project = nn.Sequential(
            nn.Conv2d(c * len(comp['concat']), c, 1, bias=False),
            nn.BatchNorm2d(c), nn.ReLU(inplace=True))

    def forward(self, x):
        states, e = [self.pre(x)], 0
        for node in self.comp['nodes']:
            total = 0
            for op, src in node:
                total = total + self.ops[e](states[src])
                e += 1
            states.append(total)
        return self.project(torch.cat([states[i] for i in
                                       self.comp['concat']], 1))


def _derived_genotype(seed=0, **kw):
    torch.manual_seed(seed)
    sup = CellSearchBackbone(**kw)
    with torch.no_grad():
        sup.arch_alpha_normal.normal_()
        sup.arch_alpha_reduce.normal_()
    return sup, sup.derive_genotype()


def test_search_cell_shapes_and_alpha_checks():
    cell = SearchCell([8], 16, 3, ['none', 'skip', 'conv_3x3'],
                      reduction=True, out_channels=16)
    assert cell.num_edges == num_cell_edges(1, 3) == 6
    y = cell(torch.randn(2, 8, 10, 10), torch.zeros(6, 3))
    assert y.shape == (2, 16, 5, 5)
    with pytest.raises(ValueError, match='alpha of shape'):
        cell(torch.randn(2, 8, 10, 10), torch.zeros(5, 3))
    two = SearchCell([8, 12], 8, 2, ['skip', 'conv_1x1'],
                     input_strides=[2, 1])
    y = two([torch.randn(1, 8, 8, 8), torch.randn(1, 12, 4, 4)],
            torch.zeros(num_cell_edges(2, 2), 2))
    assert y.shape == (1, 16, 4, 4)


def test_derived_backbone_equals_hand_built_net():
    sup, g = _derived_genotype()
    torch.manual_seed(1)
    derived = CellSearchBackbone(genotype=g.to_dict())
    assert not any('arch_' in n for n, _ in derived.named_parameters())
    assert list(find_searchable(sup)) == ['']
    # hand-built from the same choices
    c_prev, c, cells = 16, 16, []
    for kind in sup.layout:
        if kind == 'reduce':
            c *= 2
        cells.append(HandCell(c_prev, c, g[kind], kind == 'reduce'))
        c_prev = c
    hand = nn.ModuleDict(dict(stem=nn.Sequential(
        nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
        nn.ReLU(inplace=True), nn.Conv2d(16, 16, 3, 2, 1, bias=False),
        nn.BatchNorm2d(16), nn.ReLU(inplace=True)), cells=nn.ModuleList(
            cells)))
    n_derived = sum(p.numel() for p in derived.parameters())
    n_hand = sum(p.numel() for p in hand.parameters())
    assert n_derived == n_hand
    # same weights in creation order -> identical outputs
    for (_, a), (_, b) in zip(derived.state_dict().items(),
                              hand.state_dict().items()):
        assert a.shape == b.shape
        b.copy_(a)
    derived.eval()
    hand.eval()
    x = torch.randn(2, 3, 64, 48)
    with torch.no_grad():
        y = hand.stem(x)
        for cell in hand.cells:
            y = cell(y)
        assert torch.equal(derived(x)[0], y)
    # the derived net is much smaller than the supernet
    assert n_derived < sum(p.numel() for p in sup.parameters())


def test_genotype_file_and_dict_build_the_same_net(tmp_path):
    _, g = _derived_genotype(searchable_depth=True)
    path = g.dump(str(tmp_path / 'g.yaml'))
    torch.manual_seed(0)
    a = CellSearchBackbone(searchable_depth=True, genotype=path)
    torch.manual_seed(0)
    b = CellSearchBackbone(searchable_depth=True, genotype=g.to_dict())
    x = torch.randn(1, 3, 32, 32)
    a.eval(), b.eval()
    assert torch.equal(a(x)[0], b(x)[0])


def test_depth_decisions_build_and_run():
    _, g = _derived_genotype(searchable_depth=True)
    d = g.to_dict()
    d['components']['depth']['values'] = [1, 0, 0]
    net = CellSearchBackbone(searchable_depth=True, genotype=d)
    assert isinstance(net.cells[2], nn.Identity)
    assert isinstance(net.cells[4], nn.Identity)
    full = CellSearchBackbone(searchable_depth=True, genotype=g.to_dict())
    assert sum(p.numel() for p in net.parameters()) < sum(
        p.numel() for p in full.parameters())
    sup = CellSearchBackbone(searchable_depth=True)
    assert sup.decision_space() == [2, 2, 2]
    sup.apply_decisions([0, 1, 0])
    assert sup(torch.randn(1, 3, 32, 32))[0].shape == (1, 64, 2, 2)
    with pytest.raises(ValueError, match='do not fit'):
        sup.apply_decisions([0, 2, 0])


def test_genotype_that_does_not_fit_is_refused():
    _, g = _derived_genotype()
    with pytest.raises(GenotypeError, match='nodes, the model has 3'):
        CellSearchBackbone(num_nodes=3, genotype=g.to_dict())
    with pytest.raises(GenotypeError, match='search space'):
        CellSearchBackbone(candidates=('none', 'skip_connect'),
                           genotype=g.to_dict())
    with pytest.raises(GenotypeError, match="missing \\['depth'\\]"):
        CellSearchBackbone(searchable_depth=True, genotype=g.to_dict())
    d = g.to_dict()
    d['space'] = 'PNFSFabric'
    with pytest.raises(GenotypeError, match='derived for'):
        CellSearchBackbone(genotype=d)
    with pytest.raises(FileNotFoundError):
        CellSearchBackbone(genotype='/nonexistent/genotype.json')


def test_stem_norm_and_act_cfg():
    """``norm_cfg`` / ``act_cfg`` build the stem's layers without changing
    the parameter names."""
    default = CellSearchBackbone(layout=('normal', 'reduce'))
    assert [type(m) for m in default.stem] == [
        nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.Conv2d, nn.BatchNorm2d,
        nn.ReLU
    ]
    assert default.stem[2].inplace
    gn = CellSearchBackbone(
        layout=('normal', 'reduce'),
        norm_cfg=dict(type='GN', num_groups=4),
        act_cfg=dict(type='ReLU6'))
    assert [type(m) for m in gn.stem] == [
        nn.Conv2d, nn.GroupNorm, nn.ReLU6, nn.Conv2d, nn.GroupNorm, nn.ReLU6
    ]
    stem_keys = {k for k in gn.state_dict() if k.startswith('stem.')}
    assert stem_keys == {'stem.0.weight', 'stem.1.weight', 'stem.1.bias',
                         'stem.3.weight', 'stem.4.weight', 'stem.4.bias'}
    assert stem_keys < set(default.state_dict())
    assert gn(torch.randn(2, 3, 32, 32))[0].shape == (2, 32, 4, 4)
