# Copyright (c) pose_nas contributors. All rights reserved.
"""Shared pieces of the architecture pictures: op colors, figures on an Agg
canvas (no pyplot, no global backend switch), saving."""
import os
import os.path as osp
from typing import Any, Dict, Sequence, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

_DPI = 100
# qualitative palette for ops (tab20 without the greys)
_PALETTE = [
    '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#bcbd22', '#17becf', '#aec7e8', '#ffbb78', '#98df8a',
    '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5'
]
_FIXED_COLORS = {'none': '#b0b0b0', 'skip_connect': '#404040'}


def _op_colors(ops: Sequence[str]) -> Dict[str, str]:
    """A stable color per op name (order of first appearance)."""
    colors: Dict[str, str] = {}
    i = 0
    for op in ops:
        if op in colors:
            continue
        if op in _FIXED_COLORS:
            colors[op] = _FIXED_COLORS[op]
        else:
            colors[op] = _PALETTE[i % len(_PALETTE)]
            i += 1
    return colors


def _text_color(face: str) -> str:
    r, g, b, _ = to_rgba(face)
    return 'black' if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else 'white'


def _light(color: str, amount: float = 0.7) -> Tuple[float, ...]:
    """``color`` blended with white (opaque, for label backgrounds)."""
    r, g, b, _ = to_rgba(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount,
            1.0)


def _as_2d(weights: Any) -> np.ndarray:
    """Weights as ``(rows, columns)``; a 1-D vector is one row."""
    w = np.asarray(weights, dtype=float)
    if w.ndim == 0:
        w = w.reshape(1, 1)
    elif w.ndim == 1:
        w = w[None, :]
    elif w.ndim > 2:
        w = w.reshape(-1, w.shape[-1])
    return w


def _new_figure(figsize: Tuple[float, float]) -> Figure:
    """A figure on an Agg canvas (no pyplot state involved)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, out_file: str) -> str:
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    fig.savefig(out_file, dpi=_DPI)
    return out_file


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[:width - 1] + '~'
