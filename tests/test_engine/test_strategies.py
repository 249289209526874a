# Copyright (c) pose_nas contributors. All rights reserved.
"""Strategies search, and only as intended, inside MMEngine's train loop.

The toy problem: targets are ``avg_pool_3x3(x)``; the supernet's one edge
mixes none / skip / avg pool / max pool / conv 1x1. A working strategy ends
with avg pool's weight highest.
"""
import copy
import os.path as osp
import sys

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import toy_search  # noqa: E402
from toy_search import (CANDIDATES, TARGET_DECISIONS, TARGET_OP,  # noqa: E402
                        ToyOpDataset, toy_cfg, toy_loader)

from pose_nas.engine.hooks import (sgd_virtual_step,  # noqa: E402
                                   unrolled_arch_grads)
from pose_nas.engine.optimizers import NASOptimWrapperDict  # noqa: E402
from pose_nas.nas.arch import arch_parameters  # noqa: E402

TARGET = CANDIDATES.index(TARGET_OP)


def _run(cfg):
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def _darts_hook(order, warmup=0, **kw):
    return dict(
        type='DartsArchHook',
        arch_dataloader=toy_loader(32, seed=1),
        order=order,
        warmup_epochs=warmup,
        **kw)


def test_synchronous_finds_the_target_op(tmp_path):
    runner = _run(toy_cfg(str(tmp_path), 'joint', max_epochs=8))
    alpha = runner.model.arch_alpha.detach()
    assert int(alpha.argmax()) == TARGET, alpha
    # one optimizer, arch params in their own group without weight decay
    groups = runner.optim_wrapper.optimizer.param_groups
    arch_group = [g for g in groups if g.get('name') == 'arch']
    assert len(arch_group) == 1 and arch_group[0]['weight_decay'] == 0.0
    assert arch_group[0]['params'][0] is runner.model.arch_alpha


@pytest.mark.parametrize('order', [1, 2])
def test_darts_finds_the_target_op(tmp_path, order):
    # second order unrolls the configured optimizer's step: SGD + momentum
    optimizer = dict(type='SGD', lr=0.1, momentum=0.9) if order == 2 else None
    cfg = toy_cfg(str(tmp_path), 'separate', hooks=[_darts_hook(order)],
                  max_epochs=8, arch_lr=0.05, optimizer=optimizer)
    runner = _run(cfg)
    alpha = runner.model.arch_alpha.detach()
    assert int(alpha.argmax()) == TARGET, alpha
    assert isinstance(runner.optim_wrapper, NASOptimWrapperDict)
    weight_ids = {id(p) for g in runner.optim_wrapper['weight'].param_groups
                  for p in g['params']}
    assert id(runner.model.arch_alpha) not in weight_ids
    hook = [h for h in runner.hooks if type(h).__name__ ==
            'DartsArchHook'][0]
    assert hook.arch_steps == 8 * 4
    # the held-out sampler saw set_epoch every epoch
    assert hook.stream.dataloader.sampler.epoch == 7 * 1000 + 1


def test_warmup_keeps_arch_params_fixed(tmp_path):
    cfg = toy_cfg(str(tmp_path), 'separate',
                  hooks=[_darts_hook(1, warmup=3)], max_epochs=3)
    runner = _run(cfg)
    assert torch.count_nonzero(runner.model.arch_alpha) == 0
    assert not torch.equal(  # the weights did train
        runner.model.pre.bias.detach(), torch.zeros(4))


class _Recorder(Hook):
    """Records weights/alpha right before and after the weight step."""
    priority = 'LOWEST'

    def __init__(self):
        self.records = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        m = runner.model
        self.cur = dict(
            w={k: v.detach().clone() for k, v in m.named_parameters()},
            batch=copy.deepcopy(data_batch))

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.cur['w_after'] = {
            k: v.detach().clone() for k, v in runner.model.named_parameters()
        }
        self.records.append(self.cur)


