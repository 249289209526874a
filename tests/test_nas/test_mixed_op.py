# Copyright (c) pose_nas contributors. All rights reserved.
"""MixedOp modes: softmax, Gumbel (soft / hard), sampled and fixed."""
import pytest
import torch
import torch.nn.functional as F

from pose_nas.nas.mixed_op import MixedOp, set_mixed_op_attr

CANDS = ['none', 'skip_connect', 'conv_3x3', 'avg_pool_3x3']


def _x():
    torch.manual_seed(0)
    return torch.randn(2, 4, 6, 6)


def test_softmax_mode_is_weighted_sum():
    torch.manual_seed(0)
    m = MixedOp(4, 4, 1, CANDS)
    alpha = torch.randn(4, requires_grad=True)
    x = _x()
    w = F.softmax(alpha, -1)
    expect = sum(w[i] * m.ops[i](x) for i in range(1, 4))
    out = m(x, alpha)
    assert torch.allclose(out, expect, atol=1e-6)
    out.sum().backward()
    assert alpha.grad is not None and alpha.grad.abs().sum() > 0


def test_gumbel_soft_and_hard():
    torch.manual_seed(0)
    m = MixedOp(4, 4, 1, CANDS, mode='gumbel', tau=0.5)
    alpha = torch.zeros(4, requires_grad=True)
    out = m(_x(), alpha)
    out.sum().backward()
    assert alpha.grad.abs().sum() > 0
    m.hard = True
    calls = []
    for i, op in enumerate(m.ops):
        op.register_forward_hook(lambda *a, i=i: calls.append(i))
    alpha = torch.tensor([-20., 0., 0., 0.], requires_grad=True)  # not none
    torch.manual_seed(1)
    out = m(_x(), alpha)
    assert len(calls) == 1  # only the sampled op runs
    out.sum().backward()
    assert alpha.grad.abs().sum() > 0  # straight-through gradient


def test_hard_gumbel_refuses_weights_that_are_not_a_sample():
    """A space that passes its own weights (PNFS's fabric) must pass a
    one-hot sample in hard 'gumbel' mode: a softmax would run argmax (the
    same op every step, 'none' from uniform logits) silently."""
    m = MixedOp(4, 4, 1, CANDS, mode='gumbel', tau=1.0)
    m.hard = True
    with pytest.raises(ValueError, match='not one-hot'):
        m(_x(), weights=F.softmax(torch.zeros(4), -1))
    sample = F.gumbel_softmax(torch.zeros(4, requires_grad=True), tau=1.0,
                              hard=True)
    assert m(_x(), weights=sample).shape == (2, 4, 6, 6)


def test_sampled_mode_runs_one_op_and_respects_active():
    m = MixedOp(4, 4, 1, CANDS, mode='sampled')
    alpha = torch.tensor([0., 0., 10., 0.])
    x = _x()
    m.eval()
    assert torch.equal(m(x, alpha), m.ops[2](x))
    m.set_active(1)
    assert torch.equal(m(x, alpha), x)
    with pytest.raises(IndexError):
        m.set_active(7)


def test_fixed_mode_holds_one_op_and_matches_it():
    torch.manual_seed(0)
    fixed = MixedOp(4, 8, 2, CANDS, mode='fixed', chosen='conv_3x3')
    assert len(fixed.ops) == 1 and fixed.chosen == 'conv_3x3'
    x = _x()
    assert torch.equal(fixed(x), fixed.ops[0](x))
    n_fixed = sum(p.numel() for p in fixed.parameters())
    assert n_fixed == 4 * 8 * 9 + 2 * 8  # conv + affine BN
    by_index = MixedOp(4, 8, 2, CANDS, mode='fixed', chosen=2)
    assert by_index.chosen == 'conv_3x3'


def test_clear_errors():
    with pytest.raises(ValueError, match='mode'):
        MixedOp(4, 4, 1, CANDS, mode='argmax')
    with pytest.raises(ValueError, match='chosen'):
        MixedOp(4, 4, 1, CANDS, mode='fixed')
    with pytest.raises(ValueError, match='not among'):
        MixedOp(4, 4, 1, CANDS, mode='fixed', chosen='sep_conv_5x5')
    with pytest.raises(KeyError, match='unknown candidate op'):
        MixedOp(4, 4, 1, ['conv_3x3', 'bogus'])
    m = MixedOp(4, 4, 1, CANDS)
    with pytest.raises(ValueError, match='shape'):
        m(_x(), torch.zeros(3))
    with pytest.raises(ValueError, match='logits'):
        m(_x())


def test_keep_prunes_candidates_in_place():
    """keep() replaces dropped candidates by ``none`` at their index: the
    kept ops keep their module names, pruned ops are never run, and the
    forward needs no host sync on the weights to skip them."""
    m = MixedOp(4, 4, 1, CANDS)
    names = {k for k in m.state_dict() if k.startswith('ops.2.')}
    assert names
    kept_op = m.ops[2]
    calls = []
    m.ops[1].register_forward_hook(lambda *a: calls.append(1))
    m.ops[3].register_forward_hook(lambda *a: calls.append(1))
    assert m.keep([True, False, True, False]) is m
    assert m.candidates == ['none', 'none', 'conv_3x3', 'none']
    assert m.live_candidates == ['conv_3x3']
    assert m.ops[2] is kept_op
    assert {k for k in m.state_dict()} == names
    x = _x()
    w = torch.tensor([0.1, 0.2, 0.7, 0.0])
    assert torch.allclose(m(x, weights=w), 0.7 * kept_op(x))
    assert not calls
    with pytest.raises(ValueError, match='3 keep flags for 4 candidates'):
        m.keep([True, True, True])
    fixed = MixedOp(4, 4, 1, mode='fixed', chosen=CANDS[1])
    with pytest.raises(RuntimeError, match='fixed edge'):
        fixed.keep([True])


def test_pool_bn_follows_pools_only():
    m = MixedOp(4, 4, 1, ['avg_pool_3x3', 'max_pool_3x3', 'sep_conv_3x3'],
                pool_bn=True)
    for op in m.ops[:2]:
        assert isinstance(op, torch.nn.Sequential)
        assert isinstance(op[1], torch.nn.BatchNorm2d) and not op[1].affine
    assert not any(isinstance(mod, torch.nn.BatchNorm2d) and not mod.affine
                   for mod in m.ops[2].modules())
    plain = MixedOp(4, 4, 1, ['avg_pool_3x3'])
    assert not any(isinstance(mod, torch.nn.BatchNorm2d)
                   for mod in plain.ops[0].modules())


def test_set_attr_on_all_edges():
    net = torch.nn.ModuleList([MixedOp(4, 4, 1, CANDS, mode='gumbel')
                               for _ in range(3)])
    assert set_mixed_op_attr(net, tau=0.3) == 3
    assert all(m.tau == 0.3 for m in net)
    with pytest.raises(KeyError):
        set_mixed_op_attr(net, candidates=[])
