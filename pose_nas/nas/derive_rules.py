# Copyright (c) pose_nas contributors. All rights reserved.
"""Rules that turn architecture parameters into genotype components.

* :func:`derive_cell`: the discretisation rule of "DARTS: Differentiable
  Architecture Search" (Liu et al., ICLR 2019), Sec. 2.4.
* :func:`derive_chain`: the argmax op of every position of a chain.
* :func:`derive_continuous`: the continuous mixture itself, kept as "Pose
  Neural Fabrics Search" (Yang et al.) keeps its fabrics.
* :func:`derive_decisions`: a vector of discrete decisions, e.g. chosen by
  a controller.

Every rule refuses logits with NaN / Inf values (a diverged search) with a
:class:`~.genotype.GenotypeError` naming the parameter (``name``) and the
first bad row, rather than deriving an arbitrary architecture from them.
"""
import math
import numbers
from typing import Any, Dict, Optional, Sequence

import torch

from pose_nas.utils.checks import check_int
from .genotype import GenotypeError, column_names
from .genotype_syntax import check_component_syntax
from .ops import canonical_op_name


def check_finite_logits(alpha: torch.Tensor,
                        name: str = 'architecture logits') -> None:
    """Raise a :class:`GenotypeError` naming ``name`` and the first row of
    ``alpha`` with a NaN / Inf value."""
    finite = torch.isfinite(alpha.detach())
    if bool(finite.all()):
        return
    bad = (~finite).reshape(-1, alpha.shape[-1]).any(-1).nonzero()
    row = int(bad[0]) if alpha.dim() > 1 else 0
    raise GenotypeError(f'{name}: NaN/Inf values in row {row} (the search '
                        'diverged?); refusing to derive')


def derive_cell(alpha: torch.Tensor,
                candidates: Sequence[str],
                num_inputs: int,
                num_nodes: int,
                k: int = 2,
                exclude: Sequence[str] = ('none', ),
                name: str = 'architecture logits') -> Dict[str, Any]:
    """Discretise a cell as DARTS does (Liu et al., ICLR 2019, Sec. 2.4).

    Per node, keep the ``k`` incoming edges whose strongest non-excluded op
    has the highest softmax weight; each kept edge gets that argmax op.

    Args:
        alpha (Tensor): ``(num_edges, num_ops)`` logits; edge order is node 0's
            sources 0..num_inputs-1, then node 1's 0..num_inputs, ...
        candidates: op names of the columns.
        name (str): the parameter's name in error messages.

    Returns:
        dict: a ``cell`` component (``concat`` = every node).
    """
    cands = [canonical_op_name(c) for c in candidates]
    k = check_int(k, 'k', 1)
    num_edges = sum(num_inputs + j for j in range(num_nodes))
    if tuple(alpha.shape) != (num_edges, len(cands)):
        raise GenotypeError(f'alpha of shape {tuple(alpha.shape)} does not fit '
                            f'{num_nodes} nodes x {len(cands)} ops '
                            f'({num_edges} edges)')
    check_finite_logits(alpha, name)
    probs = torch.softmax(alpha.detach().float(), dim=-1)
    allowed = [i for i, c in enumerate(cands) if c not in exclude]
    if not allowed:
        raise GenotypeError('every candidate is excluded from derivation')
    nodes, start = [], 0
    for j in range(num_nodes):
        n_src = num_inputs + j
        rows = probs[start:start + n_src][:, allowed]
        best_w, best_i = rows.max(dim=1)
        order = torch.argsort(best_w, descending=True, stable=True)[:k]
        edges = [[cands[allowed[int(best_i[s])]], int(s)]
                 for s in sorted(order.tolist())]
        nodes.append(edges)
        start += n_src
    return dict(
        type='cell',
        num_inputs=num_inputs,
        nodes=nodes,
        concat=list(range(num_inputs, num_inputs + num_nodes)))


def derive_chain(alpha: torch.Tensor,
                 candidates: Sequence[str],
                 forbidden: Optional[Dict[int, Sequence[str]]] = None,
                 name: str = 'architecture logits') -> Dict[str, Any]:
    """Argmax op per position of ``alpha`` ``(length, num_ops)``, skipping
    ops forbidden at a position (``name``: the parameter, for errors)."""
    cands = [canonical_op_name(c) for c in candidates]
    check_finite_logits(alpha, name)
    probs = torch.softmax(alpha.detach().float(), dim=-1)
    ops = []
    for i, row in enumerate(probs):
        row = row.clone()
        for op in (forbidden or {}).get(i, []):
            row[cands.index(canonical_op_name(op))] = -1
        ops.append(cands[int(row.argmax())])
    return dict(type='chain', ops=ops)


def derive_continuous(alpha: torch.Tensor,
                      candidates: Sequence[str],
                      prune_below: float = 0.0,
                      op_names: bool = True,
                      name: str = 'architecture logits') -> Dict[str, Any]:
    """Keep the continuous mixture ``softmax(alpha)``, as Pose Neural Fabrics
    Search (Yang et al.) keeps its fabrics. Weights at or below
    ``prune_below`` (a finite number ``>= 0``) are set to exactly zero (the
    op is then not run); rows are not renormalised, so the kept net computes
    what the supernet computed up to the pruned mass. A ``prune_below``
    that would zero a whole row is refused (a row that keeps nothing is not
    a mixture; to prune an edge, its weight goes to the ``none`` op).
    ``op_names=False``: the columns are free labels (see
    :func:`~.genotype_specs.continuous_spec`). ``name``: the parameter, for
    errors."""
    if isinstance(prune_below, bool) or not isinstance(
            prune_below, numbers.Real) or not math.isfinite(prune_below) \
            or prune_below < 0:
        raise ValueError(f'prune_below must be a finite number >= 0, got '
                         f'{prune_below!r}')
    check_finite_logits(alpha, name)
    probs = torch.softmax(alpha.detach().double(), dim=-1)
    if prune_below > 0:
        probs = torch.where(probs <= prune_below, torch.zeros_like(probs),
                            probs)
        empty = (probs.reshape(-1, probs.shape[-1]) == 0).all(-1).nonzero()
        if len(empty):
            row = int(empty[0])
            top = float(torch.softmax(alpha.detach().double(), -1).reshape(
                -1, probs.shape[-1])[row].max())
            raise GenotypeError(
                f'prune_below={prune_below} removes every weight of row '
                f'{row} of {name} (its largest is {top:.3g}); use a smaller '
                'prune_below')
    comp = dict(
        type='continuous',
        candidates=column_names(candidates, op_names),
        weights=probs.tolist())
    if not op_names:
        comp['op_names'] = False
    return comp


def derive_decisions(values: Sequence[int],
                     choices: Sequence[int]) -> Dict[str, Any]:
    """A ``decisions`` component (controller or best-of-K result); the
    values and choices must be integers (checked, not rounded)."""
    if isinstance(values, torch.Tensor):
        values = values.tolist()
    comp = dict(type='decisions', choices=list(choices), values=list(values))
    check_component_syntax('decisions', comp)
    comp['choices'] = [int(c) for c in comp['choices']]
    comp['values'] = [int(v) for v in comp['values']]
    return comp


__all__ = [
    'check_finite_logits', 'derive_cell', 'derive_chain', 'derive_continuous',
    'derive_decisions'
]
