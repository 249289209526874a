# Copyright (c) pose_nas contributors. All rights reserved.
"""A PNFS fabric edge: a ``MixedOp`` over every candidate, pools followed
by ``BN(affine=False)``, pruned in derived mode with ``MixedOp.keep``."""
import torch
import torch.nn as nn

from pose_nas.models.pnfs import (BACKBONE_CANDIDATES, SUBNET_CANDIDATES,
                                  FabricCell, NeuralFabric,
                                  build_fabric_edge)
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.ops import Zero


def _shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_search_edge_holds_every_candidate():
    edge = build_fabric_edge(8, BACKBONE_CANDIDATES)
    assert isinstance(edge, MixedOp) and edge.mode == 'softmax'
    assert edge.candidates == list(BACKBONE_CANDIDATES)
    assert isinstance(edge.ops[0], Zero)
    for i, name in enumerate(BACKBONE_CANDIDATES):
        if name in ('avg_pool_3x3', 'max_pool_3x3'):
            # Sequential(pool, BN(affine=False)): names ops.<i>.0 / ops.<i>.1
            assert isinstance(edge.ops[i], nn.Sequential)
            bn = edge.ops[i][1]
            assert isinstance(bn, nn.BatchNorm2d) and not bn.affine
            assert f'ops.{i}.1.running_mean' in edge.state_dict()
    no_bn = build_fabric_edge(8, BACKBONE_CANDIDATES, pool_bn=False)
    for i, name in enumerate(BACKBONE_CANDIDATES):
        if name in ('avg_pool_3x3', 'max_pool_3x3'):
            assert not any(
                isinstance(m, nn.BatchNorm2d) for m in no_bn.ops[i].modules())


def test_kept_edge_prunes_to_none_with_unchanged_names():
    full = build_fabric_edge(8, BACKBONE_CANDIDATES)
    sep = BACKBONE_CANDIDATES.index('sep_conv_3x3')
    pool = BACKBONE_CANDIDATES.index('max_pool_3x3')
    kept = [True] * len(BACKBONE_CANDIDATES)
    kept[sep] = kept[pool] = False
    edge = build_fabric_edge(8, BACKBONE_CANDIDATES, kept)
    # pruned ops are the parameter-free 'none' at their original index
    assert len(edge.ops) == len(BACKBONE_CANDIDATES)
    for i in (sep, pool):
        assert isinstance(edge.ops[i], Zero)
        assert edge.candidates[i] == 'none'
    assert edge.live_candidates == [
        c for i, c in enumerate(BACKBONE_CANDIDATES)
        if i not in (0, sep, pool)
    ]
    # every kept tensor has the supernet's name and shape, the pruned ones
    # are gone
    full_shapes, shapes = _shapes(full), _shapes(edge)
    assert shapes == {
        k: v
        for k, v in full_shapes.items()
        if not k.startswith((f'ops.{sep}.', f'ops.{pool}.'))
    }
    assert any(k.startswith(f'ops.{sep}.') for k in full_shapes)

    # with the pruned weights at zero it computes the supernet's mixture
    edge.load_state_dict(full.state_dict(), strict=False)
    full.eval(), edge.eval()
    w = torch.softmax(torch.randn(len(kept)), -1)
    w[sep] = w[pool] = 0.0
    x = torch.randn(2, 8, 6, 5)
    with torch.no_grad():
        torch.testing.assert_close(
            edge(x, weights=w), full(x, weights=w), rtol=1e-5, atol=1e-6)


def test_edge_with_nothing_but_none_is_not_built():
    kept = [True, False, False, False]
    assert build_fabric_edge(8, SUBNET_CANDIDATES, kept) is None
    cell = FabricCell(0, [8, 16, 32, 64], (0, 0, 1), 2, SUBNET_CANDIDATES,
                      edge_weights=torch.tensor([[1., 0., 0., 0.],
                                                 [0., 0., .5, .5],
                                                 [0., 1., 0., 0.]]))
    assert list(cell.edges) == ['0_2', '1_2']
    assert cell.edges['0_2'].live_candidates == [
        'sep_conv_3x3', 'dil_sep_conv_3x3'
    ]
    assert cell.edges['1_2'].live_candidates == ['skip_connect']


def test_derived_fabric_edges_are_kept_mixed_ops():
    sup = NeuralFabric(channel_factor=2, num_hidden=2, keep='first')
    g = sup.derive_genotype(prune_below=0.0)
    avg = BACKBONE_CANDIDATES.index('avg_pool_3x3')
    for row in g['alpha']['weights']:
        row[avg] = 0.0
    net = NeuralFabric(channel_factor=2, num_hidden=2, keep='first',
                       genotype=g)
    for cell in net.cells.values():
        for edge in cell.edges.values():
            assert isinstance(edge, MixedOp) and edge.mode == 'softmax'
            assert edge.candidates[avg] == 'none'
            assert isinstance(edge.ops[avg], Zero)
    sup_keys = set(sup.state_dict())
    keys = set(net.state_dict())
    assert keys < sup_keys
    assert not any(f'.ops.{avg}.' in k for k in keys)
    assert {k for k in sup_keys - keys
            if 'arch_' not in k} == {k for k in sup_keys
                                     if f'.ops.{avg}.' in k}
