# Copyright (c) pose_nas contributors. All rights reserved.
"""LSTM controller, REINFORCE helpers, baseline and best-of-k selection."""
import math

import pytest
import torch

from pose_nas.nas.controller import LSTMController
from pose_nas.nas.reinforce import (MovingAverageBaseline, best_of_k,
                                    reinforce_loss)

CHOICES = [3, 4, 2, 5, 3]
TARGET = [2, 0, 1, 3, 1]


@pytest.fixture(autouse=True)
def _single_thread():
    # The controller runs tiny ops step by step: intra-op threading only
    # adds contention (and made the training tests ~10x slower on a busy
    # 2-core machine), so run single-threaded and restore afterwards.
    num_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(num_threads)


def _controller(choices=CHOICES, seed=0, **kwargs):
    torch.manual_seed(seed)
    return LSTMController(choices, **kwargs)


def _match_reward(vec):
    return sum(int(a == b) for a, b in zip(vec, TARGET)) / len(TARGET)


def test_sample_shapes_and_types():
    ctrl = _controller()
    assert ctrl.num_decisions == len(CHOICES)
    assert ctrl.choices == CHOICES
    ctrl.choices.append(7)  # a copy: the controller is not affected
    assert ctrl.choices == CHOICES
    gen = torch.Generator().manual_seed(1)
    for _ in range(20):
        dec, log_prob, entropy = ctrl.sample(gen)
        assert isinstance(dec, list) and len(dec) == len(CHOICES)
        assert all(isinstance(d, int) for d in dec)
        assert all(0 <= d < n for d, n in zip(dec, CHOICES))
        for t in (log_prob, entropy):
            assert isinstance(t, torch.Tensor) and t.dim() == 0
            assert t.requires_grad
        assert log_prob.item() < 0
        assert entropy.item() > 0
        # teacher forcing reproduces the sampled log-prob / entropy
        lp2, ent2 = ctrl.evaluate(dec)
        assert lp2.requires_grad and ent2.requires_grad
        assert torch.allclose(lp2, log_prob, atol=1e-6)
        assert torch.allclose(ent2, entropy, atol=1e-6)


def test_greedy_and_probabilities():
    ctrl = _controller()
    greedy = ctrl.greedy()
    assert len(greedy) == len(CHOICES)
    probs = ctrl.probabilities()
    assert [p.numel() for p in probs] == CHOICES
    for g, p in zip(greedy, probs):
        assert not p.requires_grad
        assert torch.isclose(p.sum(), torch.tensor(1.0), atol=1e-6)
        assert g == int(p.argmax())
    # along a given vector, the product of the chosen probabilities is the
    # probability of the vector
    vec = [0, 3, 1, 4, 2]
    probs = ctrl.probabilities(vec)
    prod = math.prod(float(p[d]) for p, d in zip(probs, vec))
    log_prob, _ = ctrl.evaluate(vec)
    assert math.isclose(prod, math.exp(log_prob.item()), rel_tol=1e-5)
    # full distribution over all vectors sums to one
    ctrl2 = _controller([3, 4])
    total = sum(
        math.exp(ctrl2.evaluate([a, b])[0].item()) for a in range(3)
        for b in range(4))
    assert math.isclose(total, 1.0, rel_tol=1e-5)


def test_single_option_decision():
    ctrl = _controller([1, 3, 1])
    dec, log_prob, entropy = ctrl.sample(torch.Generator().manual_seed(0))
    assert dec[0] == 0 and dec[2] == 0
    # only decision 1 contributes
    probs = ctrl.probabilities(dec)
    assert torch.allclose(probs[0], torch.ones(1))
    assert math.isclose(log_prob.item(), math.log(float(probs[1][dec[1]])),
                        rel_tol=1e-5)


def test_seeded_generator_reproducible():
    ctrl = _controller()

    def draws(seed, n=30):
        gen = torch.Generator().manual_seed(seed)
        return [ctrl.sample(gen)[0] for _ in range(n)]

    assert draws(123) == draws(123)
    assert draws(123) != draws(456)
    # samples from one generator are not all the same
    assert len({tuple(v) for v in draws(7)}) > 1


