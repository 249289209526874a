# Copyright (c) pose_nas contributors. All rights reserved.
"""Architecture gradients of DARTS (Liu et al., "DARTS: Differentiable
Architecture Search", ICLR 2019): first order (Sec. 2.3, xi = 0) and second
order (Eq. 7-8: one virtual weight step, finite-difference Hessian-vector
product).

The virtual step of the second-order gradient is the step the configured
weight optimizer would take: :func:`sgd_virtual_step` reads it from a
``torch.optim.SGD`` (per-parameter lr, weight decay, momentum buffer).
"""
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from ..utils import all_reduce_mean_

LossFn = Callable[[nn.Module, Any], torch.Tensor]
PerWeight = Union[float, Sequence[float]]


def _grads(loss: torch.Tensor,
           params: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    grads = torch.autograd.grad(loss, list(params), allow_unused=True)
    return [
        torch.zeros_like(p) if g is None else g
        for p, g in zip(params, grads)
    ]


def first_order_arch_grads(model: nn.Module, loss_fn: LossFn, val_batch: Any,
                           arch: Sequence[nn.Parameter]
                           ) -> Tuple[torch.Tensor, List[torch.Tensor]]:
    """``d L_val(w, alpha) / d alpha`` averaged over ranks.

    Only the architecture parameters are differentiated
    (``torch.autograd.grad`` with ``inputs=arch``): the weights' ``.grad``
    is not touched, so nothing of the arch step can leak into the next
    weight update.
    """
    loss = loss_fn(model, val_batch)
    grads = _grads(loss, arch)
    all_reduce_mean_(grads)
    return loss.detach(), grads


def sgd_virtual_step(optimizer: torch.optim.Optimizer,
                     weights: Sequence[nn.Parameter],
                     unroll_lr: Optional[float] = None,
                     unroll_weight_decay: Optional[float] = None) -> dict:
    """The per-weight terms of the step ``optimizer`` (a plain
    ``torch.optim.SGD``) would take next: ``w' = w - lr * (momentum * buf +
    grad + wd * w)``, the step of torch's SGD with ``dampening=0``,
    ``nesterov=False``, and of DARTS's reference code.

    Args:
        optimizer: the weight optimizer (unwrapped).
        weights: the weights to unroll, each in one of its param groups.
        unroll_lr / unroll_weight_decay: override the groups' lr / weight
            decay (DARTS's ``xi``), the momentum buffers are still used.

    Returns:
        dict: keyword arguments ``unroll_lr``, ``weight_decay``,
        ``momentum_terms`` for :func:`unrolled_arch_grads`.

    Raises:
        TypeError: ``optimizer`` is not SGD (Adam & co. are not unrolled
            here: their step is not linear in the gradient).
        ValueError: SGD with nesterov or dampening, or a weight that no
            param group holds.
    """
    if not isinstance(optimizer, torch.optim.SGD):
        raise TypeError(
            'second-order DARTS unrolls a virtual SGD step (Liu et al. 2019, '
            f'Eq. 7) but the weight optimizer is {type(optimizer).__name__}: '
            "use optim_wrapper.optimizer.type='SGD', or first-order DARTS "
            "(strategy='darts1') with it")
    group_of = {}
    for group in optimizer.param_groups:
        if group.get('nesterov') or group.get('dampening', 0) != 0:
            raise ValueError(
                'second-order DARTS unrolls SGD without nesterov or '
                f"dampening; got nesterov={group.get('nesterov')}, "
                f"dampening={group.get('dampening')}")
        for p in group['params']:
            group_of[id(p)] = group
    lrs, wds, terms = [], [], []
    for w in weights:
        group = group_of.get(id(w))
        if group is None:
            raise ValueError('second-order DARTS: a weight of the model is '
                             'in no param group of the weight optimizer')
        lrs.append(group['lr'] if unroll_lr is None else unroll_lr)
        wds.append(group.get('weight_decay', 0.0)
                   if unroll_weight_decay is None else unroll_weight_decay)
        buf = optimizer.state.get(w, {}).get('momentum_buffer')
        momentum = group.get('momentum', 0.0)
        terms.append(None if buf is None or momentum == 0 else
                     momentum * buf.detach())
    return dict(unroll_lr=lrs, weight_decay=wds, momentum_terms=terms)


def unrolled_arch_grads(model: nn.Module,
                        loss_fn: LossFn,
                        train_batch: Any,
                        val_batch: Any,
                        arch: Sequence[nn.Parameter],
                        weights: Sequence[nn.Parameter],
                        unroll_lr: PerWeight,
                        weight_decay: PerWeight = 0.0,
                        fd_eps: float = 0.01,
                        val_loss_fn: Optional[LossFn] = None,
                        momentum_terms: Optional[Sequence[
                            Optional[torch.Tensor]]] = None
                        ) -> Tuple[torch.Tensor, List[torch.Tensor]]:
    """Second-order DARTS hypergradient.

    With the virtual step ``w' = w - xi * (m + grad_w L_train(w, a) + wd *
    w)`` (``m`` the momentum term, ``xi`` and ``wd`` per weight)::

        dL_val(w', a)/da = grad_a L_val(w', a)
            - [grad_a L_train(w+, a) - grad_a L_train(w-, a)] / (2 eps)

    where ``v = xi * grad_w' L_val(w', a)``, ``w+- = w +- eps * v`` and
    ``eps = fd_eps / ||v||`` (finite-difference Hessian-vector product,
    Liu et al. 2019; with one ``xi`` this is their Eq. 8). ``val_loss_fn``
    (default ``loss_fn``) may add arch-only terms such as a compute
    budget. The weights are restored exactly afterwards and their
    ``.grad`` is left untouched. Under DDP the train gradient, the
    direction and the result are averaged over ranks, so every rank
    computes the same hypergradient.

    Returns:
        tuple: ``(L_val(w', a) detached, grads for arch)``.
    """
    keep = [i for i, w in enumerate(weights) if w.requires_grad]
    weights = [weights[i] for i in keep]
    lrs = _pick(unroll_lr, keep, 'unroll_lr')
    wds = _pick(weight_decay, keep, 'weight_decay')
    terms = ([momentum_terms[i] for i in keep]
             if momentum_terms is not None else [None] * len(keep))
    backup = [w.detach().clone() for w in weights]
    g_train = _grads(loss_fn(model, train_batch), weights)
    all_reduce_mean_(g_train)
    try:
        with torch.no_grad():
            for w, g, lr, wd, m in zip(weights, g_train, lrs, wds, terms):
                step = g + wd * w
                if m is not None:
                    step = step + m
                w.sub_(lr * step)
        val_loss = (val_loss_fn or loss_fn)(model, val_batch)
        grads = _grads(val_loss, list(arch) + list(weights))
        d_arch, d_w = grads[:len(arch)], grads[len(arch):]
        all_reduce_mean_(d_w)
        direction = [lr * d for lr, d in zip(lrs, d_w)]
        norm = torch.sqrt(sum((v.double()**2).sum() for v in direction))
        eps = fd_eps / (float(norm) + 1e-12)

        def arch_grad_at(sign: float) -> List[torch.Tensor]:
            with torch.no_grad():
                for w, b, v in zip(weights, backup, direction):
                    w.copy_(b + sign * eps * v)
            return _grads(loss_fn(model, train_batch), arch)

        g_pos = arch_grad_at(1.0)
        g_neg = arch_grad_at(-1.0)
        hyper = [
            da - (gp - gn) / (2 * eps)
            for da, gp, gn in zip(d_arch, g_pos, g_neg)
        ]
        all_reduce_mean_(hyper)
    finally:
        with torch.no_grad():
            for w, b in zip(weights, backup):
                w.copy_(b)
    return val_loss.detach(), hyper


def _pick(value: PerWeight, keep: List[int], what: str) -> List[float]:
    if isinstance(value, (int, float)):
        return [float(value)] * len(keep)
    value = list(value)
    if len(value) <= max(keep, default=-1):
        raise ValueError(f'{what}: {len(value)} values for more weights')
    return [float(value[i]) for i in keep]
