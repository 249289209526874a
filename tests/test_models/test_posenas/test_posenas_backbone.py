# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS encoder: layouts, tap shapes, search alphas, derivation."""
import pytest
import torch

from pose_nas.models.posenas import (POSENAS_CANDIDATES, PoseNASBackbone,
                                     posenas_layout)
from pose_nas.nas.cell import SearchCell


def test_published_layouts():
    assert posenas_layout(18) == ([3, 8, 15], [2, 7, 14, 17])
    assert posenas_layout(12) == ([3, 6, 9], [2, 5, 8, 11])
    assert posenas_layout(8) == ([2, 4, 6], [1, 3, 5, 7])
    with pytest.raises(ValueError, match='no default layout'):
        posenas_layout(10)
    with pytest.raises(ValueError, match='out_cells must be'):
        posenas_layout(8, [2, 4, 6], [1, 3, 5, 6])


def test_search_taps_shapes_and_cells():
    net = PoseNASBackbone(channels=4, num_layers=12)
    red = [i for i, c in enumerate(net.cells) if c.reduction]
    assert red == [3, 6, 9]
    assert all(isinstance(c, SearchCell) and c.num_inputs == 2
               and c.num_nodes == 4 for c in net.cells)
    # factorized reduce of s0 after a reduction cell, ReLU-conv1x1-BN else
    assert type(net.cells[4].preprocess[0]).__name__ == 'FactorizedReduce'
    assert type(net.cells[5].preprocess[0]).__name__ == 'ReLUConvBN'
    outs = net(torch.randn(2, 3, 64, 48))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 16, 12), (2, 16, 8, 6),
                                             (2, 32, 4, 3), (2, 64, 2, 2)]
    assert net.out_channels == [8, 16, 32, 64]
    assert net.arch_alpha_normal.shape == (14, len(POSENAS_CANDIDATES))
    assert len(POSENAS_CANDIDATES) == 10  # none + the nine ops


def test_grads_reach_both_alphas():
    net = PoseNASBackbone(channels=4, num_layers=8)
    sum(o.mean() for o in net(torch.randn(2, 3, 32, 32))).backward()
    for p in (net.arch_alpha_normal, net.arch_alpha_reduce):
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_projection_stem_keeps_resolution():
    net = PoseNASBackbone(in_channels=16, channels=4, num_layers=4,
                          stem_strides=())
    outs = net(torch.randn(1, 16, 16, 12))
    assert [o.shape[-2:] for o in outs] == [(16, 12), (8, 6), (4, 3), (2, 2)]


def test_derive_top2_excluding_none_and_rebuild():
    net = PoseNASBackbone(channels=4, num_layers=4)
    with torch.no_grad():
        net.arch_alpha_normal.zero_()
        net.arch_alpha_normal[:, 0] = 10.0  # 'none' dominates everywhere
        net.arch_alpha_normal[0, 4] = 5.0  # node 0 <- s0: conv_3x3
        net.arch_alpha_normal[1, 7] = 4.0  # node 0 <- s1: dil_conv_3x3_r4
    g = net.derive_genotype()
    assert g.space == 'PoseNASBackbone'
    assert g['normal']['nodes'][0] == [['conv_3x3', 0], ['dil_conv_3x3_r4', 1]]
    assert all(len(n) == 2 and 'none' not in [op for op, _ in n]
               for n in g['normal']['nodes'])
    derived = PoseNASBackbone(channels=4, num_layers=4, genotype=g)
    assert not any(n.startswith('arch_') for n, _ in
                   derived.named_parameters())
    assert derived.cells[0].edges[0].chosen == 'conv_3x3'
    assert derived.derive_genotype() is derived.genotype


def test_bad_args():
    with pytest.raises(ValueError, match='channels must be even'):
        PoseNASBackbone(channels=5)
    with pytest.raises(ValueError, match='stem_strides'):
        PoseNASBackbone(channels=4, num_layers=4, stem_strides=(3, ))