def _hand_sgd_update(before, batch, lr):
    model = toy_search.ToySearchNet()
    model.load_state_dict(before, strict=False)
    with torch.no_grad():
        for k, p in model.named_parameters():
            p.copy_(before[k])
    data = model.data_preprocessor(batch, True)
    loss = model(**data, mode='loss')['loss']
    weights = [p for k, p in model.named_parameters() if 'arch_' not in k]
    grads = torch.autograd.grad(loss, weights)
    names = [k for k, _ in model.named_parameters() if 'arch_' not in k]
    return {n: before[n] - lr * g for n, g in zip(names, grads)}


@pytest.mark.parametrize('order', [1, 2])
def test_arch_step_never_leaks_into_the_weight_step(tmp_path, order):
    rec = _Recorder()
    cfg = toy_cfg(str(tmp_path), 'separate', hooks=[_darts_hook(order)],
                  max_epochs=1, optimizer=dict(type='SGD', lr=0.1))
    runner = Runner.from_cfg(cfg)
    runner.register_hook(rec, priority='LOWEST')
    runner.train()
    assert len(rec.records) == 4
    for r in rec.records:
        expect = _hand_sgd_update(r['w'], r['batch'], 0.1)
        for name, value in expect.items():
            torch.testing.assert_close(r['w_after'][name], value,
                                       rtol=1e-5, atol=1e-6)
        # and the arch params did move in the arch step, not the weight step
        assert torch.equal(r['w_after']['arch_alpha'], r['w']['arch_alpha'])


def test_leak_check_detects_a_leaking_arch_step(tmp_path):
    """The comparison above fails for the classic bug (weight grads of the
    arch loss left in place): the test has teeth."""
    model = toy_search.ToySearchNet()
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    ds = ToyOpDataset(16, seed=0)
    batch = dict(inputs=ds.x, targets=ds.y)
    val = ToyOpDataset(16, seed=1)
    # buggy: backward of the arch loss through everything, then weight step
    loss_val = model(val.x, val.y, mode='loss')['loss']
    loss_val.backward()
    loss = model(ds.x, ds.y, mode='loss')['loss']
    loss.backward()
    with torch.no_grad():
        leaked = {k: before[k] - 0.1 * p.grad
                  for k, p in model.named_parameters() if 'arch_' not in k}
    expect = _hand_sgd_update(before, batch, 0.1)
    assert not torch.allclose(leaked['pre.weight'], expect['pre.weight'])


def test_second_order_matches_exact_double_backward():
    torch.manual_seed(0)
    model = toy_search.ToySearchNet().double()
    with torch.no_grad():
        model.arch_alpha.normal_()
        model.pre.weight.add_(0.1 * torch.randn_like(model.pre.weight))
    tr = ToyOpDataset(8, seed=0)
    va = ToyOpDataset(8, seed=1)
    train = dict(inputs=tr.x.double(), targets=tr.y.double())
    val = dict(inputs=va.x.double(), targets=va.y.double())

    def loss_fn(m, b):
        return m(b['inputs'], b['targets'], mode='loss')['loss']

    arch = [model.arch_alpha]
    weights = [p for n, p in model.named_parameters() if 'arch_' not in n]
    saved = [w.detach().clone() for w in weights]
    xi, wd = 0.5, 1e-2
    _, approx = unrolled_arch_grads(model, loss_fn, train, val, arch,
                                    weights, xi, wd, fd_eps=1e-4)

    # exact: d/d alpha L_val(w - xi (grad_w L_train + wd w), alpha)
    names = [n for n, p in model.named_parameters() if 'arch_' not in n]
    g = torch.autograd.grad(loss_fn(model, train), weights,
                            create_graph=True)
    unrolled = {n: w - xi * (gi + wd * w)
                for n, w, gi in zip(names, weights, g)}
    unrolled['arch_alpha'] = model.arch_alpha
    buffers = dict(model.named_buffers())
    out = torch.func.functional_call(model, {**unrolled, **buffers},
                                     (val['inputs'], val['targets']),
                                     dict(mode='loss'))['loss']
    exact = torch.autograd.grad(out, model.arch_alpha)[0]
    torch.testing.assert_close(approx[0], exact, rtol=1e-4, atol=1e-7)
    # the finite-difference term matters: first order differs noticeably
    first = torch.autograd.grad(
        torch.func.functional_call(
            model, {**{n: w.detach() - xi * (gi.detach() + wd * w.detach())
                       for n, w, gi in zip(names, weights, g)},
                    'arch_alpha': model.arch_alpha, **buffers},
            (val['inputs'], val['targets']), dict(mode='loss'))['loss'],
        model.arch_alpha)[0]
    assert not torch.allclose(first, exact, rtol=1e-3, atol=1e-6)
    # the virtual step left the weights exactly as they were
    for w, s in zip(weights, saved):
        assert torch.equal(w.detach(), s)
        assert w.grad is None


