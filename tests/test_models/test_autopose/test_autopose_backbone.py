# Copyright (c) pose_nas contributors. All rights reserved.
"""AutoPose search space: shapes, which cells run and get gradients, branch
decisions, genotypes and the derived net."""
import pytest
import torch

from pose_nas.models.autopose import (AutoPoseBackbone, AutoPoseStem,
                                      ConcatFusion, ScaleResize)
from pose_nas.nas.genotype import load_genotype
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.mutator import ArchMutator

TINY = dict(stem_channels=8, channels=(4, 8, 12, 16), individual_nodes=2,
            aggregation_nodes=1)
X = torch.randn(2, 3, 64, 48)  # 1/32 of 48 is 1.5: odd sizes on the way


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(0)
    return AutoPoseBackbone(**TINY)


def _bits(stage_bits):
    return [b for s in stage_bits for b in s]


def test_stem_and_resize_shapes():
    stem = AutoPoseStem(3, 8, (4, 8, 12, 16), dict(type='BN'),
                        dict(type='ReLU'))
    outs = stem(X)
    assert [tuple(o.shape) for o in outs] == [(2, 4, 16, 12), (2, 8, 8, 6),
                                              (2, 12, 4, 3), (2, 16, 2, 2)]
    up = ScaleResize(16, 4, 3, 0, dict(type='BN'))
    assert up(outs[3], (16, 12)).shape == (2, 4, 16, 12)
    down = ScaleResize(4, 16, 0, 3, dict(type='BN'))
    assert down(outs[0]).shape == (2, 16, 2, 2)
    assert isinstance(ScaleResize(8, 8, 1, 1, dict(type='BN')).conv,
                      torch.nn.Identity)
    fuse = ConcatFusion([4, 4], 6, dict(type='BN'))
    assert fuse([outs[0], outs[0]]).shape == (2, 6, 16, 12)


def test_supernet_shape_gumbel_and_arch_gradients(net):
    net.zero_grad()
    net.apply_decisions(None)
    y = net(X)[0]
    assert y.shape == (2, 4 + 8 + 12 + 16, 16, 12)
    assert net.out_channels == 40
    modes = {m.mode for m in net.modules() if isinstance(m, MixedOp)}
    assert modes == {'gumbel'}
    y.square().mean().backward()
    for p in (net.arch_alpha_individual, net.arch_alpha_aggregation):
        assert p.grad is not None and p.grad.abs().sum() > 0
    names = [n for n, _ in ArchMutator(net).named_arch_parameters()]
    assert names == ['arch_alpha_individual', 'arch_alpha_aggregation']
    # one shared set per cell type: 2-node individual (3 edges), 1-node
    # aggregation over 4 inputs (4 edges), six candidates
    assert net.arch_alpha_individual.shape == (3, 6)
    assert net.arch_alpha_aggregation.shape == (4, 6)


def test_inactive_branch_is_not_run_and_gets_no_gradient(net):
    calls = {}

    def counter(name):
        def hook(module, inputs, output):
            calls[name] = calls.get(name, 0) + 1
        return hook

    handles = []
    for s, stage in enumerate(net.stages):
        for m, module in enumerate(stage):
            for b in range(4):
                for c, cell in enumerate(module.individual[b]):
                    handles.append(cell.register_forward_hook(
                        counter(('ind', s, m, b, c))))
                handles.append(module.aggregate[b].register_forward_hook(
                    counter(('agg', s, m, b))))
    # branch 1 (1/8) off in every stage, stage 2 entirely off
    bits = [[1, 0, 1, 1], [1, 0, 0, 1], [0, 0, 0, 0]]
    net.zero_grad()
    net.apply_decisions(_bits(bits))
    assert ArchMutator(net).decision_module()[1] is net
    net(X)[0].square().mean().backward()
    net.apply_decisions(None)
    for h in handles:
        h.remove()
    for s, stage in enumerate(net.stages):
        for m, module in enumerate(stage):
            for b in range(4):
                on = bool(bits[s][b])
                ran = ('agg', s, m, b) in calls
                assert ran == on, (s, m, b)
                cell_params = [
                    p for c in module.individual[b] for p in c.parameters()
                ] + list(module.aggregate[b].parameters())
                got = any(p.grad is not None and p.grad.abs().sum() > 0
                          for p in cell_params)
                assert got == on, (s, m, b)
    # the shared alphas still learn from the active cells
    assert net.arch_alpha_individual.grad.abs().sum() > 0


