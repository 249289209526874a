# Copyright (c) pose_nas contributors. All rights reserved.
"""Differentiable compute cost of a search space (budget-aware search).

A searchable module that supports budgets implements ``cost_table(input_size)``
returning the FLOPs of its fixed parts and, per searchable position, the
FLOPs of every candidate there (a lookup table measured once with MMEngine's
counter, the project's one FLOPs counter). The expected cost under the
architecture distribution is then ``fixed + sum_i softmax(alpha_i) . F_i``,
differentiable in ``alpha``; :class:`BudgetPenalty` turns it into an arch-loss
term that pulls the expected cost to a target.
"""
import logging
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

_FLOPS_CACHE: Dict[tuple, float] = {}


def count_flops(module: nn.Module, inputs: Tuple[torch.Tensor, ...]) -> float:
    """Multiply-adds of ``module(*inputs)`` by MMEngine's ``FlopAnalyzer``."""
    was_training = module.training
    module.eval()
    try:
        analyzer = FlopAnalyzer(module, inputs)
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        logging.getLogger('mmengine').disabled = True
        total = float(analyzer.total())
    finally:
        logging.getLogger('mmengine').disabled = False
        module.train(was_training)
    return total


def op_flops(name: str, c_in: int, c_out: int, stride: int, height: int,
             width: int) -> float:
    """FLOPs of candidate op ``name`` on a ``(1, c_in, height, width)`` input
    (cached per shape)."""
    from .ops import build_op, canonical_op_name
    key = (canonical_op_name(name), c_in, c_out, stride, height, width)
    if key not in _FLOPS_CACHE:
        op = build_op(name, c_in, c_out, stride)
        _FLOPS_CACHE[key] = count_flops(
            op, (torch.zeros(1, c_in, height, width), ))
    return _FLOPS_CACHE[key]


def expected_cost(logits: Sequence[torch.Tensor],
                  tables: Sequence[torch.Tensor],
                  fixed: float = 0.0,
                  hard: bool = False) -> torch.Tensor:
    """``fixed + sum_i softmax(logits_i) . tables_i`` (differentiable).

    With ``hard=True`` the weights are the straight-through one-hot argmax
    (value: the cost of the net that would be derived now; gradient: the
    softmax's), so a budget acts on the derived architecture rather than on
    the mixture, whose expected cost can be far from its argmax's.
    """
    if len(logits) != len(tables):
        raise ValueError(f'{len(logits)} logit vectors for {len(tables)} '
                         'cost tables')
    total = torch.zeros((), dtype=torch.float64)
    for a, t in zip(logits, tables):
        if a.shape[-1] != t.shape[-1]:
            raise ValueError(f'logits with {a.shape[-1]} candidates, cost '
                             f'table with {t.shape[-1]}')
        p = torch.softmax(a.double(), -1)
        if hard:
            onehot = torch.zeros_like(p)
            onehot[p.argmax()] = 1.0
            p = onehot - p.detach() + p
        total = total + (p * t.double()).sum()
    return total + fixed


class BudgetPenalty:
    """``weight * log(E[cost] / target)^2``: pulls the expected cost of the
    architecture distribution to ``target`` from both sides.

    Args:
        target (float): the budget (e.g. FLOPs: ``0.6e9``).
        weight (float): penalty weight.
    """

    def __init__(self, target: float, weight: float = 1.0) -> None:
        if target <= 0:
            raise ValueError(f'budget target must be > 0, got {target}')
        self.target = float(target)
        self.weight = float(weight)

    def __call__(self, cost: torch.Tensor) -> torch.Tensor:
        return self.weight * torch.log(cost / self.target)**2


def project_to_budget(logits: Sequence[torch.Tensor],
                      tables: Sequence[torch.Tensor],
                      fixed: float,
                      target: float,
                      tolerance: float = 0.05) -> Sequence[int]:
    """Choose one candidate per position near ``target`` total cost.

    Starts from the argmax of every ``softmax(logits_i)`` and, while the
    total cost is more than ``tolerance`` away from ``target``, makes the
    single change that moves the cost toward the target at the smallest
    loss of log-probability per unit of cost, as long as the change brings
    the cost closer to the target. This is the budget-aware derive rule:
    with a well-trained distribution it keeps the argmax where the budget
    allows it.

    Returns:
        list[int]: the chosen candidate index per position.
    """
    logp = [torch.log_softmax(a.detach().double(), -1) for a in logits]
    tabs = [t.double() for t in tables]
    choice = [int(lp.argmax()) for lp in logp]

    def total() -> float:
        return fixed + sum(float(t[c]) for t, c in zip(tabs, choice))

    cost = total()
    for _ in range(10 * sum(len(t) for t in tabs)):
        gap = cost - target
        if abs(gap) <= tolerance * target:
            break
        best = None
        for i, (lp, t) in enumerate(zip(logp, tabs)):
            cur = choice[i]
            for j in range(len(t)):
                delta = float(t[j] - t[cur])
                if delta == 0 or (delta > 0) == (gap > 0):
                    continue  # must move toward the target
                new_gap = gap + delta
                if abs(new_gap) >= abs(gap):
                    continue
                score = float(lp[cur] - lp[j]) / abs(delta)
                if best is None or score < best[0]:
                    best = (score, i, j)
        if best is None:
            break
        _, i, j = best
        choice[i] = j
        cost = total()
    return choice