def test_second_order_unrolls_the_sgd_step_with_momentum():
    """The virtual step is the step torch's SGD takes next (per-group lr and
    weight decay, the momentum buffer): the hypergradient equals the exact
    derivative through that step."""
    torch.manual_seed(0)
    model = toy_search.ToySearchNet().double()
    with torch.no_grad():
        model.arch_alpha.normal_()
    tr, va = ToyOpDataset(8, seed=0), ToyOpDataset(8, seed=1)
    train = dict(inputs=tr.x.double(), targets=tr.y.double())
    val = dict(inputs=va.x.double(), targets=va.y.double())

    def loss_fn(m, b):
        return m(b['inputs'], b['targets'], mode='loss')['loss']

    names = [n for n, p in model.named_parameters() if 'arch_' not in n]
    weights = [p for n, p in model.named_parameters() if 'arch_' not in n]
    opt = torch.optim.SGD([dict(params=weights[:1], lr=0.3),
                           dict(params=weights[1:], lr=0.1,
                                weight_decay=1e-2)], momentum=0.9)
    loss_fn(model, train).backward()  # one real step: momentum buffers
    opt.step()
    opt.zero_grad(set_to_none=True)
    step = sgd_virtual_step(opt, weights)
    assert step['unroll_lr'] == [0.3] + [0.1] * (len(weights) - 1)
    assert all(m is not None for m in step['momentum_terms'])
    _, approx = unrolled_arch_grads(model, loss_fn, train, val,
                                    [model.arch_alpha], weights,
                                    fd_eps=1e-4, **step)

    # exact: d/d alpha L_val(w - lr (0.9 buf + grad L_train + wd w), alpha)
    g = torch.autograd.grad(loss_fn(model, train), weights,
                            create_graph=True)
    unrolled = {}
    for i, (n, w, gi) in enumerate(zip(names, weights, g)):
        group = opt.param_groups[0 if i == 0 else 1]
        buf = opt.state[w]['momentum_buffer']
        unrolled[n] = w - group['lr'] * (0.9 * buf + gi +
                                         group['weight_decay'] * w)
    unrolled['arch_alpha'] = model.arch_alpha
    out = torch.func.functional_call(
        model, {**unrolled, **dict(model.named_buffers())},
        (val['inputs'], val['targets']), dict(mode='loss'))['loss']
    exact = torch.autograd.grad(out, model.arch_alpha)[0]
    torch.testing.assert_close(approx[0], exact, rtol=1e-4, atol=1e-7)
    # without the momentum term the result is measurably different
    _, no_momentum = unrolled_arch_grads(
        model, loss_fn, train, val, [model.arch_alpha], weights,
        step['unroll_lr'], step['weight_decay'], fd_eps=1e-4)
    assert not torch.allclose(no_momentum[0], exact, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize('optimizer, match', [
    (dict(type='Adam', lr=1e-3), 'weight optimizer is Adam'),
    (dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True), 'nesterov'),
])
def test_second_order_refuses_an_optimizer_it_cannot_unroll(
        tmp_path, optimizer, match):
    cfg = toy_cfg(str(tmp_path), 'separate', hooks=[_darts_hook(2)],
                  max_epochs=1, optimizer=optimizer)
    with pytest.raises((TypeError, ValueError), match=match):
        _run(cfg)


