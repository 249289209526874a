# Copyright (c) pose_nas contributors. All rights reserved.
"""What a model expects of each genotype component.

A searchable module returns ``{component name: spec}`` from
:meth:`SearchableMixin.genotype_spec`, each spec built by one of the
helpers below; :func:`~.genotype.validate_genotype` checks a genotype
against it.
"""
from typing import Any, Dict, Optional, Sequence

from .genotype import column_names
from .ops import canonical_op_name


def cell_spec(num_inputs: int, num_nodes: int, candidates: Sequence[str],
              max_edges: Optional[int] = None) -> Dict[str, Any]:
    """What a ``cell`` component must look like for a model."""
    return dict(
        type='cell',
        num_inputs=num_inputs,
        num_nodes=num_nodes,
        candidates=[canonical_op_name(c) for c in candidates],
        max_edges=max_edges)


def chain_spec(length: int,
               candidates: Sequence[str],
               forbidden: Optional[Dict[int, Sequence[str]]] = None
               ) -> Dict[str, Any]:
    """What a ``chain`` component must look like (``forbidden``: position ->
    ops not allowed there, e.g. skip in stride-2 blocks)."""
    return dict(
        type='chain',
        length=length,
        candidates=[canonical_op_name(c) for c in candidates],
        forbidden={
            int(k): [canonical_op_name(o) for o in v]
            for k, v in (forbidden or {}).items()
        })


def continuous_spec(shape: Sequence[int],
                    candidates: Sequence[str],
                    op_names: bool = True) -> Dict[str, Any]:
    """What a ``continuous`` component must look like; with
    ``op_names=False`` the columns are free labels (e.g. PNFS's beta over
    the input sources ``same / finer / coarser``), not candidate ops."""
    spec = dict(
        type='continuous',
        shape=list(shape),
        candidates=column_names(candidates, op_names))
    if not op_names:
        spec['op_names'] = False
    return spec


def decisions_spec(choices: Sequence[int]) -> Dict[str, Any]:
    """What a ``decisions`` component must look like (``choices[i]``: number
    of options of decision ``i``)."""
    return dict(type='decisions', choices=[int(c) for c in choices])


__all__ = ['cell_spec', 'chain_spec', 'continuous_spec', 'decisions_spec']
