# Copyright (c) pose_nas contributors. All rights reserved.
"""Which cells, source slots and inputs a derived PNFS fabric keeps
(:func:`prune_fabric` on its own, then through ``NeuralFabric``)."""
import pytest
import torch

from pose_nas.models.pnfs import (SOURCES, NeuralFabric, fabric_layer_sizes,
                                  fabric_wiring, kept_layers, prune_fabric)
from pose_nas.nas import GenotypeError

COARSER = SOURCES.index('coarser')


def _subnet_wiring():
    """L=6, the last 3 layers, fed a 4-scale pyramid: l3_s0..2, l4_s0..1,
    l5_s0."""
    return fabric_wiring(kept_layers(6, 'last', 3), fabric_layer_sizes(6),
                         4)


def _beta(wiring, **rows):
    beta = torch.full((len(wiring), 3), 1 / 3)
    keys = list(wiring)
    for key, row in rows.items():
        beta[keys.index(key)] = torch.tensor(row)
    return beta


def test_wiring_of_a_subnetwork():
    wiring = _subnet_wiring()
    assert list(wiring) == ['l3_s0', 'l3_s1', 'l3_s2', 'l4_s0', 'l4_s1',
                            'l5_s0']
    assert wiring['l3_s2'] == (3, 2, (2, 1, 3))
    assert wiring['l4_s1'] == (4, 1, (1, 0, 2))
    assert wiring['l5_s0'] == (5, 0, (0, 0, 1))


def test_nothing_pruned_keeps_everything():
    wiring = _subnet_wiring()
    res = prune_fabric(wiring, _beta(wiring), 4)
    assert res.live_cells == list(wiring)
    assert res.slots == {k: list(v[2]) for k, v in wiring.items()}
    assert res.input_used == [True] * 4


def test_unread_cell_is_removed_recursively():
    wiring = _subnet_wiring()
    # l5_s0 stops reading l4_s1, the only reader of l3_s2, the only reader
    # of the 1/32 input
    res = prune_fabric(wiring, _beta(wiring, l5_s0=[.5, .5, 0.]), 4)
    assert res.live_cells == ['l3_s0', 'l3_s1', 'l4_s0', 'l5_s0']
    assert res.slots['l5_s0'] == [0, 0, None]
    assert set(res.slots) == set(res.live_cells)
    assert res.input_used == [True, True, True, False]


def test_unread_input_is_marked_unused():
    wiring = _subnet_wiring()
    # l3_s2 keeps living, but no longer reads the 1/32 input
    res = prune_fabric(wiring, _beta(wiring, l3_s2=[.5, .5, 0.]), 4)
    assert res.live_cells == list(wiring)
    assert res.slots['l3_s2'] == [2, 1, None]
    assert res.input_used == [True, True, True, False]
    # the 1/4 input is read by l3_s0 (same, finer) and l3_s1 (finer)
    res = prune_fabric(
        wiring, _beta(wiring, l3_s0=[0., 0., 1.], l3_s1=[1., 0., 1.]), 4)
    assert res.input_used == [False, True, True, True]


def test_all_zero_beta_on_a_live_cell_is_an_error():
    wiring = _subnet_wiring()
    with pytest.raises(GenotypeError, match='cell l4_s0 has every beta'):
        prune_fabric(wiring, _beta(wiring, l4_s0=[0., 0., 0.]), 4)
    # ... but not on a cell that is removed anyway
    res = prune_fabric(
        wiring, _beta(wiring, l5_s0=[1., 1., 0.], l4_s1=[0., 0., 0.],
                      l3_s2=[0., 0., 0.]), 4)
    assert 'l4_s1' not in res.live_cells and 'l3_s2' not in res.live_cells


def test_backbone_wiring_reads_the_stem():
    wiring = fabric_wiring(kept_layers(6, 'first', 3), fabric_layer_sizes(6),
                           1)
    assert all(v[2] == (0, 0, 0) for k, v in wiring.items()
               if k.startswith('l0_'))
    beta = _beta(wiring)
    # the last kept layer is the pyramid: all of it lives, whatever reads it
    res = prune_fabric(wiring, beta, 1)
    assert res.live_cells == list(wiring) and res.input_used == [True]
    with pytest.raises(GenotypeError, match='does not fit'):
        prune_fabric(wiring, beta[:-1], 1)


def test_neural_fabric_builds_what_pruning_keeps():
    sup = NeuralFabric(channel_factor=2)
    g = sup.derive_genotype(prune_below=0.0)
    last = sup.cell_keys.index('l5_s0')
    g['beta']['weights'][last][COARSER] = 0.0
    net = NeuralFabric(channel_factor=2, genotype=g)
    res = prune_fabric(net._wiring, torch.tensor(g['beta']['weights']), 4)
    assert list(net.cells) == res.live_cells
    assert net.input_used == res.input_used
    for key in res.live_cells:
        assert net.cells[key].source_scales == res.slots[key]
    assert net.beta_weights.shape == (len(res.live_cells), 3)
