# Copyright (c) pose_nas contributors. All rights reserved.
"""Differentiable compute cost of a search space (budget-aware search).

The cost is FLOPs (below) or, with ``metric='latency'``, milliseconds on a
target runtime from a measured lookup table
(:mod:`pose_nas.nas.latency_table`); the penalty and projection are the
same.

A searchable module that supports budgets implements ``cost_table(input_size)``
(declared on :class:`~pose_nas.nas.arch.SearchableMixin`)
returning the FLOPs of its fixed parts and, per searchable position, the
FLOPs of every candidate there (a lookup table measured once with MMEngine's
counter, the project's one FLOPs counter). The expected cost under the
architecture distribution is then ``fixed + sum_i softmax(alpha_i) . F_i``,
differentiable in ``alpha``; :class:`BudgetPenalty` turns it into an arch-loss
term that pulls the expected cost to a target.
"""
import logging
import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

from .arch import find_searchable

_FLOPS_CACHE: Dict[tuple, float] = {}


def count_flops(module: nn.Module, inputs: Tuple[torch.Tensor, ...]) -> float:
    """Multiply-adds of ``module(*inputs)`` by MMEngine's ``FlopAnalyzer``.

    Tensor inputs are moved to the module's device and floating dtype (a
    model on a GPU or in float64 is counted as it is)."""
    ref = next(iter(module.parameters()), None)
    if ref is not None:
        inputs = tuple(
            x.to(device=ref.device, dtype=ref.dtype)
            if torch.is_tensor(x) and x.is_floating_point() else x
            for x in inputs)
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

    The result has the logits' device and dtype (tables are moved there).
    """
    if len(logits) != len(tables):
        raise ValueError(f'{len(logits)} logit vectors for {len(tables)} '
                         'cost tables')
    total = None
    for a, t in zip(logits, tables):
        if a.shape[-1] != t.shape[-1]:
            raise ValueError(f'logits with {a.shape[-1]} candidates, cost '
                             f'table with {t.shape[-1]}')
        p = torch.softmax(a, -1)
        if hard:
            onehot = torch.zeros_like(p)
            onehot[p.argmax()] = 1.0
            p = onehot - p.detach() + p
        term = (p * t.to(device=p.device, dtype=p.dtype)).sum()
        total = term if total is None else total + term
    if total is None:
        return torch.tensor(float(fixed))
    return total + fixed


class BudgetPenalty:
    """``weight * log(E[cost] / target)^2``: pulls the expected cost of the
    architecture distribution to ``target`` from both sides.

    Args:
        target (float): the budget (e.g. FLOPs: ``0.6e9``).
        weight (float): penalty weight.
    """

    def __init__(self, target: float, weight: float = 1.0) -> None:
        if not target > 0 or not math.isfinite(target):  # NaN too
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

    Raises:
        ValueError: NaN / Inf logits (a diverged search) or a target that
            is not a finite number > 0.
    """
    if not target > 0 or not math.isfinite(target):
        raise ValueError(f'budget target must be a finite number > 0, got '
                         f'{target}')
    for i, a in enumerate(logits):
        if not bool(torch.isfinite(a.detach()).all()):
            raise ValueError(
                f'architecture logits of position {i} have NaN/Inf values '
                '(the search diverged?); refusing to project onto a budget')
    logp = [torch.log_softmax(a.detach().cpu().double(), -1) for a in logits]
    tabs = [t.detach().cpu().double() for t in tables]
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


