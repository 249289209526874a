# Copyright (c) pose_nas contributors. All rights reserved.
"""Argument checks shared by constructors, hooks and datasets.

Integers are integers: a Python ``int`` or a numpy / torch integer scalar.
A ``bool``, a ``float`` (even an integral one such as ``2.0``: a float where
an integer is expected usually comes from a computation that went wrong), a
string or None is rejected, never rounded, with a ``ValueError`` whose
message names the argument and its owner, e.g. ``PartFabricHead:
vector_dim must be an integer >= 1, got 1.5 (float)``.
"""
import math
import numbers
import operator
from typing import Any, List, Optional

import numpy as np


def _got(value: Any) -> str:
    return f'got {value!r} ({type(value).__name__})'


def check_int(value: Any,
              what: str,
              minimum: Optional[int] = None) -> int:
    """``value`` as a Python int, if it is an integer (``>= minimum``).

    Args:
        value: The value to check.
        what (str): Its name in the error message, e.g.
            ``'PartFabricHead: vector_dim'``.
        minimum (int, optional): The smallest allowed value.

    Returns:
        int: ``operator.index(value)``.

    Raises:
        ValueError: If ``value`` is a bool, not an integer (float, str,
            None ...) or below ``minimum``.
    """
    bound = '' if minimum is None else f' >= {minimum}'
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        value = operator.index(value)  # int, numpy / torch integer scalars
    except TypeError:
        raise ValueError(f'{what} must be an integer{bound}, '
                         f'{_got(value)}') from None
    if minimum is not None and value < minimum:
        raise ValueError(f'{what} must be an integer{bound}, {_got(value)}')
    return value


def check_ints(values: Any,
               what: str,
               minimum: Optional[int] = None,
               length: Optional[int] = None) -> List[int]:
    """A sequence of integers (see :func:`check_int`), e.g. channel widths.

    Args:
        values: The sequence (list or tuple).
        what (str): Its name; elements are named ``what[i]``.
        minimum (int, optional): The smallest allowed element.
        length (int, optional): The required number of elements.

    Returns:
        list[int]: The elements as Python ints.

    Raises:
        ValueError: If ``values`` is not a list / tuple (of ``length``
            elements) or an element is not an integer ``>= minimum``.
    """
    if not isinstance(values, (list, tuple)):
        raise ValueError(f'{what} must be a list or tuple of integers, '
                         f'{_got(values)}')
    if length is not None and len(values) != length:
        raise ValueError(f'{what} must be a list or tuple of {length} '
                         f'integers, got {values!r}')
    return [check_int(v, f'{what}[{i}]', minimum) for i, v in
            enumerate(values)]


def check_real(value: Any, what: str) -> float:
    """``value`` as a float, if it is a finite real number (no bool, str,
    None, NaN or Inf).

    Raises:
        ValueError: If it is not.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f'{what} must be a finite number, {_got(value)}')
    return float(value)


__all__ = ['check_int', 'check_ints', 'check_real']