def test_random_strategy_draws_and_freezes(tmp_path):
    cfg = toy_cfg(str(tmp_path), 'frozen',
                  hooks=[dict(type='RandomArchHook', seed=3)], max_epochs=2)
    runner = _run(cfg)
    expect = torch.randn(len(CANDIDATES),
                         generator=torch.Generator().manual_seed(3))
    assert torch.equal(runner.model.arch_alpha.detach(), expect)
    assert not runner.model.arch_alpha.requires_grad
    assert runner.model.arch_alpha.grad is None
    # joint strategy + random hook is refused
    cfg = toy_cfg(str(tmp_path / 'b'), 'joint',
                  hooks=[dict(type='RandomArchHook', seed=3)], max_epochs=1)
    with pytest.raises(RuntimeError, match="strategy='frozen'"):
        _run(cfg)


def test_gumbel_schedule_and_search(tmp_path):
    from pose_nas.engine.hooks import gumbel_temperature
    assert gumbel_temperature(0, 5, 0.5, 'exponential') == 5
    assert abs(gumbel_temperature(1, 5, 0.5, 'exponential') - 0.5) < 1e-9
    assert abs(gumbel_temperature(0.5, 5, 0.5, 'linear') - 2.75) < 1e-9
    taus = []

    class TauSpy(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            taus.append(runner.model.edge.tau)

    cfg = toy_cfg(str(tmp_path), 'joint', mode='gumbel', max_epochs=8,
                  hooks=[dict(type='GumbelTemperatureHook', tau_start=2.0,
                              tau_end=0.2, schedule='linear')])
    runner = Runner.from_cfg(cfg)
    runner.register_hook(TauSpy(), priority='LOWEST')
    runner.train()
    per_epoch = taus[::4]
    assert per_epoch[0] == pytest.approx(2.0)
    assert per_epoch[-1] == pytest.approx(0.2)
    assert all(a > b for a, b in zip(per_epoch, per_epoch[1:]))
    assert int(runner.model.arch_alpha.argmax()) == TARGET


def test_two_optimizers_have_their_own_schedules(tmp_path):
    cfg = toy_cfg(str(tmp_path), 'separate', hooks=[_darts_hook(1)],
                  max_epochs=4, lr=0.01, arch_lr=0.02)
    cfg['param_scheduler'] = dict(
        weight=[dict(type='CosineAnnealingLR', T_max=4, eta_min=0.0,
                     by_epoch=True)],
        arch=[dict(type='ConstantLR', factor=1.0, by_epoch=True)])
    runner = _run(cfg)
    assert set(runner.param_schedulers) == {'weight', 'arch'}
    w_lr = runner.optim_wrapper['weight'].param_groups[0]['lr']
    a_lr = runner.optim_wrapper['arch'].param_groups[0]['lr']
    assert w_lr < 0.01 * 0.2  # cosine decayed
    assert a_lr == pytest.approx(0.02)  # untouched


def test_reinforce_hook_finds_the_rewarding_vector(tmp_path):
    hook = dict(
        type='ReinforceControllerHook',
        reward=dict(type='CallableReward',
                    fn='toy_search:decision_reward'),
        controller=dict(hidden_size=32),
        optimizer=dict(type='Adam', lr=0.05),
        start_epoch=0,
        updates_per_epoch=10,
        samples_per_update=8,
        entropy_weight=1e-3,
        derive_samples=8)
    cfg = toy_cfg(str(tmp_path), 'joint', hooks=[hook], max_epochs=8,
                  choices=[3, 2, 4, 2])
    runner = _run(cfg)
    h = [h for h in runner.hooks
         if type(h).__name__ == 'ReinforceControllerHook'][0]
    assert h.controller.greedy() == TARGET_DECISIONS
    assert h.best['decisions'] == TARGET_DECISIONS
    assert h.history[-1]['reward_mean'] > h.history[0]['reward_mean']
    # weight training ran with controller-sampled vectors
    assert len(runner.model.seen_decisions) == 8 * 4
    assert all(len(d) == 4 for d in runner.model.seen_decisions)