class ArchBudget:
    """Expected cost (FLOPs, or latency on a target runtime) of a model's
    budget module under the current architecture distribution, the budget
    penalty and the projection.

    The module is the searchable module that implements ``cost_table``
    (FLOPs) or ``latency_items`` (latency; see
    :class:`~pose_nas.nas.arch.SearchableMixin`). When it is the model's
    backbone, the cost of the neck and head on its output is added to the
    fixed cost, so the budget is for the whole model. The cost tables are
    kept on the device and in the dtype of the architecture logits, and the
    dummy inputs follow the model's.

    Args:
        model (nn.Module): the (unwrapped) model.
        target (float): budget of the whole model: FLOPs (``metric='flops'``)
            or milliseconds (``metric='latency'``).
        input_size (tuple): ``(width, height)`` of the budget.
        weight (float): penalty weight.
        metric (str): ``'flops'`` (MMEngine's counter, the default) or
            ``'latency'`` (a measured lookup table, ``latency_table``).
        latency_table (str, optional): path of a table written by
            ``tools/build_latency_table.py``
            (:class:`~pose_nas.nas.latency_table.LatencyTable`); its input
            size must be ``input_size``.
        runtime (str, optional): the runtime the latency target is for;
            checked against the table's.
        tolerance (float): relative tolerance of :meth:`project`.
    """

    METRICS = ('flops', 'latency')

    def __init__(self, model: nn.Module, target: float,
                 input_size: Tuple[int, int] = (192, 256),
                 weight: float = 1.0,
                 metric: str = 'flops',
                 latency_table: Optional[str] = None,
                 runtime: Optional[str] = None,
                 tolerance: float = 0.05) -> None:
        if metric not in self.METRICS:
            raise ValueError(f'budget metric must be one of {self.METRICS}, '
                             f'got {metric!r}')
        if (metric == 'latency') != (latency_table is not None):
            raise ValueError(
                'a latency budget needs budget.latency_table (a file of '
                'tools/build_latency_table.py), and only a latency budget '
                f'takes one (metric={metric!r}, latency_table='
                f'{latency_table!r})')
        self.metric = metric
        self.unit = 'ms' if metric == 'latency' else 'FLOPs'
        self.tolerance = float(tolerance)
        self.target = float(target)
        self.penalty_fn = BudgetPenalty(target, weight)
        if metric == 'latency':
            from .latency_table import (LatencyTable, budget_module,
                                        latency_cost_tables)
            self.module = budget_module(model)
            table = LatencyTable.load(latency_table)
            table.check_matches(runtime, input_size)
            self.latency_table = table
            fixed, tables = latency_cost_tables(model, table,
                                                tuple(input_size))
        else:
            self.module = self._flops_module(model)
            fixed, tables = self.module.cost_table(tuple(input_size))
            head = getattr(model, 'head', None)
            if head is not None and self.module is getattr(
                    model, 'backbone', None):
                fixed += self._neck_head_flops(model, head, input_size)
        self.fixed = float(fixed)
        logits = self.module.cost_logits()
        self.tables: List[torch.Tensor] = [
            t.detach().to(device=a.device, dtype=a.dtype)
            for t, a in zip(tables, logits)
        ]
        self.min_cost = self.fixed + sum(float(t.min()) for t in tables)
        self.max_cost = self.fixed + sum(float(t.max()) for t in tables)

    @classmethod
    def from_config(cls, model: nn.Module, budget: dict) -> 'ArchBudget':
        """Build from a config's ``budget`` dict (``target`` and the
        keyword arguments above)."""
        budget = dict(budget)
        if 'target' not in budget:
            raise KeyError(f'budget {budget} has no target')
        target = float(budget.pop('target'))
        if 'input_size' in budget:
            budget['input_size'] = tuple(budget['input_size'])
        return cls(model, target, **budget)

    @staticmethod
    def _flops_module(model: nn.Module) -> nn.Module:
        modules = [m for m in find_searchable(model).values()
                   if m.supports_budget]
        if not modules:
            raise RuntimeError(
                'budget-aware search needs a searchable module with a cost '
                f'table (e.g. EfficientPoseBackbone); {type(model).__name__} '
                'has none')
        return modules[0]

    def describe(self) -> str:
        """One line: target, fixed part and range, in the budget's unit."""
        return (f'{self.metric} budget: target {self.target:.4g} {self.unit}'
                f', fixed {self.fixed:.4g}, range [{self.min_cost:.4g}, '
                f'{self.max_cost:.4g}]')

    def _neck_head_flops(self, model: nn.Module, head: nn.Module,
                         input_size: Tuple[int, int]) -> float:
        ref = next(self.module.parameters())
        w, h = input_size
        was = self.module.training
        self.module.eval()
        with torch.no_grad():
            feats = self.module(
                torch.zeros(1, 3, h, w, device=ref.device, dtype=ref.dtype))
        self.module.train(was)
        flops = 0.0
        neck = getattr(model, 'neck', None)
        if neck is not None:
            flops += count_flops(neck, (feats, ))
            with torch.no_grad():
                feats = neck(feats)
        return flops + count_flops(_HeadForward(head), (feats, ))

    def expected(self) -> torch.Tensor:
        """``E[FLOPs]`` under the softmax of the logits (differentiable)."""
        return expected_cost(self.module.cost_logits(), self.tables,
                             self.fixed)

    def penalty(self) -> torch.Tensor:
        """Penalty on the expected (soft) cost plus on the cost of the net
        derived now (straight-through argmax)."""
        hard = expected_cost(self.module.cost_logits(), self.tables,
                             self.fixed, hard=True)
        return self.penalty_fn(self.expected()) + self.penalty_fn(hard)

    def project(self, tolerance: Optional[float] = None) -> List[int]:
        """Budget-aware derivation: candidate index per position (within
        ``tolerance``, default the budget's, of the target)."""
        if tolerance is None:
            tolerance = self.tolerance
        return list(
            project_to_budget(self.module.cost_logits(), self.tables,
                              self.fixed, self.target, tolerance))

    def cost_of(self, choices: Sequence[int]) -> float:
        """The cost of the net with candidate ``choices[i]`` at position
        ``i`` (predicted from the tables)."""
        return self.fixed + sum(
            float(t[int(c)]) for t, c in zip(self.tables, choices))


class _HeadForward(nn.Module):
    """Wrap a pose head so the FLOPs counter calls ``head.forward``."""

    def __init__(self, head: nn.Module) -> None:
        super().__init__()
        self.head = head

    def forward(self, feats):
        return self.head.forward(feats)