def test_init_deterministic_from_global_seed():
    a, b = _controller(seed=3), _controller(seed=3)
    c = _controller(seed=4)
    for (na, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert torch.equal(pa, pb), na
    assert any(not torch.equal(pa, pc)
               for pa, pc in zip(a.parameters(), c.parameters()))


@pytest.mark.parametrize('choices, match', [
    ([], 'at least one'),
    ([3, 0, 2], r'choices\[1\] must be >= 1'),
    ([3, -2], r'choices\[1\] must be >= 1'),
    ([2, 2.5], r'choices\[1\] must be an integer'),
    (5, 'sequence'),
])
def test_invalid_choices(choices, match):
    with pytest.raises(ValueError, match=match):
        LSTMController(choices)


@pytest.mark.parametrize('kwargs', [
    dict(temperature=0.0),
    dict(tanh_constant=-1.0),
    dict(hidden_size=0),
    dict(num_layers=0),
])
def test_invalid_hyper_parameters(kwargs):
    with pytest.raises(ValueError):
        LSTMController([2, 3], **kwargs)


def test_evaluate_rejects_bad_vectors():
    ctrl = _controller()
    with pytest.raises(ValueError, match='expected 5 decisions'):
        ctrl.evaluate([0, 0, 0])
    with pytest.raises(ValueError, match='expected 5 decisions'):
        ctrl.evaluate([0] * 6)
    with pytest.raises(ValueError, match=r'decisions\[1\] = 4 is out of'):
        ctrl.evaluate([0, 4, 0, 0, 0])
    with pytest.raises(ValueError, match=r'decisions\[3\] = -1 is out of'):
        ctrl.evaluate([0, 0, 0, -1, 0])
    with pytest.raises(ValueError, match=r'decisions\[0\] must be an int'):
        ctrl.evaluate([0.5, 0, 0, 0, 0])
    with pytest.raises(ValueError, match='out of range'):
        ctrl.probabilities([0, 0, 2, 0, 0])


def test_initial_policy_near_uniform():
    ctrl = _controller()
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        dec, _, _ = ctrl.sample(gen)
        for p, n in zip(ctrl.probabilities(dec), CHOICES):
            ent = float(-(p * p.log()).sum())
            assert ent == pytest.approx(math.log(n), abs=0.01)
            assert torch.allclose(p, torch.full((n, ), 1.0 / n), atol=0.02)
    _, entropy = ctrl.evaluate(ctrl.greedy())
    assert entropy.item() == pytest.approx(
        sum(math.log(n) for n in CHOICES), abs=0.05)


def test_tanh_constant_bounds_logits():
    ctrl = _controller([4], tanh_constant=1.0)
    with torch.no_grad():
        ctrl.heads[0].weight.zero_()
        ctrl.heads[0].bias.copy_(torch.tensor([100.0, 0.0, 0.0, 0.0]))
    p = ctrl.probabilities()[0]
    # logits are squashed to [-1, 1]: p_max = e / (e + 3)
    assert float(p[0]) == pytest.approx(math.e / (math.e + 3), rel=1e-4)
    free = _controller([4], tanh_constant=None)
    with torch.no_grad():
        free.heads[0].bias.copy_(torch.tensor([100.0, 0.0, 0.0, 0.0]))
    assert float(free.probabilities()[0][0]) > 0.999
    # temperature flattens the unsquashed policy
    hot = _controller([4], tanh_constant=None, temperature=100.0)
    with torch.no_grad():
        hot.heads[0].weight.zero_()
        hot.heads[0].bias.copy_(torch.tensor([100.0, 0.0, 0.0, 0.0]))
    assert float(hot.probabilities()[0][0]) == pytest.approx(
        math.e / (math.e + 3), rel=1e-3)


def _train(ctrl, updates, batch=8, lr=0.03, entropy_weight=1e-3, seed=0):
    opt = torch.optim.Adam(ctrl.parameters(), lr=lr)
    baseline = MovingAverageBaseline(decay=0.9)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(updates):
        log_probs, entropies, rewards = [], [], []
        for _ in range(batch):
            dec, log_prob, entropy = ctrl.sample(gen)
            log_probs.append(log_prob)
            entropies.append(entropy)
            rewards.append(_match_reward(dec))
        rewards = torch.tensor(rewards)
        base = (baseline.value
                if baseline.value is not None else float(rewards.mean()))
        loss = reinforce_loss(
            torch.stack(log_probs), torch.stack(entropies), rewards, base,
            entropy_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        baseline.update(float(rewards.mean()))
    return baseline


def test_reinforce_converges_to_target():
    ctrl = _controller(hidden_size=32, tanh_constant=2.5)
    p0 = math.exp(ctrl.evaluate(TARGET)[0].item())
    assert p0 < 0.01
    baseline = _train(ctrl, updates=150)
    assert ctrl.greedy() == TARGET
    p_target = math.exp(ctrl.evaluate(TARGET)[0].item())
    assert p_target > 0.5
    assert baseline.value > 0.8
    dec_probs = ctrl.probabilities()
    assert all(float(p[t]) > 0.8 for p, t in zip(dec_probs, TARGET))


def test_reinforce_default_tanh_converges_to_cap():
    """With tanh_constant=1.5 the target probability is capped."""
    ctrl = _controller(hidden_size=32)
    _train(ctrl, updates=100)
    assert ctrl.greedy() == TARGET
    cap = math.prod(1.0 / (1.0 + (n - 1) * math.exp(-3.0)) for n in CHOICES)
    p_target = math.exp(ctrl.evaluate(TARGET)[0].item())
    assert 0.5 < p_target <= cap + 1e-6
    assert p_target == pytest.approx(cap, rel=0.02)


@pytest.mark.parametrize('advantage_sign', [1.0, -1.0])
def test_reinforce_loss_gradient_direction(advantage_sign):
    ctrl = _controller()
    dec, log_prob, entropy = ctrl.sample(torch.Generator().manual_seed(0))
    rewards = torch.tensor([0.5 + advantage_sign * 0.5], requires_grad=True)
    baseline = torch.tensor(0.5, requires_grad=True)
    loss = reinforce_loss(log_prob[None], entropy[None], rewards, baseline)
    opt = torch.optim.SGD(ctrl.parameters(), lr=0.5)
    opt.zero_grad()
    loss.backward()
    assert rewards.grad is None and baseline.grad is None
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in ctrl.parameters())
    opt.step()
    new_log_prob = ctrl.evaluate(dec)[0].item()
    if advantage_sign > 0:
        assert new_log_prob > log_prob.item()
    else:
        assert new_log_prob < log_prob.item()


def test_reinforce_loss_value_and_validation():
    log_probs = torch.tensor([-1.0, -2.0, -0.5], requires_grad=True)
    entropies = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    rewards = torch.tensor([1.0, 0.0, 0.5])
    loss = reinforce_loss(log_probs, entropies, rewards, 0.5, 0.1)
    adv = rewards - 0.5
    expect = -(adv * log_probs.detach()).mean() - 0.1 * 2.0
    assert loss.dim() == 0
    assert torch.isclose(loss, expect)
    loss.backward()
    assert torch.allclose(log_probs.grad, -adv / 3)
    assert torch.allclose(entropies.grad, torch.full((3, ), -0.1 / 3))
    # without entropy weight the entropies get no gradient signal
    ent2 = entropies.detach().clone().requires_grad_()
    reinforce_loss(log_probs, ent2, rewards, 0.5).backward()
    assert ent2.grad is None or torch.all(ent2.grad == 0)
    with pytest.raises(ValueError, match='same shape'):
        reinforce_loss(log_probs, entropies, rewards[:2], 0.0)
    with pytest.raises(ValueError, match=r'shape \(B, \)'):
        reinforce_loss(log_probs[None], entropies[None], rewards[None], 0.0)


def test_moving_average_baseline():
    b = MovingAverageBaseline(decay=0.9)
    assert b.value is None
    assert b.update(1.0) == pytest.approx(1.0)
    assert b.update(0.0) == pytest.approx(0.9)
    assert b.update(0.5) == pytest.approx(0.9 * 0.9 + 0.1 * 0.5)
    assert b.value == pytest.approx(0.86)
    state = b.state_dict()
    b2 = MovingAverageBaseline(decay=0.5)
    b2.load_state_dict(state)
    assert b2.value == b.value and b2.decay == 0.9
    assert b2.update(1.0) == pytest.approx(b.update(1.0))
    # an un-updated baseline round-trips as None
    b3 = MovingAverageBaseline()
    b3.load_state_dict(MovingAverageBaseline(0.7).state_dict())
    assert b3.value is None and b3.decay == 0.7
    with pytest.raises(ValueError):
        MovingAverageBaseline(decay=1.5)
    with pytest.raises(ValueError, match='value'):
        b3.load_state_dict({'decay': 0.9})


def test_best_of_k_picks_max_and_dedupes():
    ctrl = _controller([2, 2, 2])
    calls = []

    def reward_fn(vec):
        calls.append(tuple(vec))
        return float(sum(v * 2**i for i, v in enumerate(vec)))  # max: [1,1,1]

    best, best_reward, evaluated = best_of_k(
        ctrl, reward_fn, k=60, generator=torch.Generator().manual_seed(0))
    # 60 draws from a near-uniform policy over 8 vectors cover them all
    assert len(calls) == len(set(calls)) == 8
    assert best == [1, 1, 1] and best_reward == 7.0
    assert [tuple(v) for v, _ in evaluated] == calls
    assert all(r == reward_fn(v) for v, r in evaluated)
    # greedy vector is evaluated first
    assert evaluated[0][0] == ctrl.greedy()


def test_best_of_k_ties_and_options():
    ctrl = _controller()
    calls = []

    def const(vec):
        calls.append(tuple(vec))
        return 1.0

    gen = torch.Generator().manual_seed(5)
    best, reward, evaluated = best_of_k(ctrl, const, k=4, generator=gen,
                                        include_greedy=False)
    assert best == evaluated[0][0] and reward == 1.0  # tie -> first
    assert len(calls) == len(set(calls)) == len(evaluated) <= 4
    # same generator seed -> same candidates
    gen = torch.Generator().manual_seed(5)
    again = best_of_k(ctrl, const, k=4, generator=gen, include_greedy=False)
    assert again[2] == evaluated
    # greedy only
    best, _, evaluated = best_of_k(ctrl, const, k=0)
    assert best == ctrl.greedy() and len(evaluated) == 1
    with pytest.raises(ValueError):
        best_of_k(ctrl, const, k=0, include_greedy=False)
    with pytest.raises(ValueError):
        best_of_k(ctrl, const, k=-1)