def test_every_stage_off_is_the_stem(net):
    net.eval()
    net.apply_decisions([0] * 12)
    y = net(X)[0]
    stem = net.stem(X)
    up = [torch.nn.functional.interpolate(t, size=(16, 12)) for t in stem]
    assert torch.allclose(y, torch.cat(up, 1))
    net.apply_decisions(None)
    net.train()


def test_branch_decisions_and_modes():
    multi = AutoPoseBackbone(**TINY)
    assert multi.decision_space() == [2] * 12
    single = AutoPoseBackbone(**TINY, branch_mode='single')
    assert single.decision_space() == [5, 5, 5]
    assert single.decisions_to_bits([0, 1, 4]) == _bits(
        [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    single.apply_decisions([2, 0, 3])
    assert single.active_branches() == [[False, True, False, False],
                                        [False] * 4,
                                        [False, False, True, False]]
    g = single.derive_genotype(decisions=[2, 0, 3])
    assert g['branches']['values'] == _bits([[0, 1, 0, 0], [0] * 4,
                                              [0, 0, 1, 0]])
    allon = AutoPoseBackbone(**TINY, branch_mode='all')
    assert allon.decision_space() == []
    assert allon.derive_genotype()['branches']['values'] == [1] * 12
    with pytest.raises(RuntimeError, match='no branch decisions'):
        allon.apply_decisions([1] * 12)
    concat = AutoPoseBackbone(**TINY, aggregation='concat')
    assert not hasattr(concat, 'arch_alpha_aggregation')
    assert 'aggregation' not in concat.derive_genotype().components
    assert concat(X)[0].shape == (2, 40, 16, 12)
    with pytest.raises(ValueError, match='do not fit the decision space'):
        multi.apply_decisions([1] * 11)


def test_genotype_round_trip_and_derived_net(net, tmp_path):
    with torch.no_grad():
        net.arch_alpha_individual.copy_(torch.eye(3, 6) * 5)
    bits = _bits([[1, 1, 0, 0], [0, 0, 0, 0], [0, 1, 1, 1]])
    g = ArchMutator(net).derive_genotypes(decisions=bits)['']
    ind = g['individual']
    # argmax op on EVERY edge (no top-k): node 0 has 1 edge, node 1 two
    assert [len(n) for n in ind['nodes']] == [1, 2]
    assert ind['nodes'][0] == [['conv_1x1', 0]]
    assert ind['nodes'][1][1] == ['conv_5x5', 1]
    assert g['branches']['values'] == bits
    path = g.dump(str(tmp_path / 'g.json'))
    derived = AutoPoseBackbone(**TINY, channel_multiplier=2, genotype=path)
    assert load_genotype(path).to_dict() == \
        derived.derive_genotype().to_dict()
    # the derived net uses the multiplier and builds only active branches
    assert derived.channels == [8, 16, 24, 32]
    assert derived.out_channels == 80
    assert derived(X)[0].shape == (2, 80, 16, 12)
    assert derived.decision_space() == []
    assert not any(n.startswith('arch_') for n, _ in
                   derived.named_parameters())
    stage1 = derived.stages[1][0]
    assert all(isinstance(m, torch.nn.Identity) for m in stage1.individual)
    assert isinstance(derived.stages[0][0].individual[2], torch.nn.Identity)
    modes = {m.mode for m in derived.modules() if isinstance(m, MixedOp)}
    assert modes == {'fixed'}
    wide = dict(TINY, channels=(8, 16, 24, 32))
    n_super = sum(p.numel() for p in AutoPoseBackbone(**wide).parameters())
    assert sum(p.numel() for p in derived.parameters()) < n_super
