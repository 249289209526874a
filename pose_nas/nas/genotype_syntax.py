# Copyright (c) pose_nas contributors. All rights reserved.
"""The syntax of genotype components, checked where a genotype is read.

Every number of a component is checked, with an error naming the
component, the row and the column: ``cell`` and ``decisions`` components
hold integers (Python or numpy ints; bool, float - even ``1.0`` - and str
are refused), ``continuous`` components hold finite numbers ``>= 0`` (no
NaN / Inf, no bool, str or None) in regular rows. Whether a component fits a
model is :func:`~.genotype.validate_genotype`'s job.
"""
import math
from typing import Any, List, Optional, Sequence

import numpy as np
import torch

from .ops import canonical_op_name


#: The types of genotype components.
COMPONENT_TYPES = ('cell', 'chain', 'continuous', 'decisions')


class GenotypeError(ValueError):
    """A genotype is malformed or does not fit the model it is given to."""


def check_component_syntax(name: str, comp: Any) -> None:
    """Check one component's own syntax: keys, op names, and every number
    (typed, finite, in range), naming the component, row and column."""
    where = f'genotype component {name!r}'
    if not isinstance(comp, dict) or 'type' not in comp:
        raise GenotypeError(f'{where} must be a mapping with a "type"')
    kind = comp['type']
    if kind not in COMPONENT_TYPES:
        raise GenotypeError(f'{where} has unknown type {kind!r}; valid: '
                            f'{COMPONENT_TYPES}')
    try:
        if kind == 'cell':
            num_inputs = _int(where, 'num_inputs', comp['num_inputs'], 1)
            for j, node in enumerate(comp['nodes']):
                if not node:
                    raise GenotypeError(f'{where}: node {j} has no edges')
                for edge in node:
                    op, src = edge
                    _op(where, f'node {j}', op)
                    src = _int(where, f'node {j}: source', src)
                    if not 0 <= src < num_inputs + j:
                        raise GenotypeError(
                            f'{where}: node {j} takes state {src}, but only '
                            f'states 0..{num_inputs + j - 1} exist before it')
            for c in comp.get('concat', []):
                c = _int(where, 'concat index', c)
                if not 0 <= c < num_inputs + len(comp['nodes']):
                    raise GenotypeError(f'{where}: concat index {c} out of '
                                        'range')
        elif kind == 'chain':
            for i, op in enumerate(comp['ops']):
                _op(where, f'op {i}', op)
        elif kind == 'continuous':
            cands = column_names(comp['candidates'],
                                 comp.get('op_names', True), where)
            shape = weights_shape(comp['weights'], where)
            if shape[-1] != len(cands):
                raise GenotypeError(
                    f'{where}: weights have {shape[-1]} columns for '
                    f'{len(cands)} candidates')
        elif kind == 'decisions':
            choices, values = comp['choices'], comp['values']
            if len(choices) != len(values):
                raise GenotypeError(f'{where}: {len(values)} values for '
                                    f'{len(choices)} decisions')
            for i, (n, v) in enumerate(zip(choices, values)):
                n = _int(where, f'choices[{i}]', n, 1)
                v = _int(where, f'decision {i}', v)
                if not 0 <= v < n:
                    raise GenotypeError(f'{where}: decision {i} = {v} is '
                                        f'out of range [0, {n})')
    except KeyError as e:
        if 'candidate op' in str(e):
            raise GenotypeError(f'{where}: {e.args[0]}') from None
        raise GenotypeError(f'{where} of type {kind!r} lacks key {e}') \
            from None
    except (TypeError, ValueError) as e:
        if isinstance(e, GenotypeError):
            raise
        raise GenotypeError(f'{where} is malformed: {e}') from None


def _int(where: str, what: str, value: Any,
         minimum: Optional[int] = None) -> int:
    """``value`` as an int: Python / numpy integers only (no bool, no float,
    not even ``1.0``, no str)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, np.integer)):
        raise GenotypeError(f'{where}: {what} must be an integer, got '
                            f'{value!r} ({type(value).__name__})')
    if minimum is not None and value < minimum:
        raise GenotypeError(f'{where}: {what} must be >= {minimum}, got '
                            f'{value}')
    return int(value)


def _op(where: str, what: str, op: Any) -> str:
    if not isinstance(op, str):
        raise GenotypeError(f'{where}: {what} must be an op name, got '
                            f'{op!r} ({type(op).__name__})')
    return canonical_op_name(op)


def _position(index: Sequence[int]) -> str:
    if len(index) == 2:
        return f'row {index[0]}, column {index[1]}'
    if len(index) == 1:
        return f'column {index[0]}'
    return 'index ' + ''.join(f'[{i}]' for i in index)


def _row(index: Sequence[int]) -> str:
    if len(index) == 1:
        return f'row {index[0]}'
    return 'index ' + ''.join(f'[{i}]' for i in index)


def weights_shape(weights: Any,
                  where: str = 'continuous component') -> List[int]:
    """Check the weights of a ``continuous`` component and return their
    shape.

    Every weight must be a real number (int or float, not bool, str or
    None), finite (no NaN / Inf) and ``>= 0``; the nesting must be regular
    (every row of the same length) with at least one dimension.

    Args:
        weights: Nested lists (or an array / tensor) of weights.
        where (str): What to name in error messages.

    Returns:
        list[int]: The shape, e.g. ``[num_rows, num_columns]``.

    Raises:
        GenotypeError: Naming the row and column of the first bad weight.
    """
    if isinstance(weights, (np.ndarray, torch.Tensor)):
        weights = weights.tolist()
    if not isinstance(weights, (list, tuple)):
        raise GenotypeError(f'{where}: weights must be a list of rows, got '
                            f'{type(weights).__name__}')

    def walk(obj: Any, index: tuple) -> List[int]:
        if isinstance(obj, (list, tuple)):
            shapes = [walk(v, index + (i, )) for i, v in enumerate(obj)]
            for i, s in enumerate(shapes[1:], 1):
                if s != shapes[0]:
                    raise GenotypeError(
                        f'{where}: irregular weights: {_row(index + (i, ))} '
                        f'has shape {s}, {_row(index + (0, ))} '
                        f'{shapes[0]}')
            return [len(obj)] + (shapes[0] if shapes else [])
        if not index:
            raise GenotypeError(f'{where}: weights must be a list of rows')
        at = f'{where}: the weight at {_position(index)}'
        if isinstance(obj, (bool, np.bool_)) or not isinstance(
                obj, (int, float, np.integer, np.floating)):
            raise GenotypeError(f'{at} must be a number, got {obj!r} '
                                f'({type(obj).__name__})')
        if not math.isfinite(obj):
            raise GenotypeError(f'{at} is {obj!r}; weights must be finite '
                                'numbers >= 0')
        if obj < 0:
            raise GenotypeError(f'{at} is {obj!r}; weights must be >= 0')
        return []

    shape = walk(weights, ())
    if len(shape) == 0 or shape[-1] == 0:
        raise GenotypeError(f'{where}: weights of shape {shape} are empty')
    return shape


def column_names(names: Sequence[str], op_names: Any,
                 where: str = 'continuous component') -> List[str]:
    """Column names of a ``continuous`` component.

    Args:
        names (Sequence[str]): The component's ``candidates``.
        op_names (bool): True: the columns are candidate ops (returned as
            canonical op names); False: free labels (non-empty, distinct
            strings, returned as given).
        where (str): What to name in error messages.

    Returns:
        list[str]: The column names.

    Raises:
        GenotypeError: If ``op_names`` is not a bool, an op is unknown or a
            label is empty or repeated.
    """
    if not isinstance(op_names, bool):
        raise GenotypeError(f'{where}: op_names must be true or false, got '
                            f'{op_names!r}')
    if op_names:
        return [canonical_op_name(c) for c in names]
    labels = list(names)
    if not all(isinstance(c, str) and c for c in labels):
        raise GenotypeError(f'{where}: labels must be non-empty strings, '
                            f'got {labels}')
    if len(set(labels)) != len(labels):
        raise GenotypeError(f'{where}: duplicate labels {labels}')
    return labels
