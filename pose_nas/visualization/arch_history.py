# Copyright (c) pose_nas contributors. All rights reserved.
"""Read and plot a search's progress.

:func:`read_arch_history` / :func:`plot_arch_history` read and plot the
``arch_history.jsonl`` written by ``GenotypeLoggerHook`` (entropy of every
architecture parameter, op weights and decision probabilities over epochs),
on a matplotlib Agg canvas (headless, no pyplot).
"""
import json
import math
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .figure_utils import _as_2d, _new_figure, _op_colors, _save, _short

__all__ = ['read_arch_history', 'plot_arch_history']


def read_arch_history(path: str) -> List[dict]:
    """Read an ``arch_history.jsonl`` (one JSON object per line).

    Blank lines are skipped.

    Args:
        path (str): the jsonl file.

    Returns:
        list[dict]: the records, in file order.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        ValueError: a line is not valid JSON or not a JSON object; the
            message names the file and the line number.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'arch history file not found: {path}')
    records = []
    with open(path) as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}: line {lineno} is not valid JSON '
                                 f'({e.msg} at column {e.colno})') from None
            if not isinstance(rec, dict):
                raise ValueError(f'{path}: line {lineno} is a '
                                 f'{type(rec).__name__}, expected a JSON '
                                 'object')
            records.append(rec)
    return records


def _epochs(history: List[dict]) -> List[float]:
    return [
        float(rec['epoch']) if isinstance(rec.get('epoch'),
                                          (int, float)) else float(i + 1)
        for i, rec in enumerate(history)
    ]


def _arch_series(history: List[dict]):
    """name -> (labels, entropy[T], mean weights[T, L]) with NaN gaps."""
    names: List[str] = []
    for rec in history:
        for name in (rec.get('arch') or {}):
            if name not in names:
                names.append(name)
    series = {}
    T = len(history)
    for name in names:
        labels: List[str] = []
        rows: List[Optional[np.ndarray]] = []
        entropy = np.full(T, np.nan)
        for t, rec in enumerate(history):
            info = (rec.get('arch') or {}).get(name)
            if not isinstance(info, dict):
                rows.append(None)
                continue
            if info.get('entropy') is not None:
                entropy[t] = float(info['entropy'])
            if info.get('weights') is None:
                rows.append(None)
                continue
            mean = _as_2d(info['weights']).mean(axis=0)
            rows.append(mean)
            if info.get('labels') and len(info['labels']) == len(mean):
                labels = [str(x) for x in info['labels']]
        width = max((len(r) for r in rows if r is not None), default=0)
        if len(labels) != width:
            labels = [str(i) for i in range(width)]
        weights = np.full((T, width), np.nan)
        for t, r in enumerate(rows):
            if r is not None:
                weights[t, :len(r)] = r
        series[name] = (labels, entropy, weights)
    return series


def _decision_series(history: List[dict]):
    """module -> prob of the greedy choice ``[T, num_decisions]``."""
    modules: List[str] = []
    for rec in history:
        for mod in (rec.get('decisions') or {}):
            if mod not in modules:
                modules.append(mod)
    T = len(history)
    series = {}
    for mod in modules:
        per_t: List[Optional[List[float]]] = []
        for rec in history:
            dec = (rec.get('decisions') or {}).get(mod)
            if not isinstance(dec, dict) or not dec.get('probs'):
                per_t.append(None)
                continue
            probs = [np.asarray(p, dtype=float).ravel() for p in dec['probs']]
            greedy = dec.get('greedy')
            if greedy is None or len(greedy) != len(probs):
                greedy = [int(np.argmax(p)) for p in probs]
            vals = []
            for p, g in zip(probs, greedy):
                g = int(g)
                vals.append(float(p[g]) if 0 <= g < len(p) else np.nan)
            per_t.append(vals)
        width = max((len(v) for v in per_t if v is not None), default=0)
        if width == 0:
            continue
        arr = np.full((T, width), np.nan)
        for t, v in enumerate(per_t):
            if v is not None:
                arr[t, :len(v)] = v
        series[mod] = arr
    return series


def _controller_entropy(history: List[dict]) -> Dict[str, np.ndarray]:
    """module -> normalized entropy ``[T]`` of the controller's decisions
    (mean over decisions of ``H(p) / log(n)``, along the greedy path)."""
    out: Dict[str, np.ndarray] = {}
    T = len(history)
    for t, rec in enumerate(history):
        for mod, dec in (rec.get('decisions') or {}).items():
            if not isinstance(dec, dict) or not dec.get('probs'):
                continue
            ents = []
            for p in dec['probs']:
                p = np.clip(np.asarray(p, dtype=float).ravel(), 1e-12, 1)
                if len(p) > 1:
                    ents.append(float(-(p * np.log(p)).sum() /
                                      math.log(len(p))))
            if ents:
                out.setdefault(mod, np.full(T, np.nan))[t] = np.mean(ents)
    return out


def _history_figure(history: List[dict]) -> Figure:
    """Build (but do not save) the figure of :func:`plot_arch_history`."""
    if not history:
        raise ValueError('the arch history is empty (no epoch recorded)')
    epochs = _epochs(history)
    arch = _arch_series(history)
    decisions = _decision_series(history)
    marker = 'o' if len(history) <= 30 else None

    n_panels = 1 + len(arch) + len(decisions)
    ncols = 1 if n_panels == 1 else 2
    nrows = int(math.ceil(n_panels / ncols))
    fig = _new_figure((6.0 * ncols, 3.2 * nrows + 0.6))
    fig.suptitle('architecture search history', fontsize=11)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()

    # (a) normalized entropy of every arch param
    ax = axes[0]
    if arch:
        for name, (_, entropy, _) in arch.items():
            ax.plot(epochs, entropy, marker=marker, markersize=3,
                    label=_short(name, 40))
    for mod, ent in _controller_entropy(history).items():
        ax.plot(epochs, ent, marker=marker,
                markersize=3, linestyle='--',
                label=f'controller {mod or "model"}')
    if arch or decisions:
        ax.legend(fontsize=6, loc='best')
    else:
        ax.text(0.5, 0.5, 'no architecture parameters recorded',
                ha='center', va='center', transform=ax.transAxes,
                fontsize=8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title('normalized entropy (1 = uniform, 0 = decided)',
                 fontsize=9)
    ax.set_xlabel('epoch', fontsize=8)
    ax.grid(alpha=0.3)

    # (b) op weights over epochs, mean over rows, one line per label
    k = 1
    for name, (labels, _, weights) in arch.items():
        ax = axes[k]
        k += 1
        colors = _op_colors(labels)
        for c, label in enumerate(labels):
            ax.plot(epochs, weights[:, c], marker=marker, markersize=3,
                    label=label, color=colors[label],
                    linestyle='--' if label == 'none' else '-')
        ax.set_title(f'{name}: mean weight per op', fontsize=9)
        ax.set_xlabel('epoch', fontsize=8)
        ax.set_ylim(bottom=0.0)
        ax.grid(alpha=0.3)
        if labels:
            ax.legend(fontsize=6, ncol=2 if len(labels) > 4 else 1,
                      loc='best')

    # (c) controller: probability of the greedy choice per decision
    for mod, arr in decisions.items():
        ax = axes[k]
        k += 1
        for i in range(arr.shape[1]):
            ax.plot(epochs, arr[:, i], marker=marker, markersize=3,
                    label=f'd{i}')
        ax.set_title(f'decisions {mod or "model"}: P(greedy choice)',
                     fontsize=9)
        ax.set_xlabel('epoch', fontsize=8)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6, ncol=max(1, arr.shape[1] // 8), loc='best')

    for ax in axes[k:]:
        ax.axis('off')
    for ax in axes[:k]:
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (3.2 * nrows + 0.6)))
    return fig


def plot_arch_history(history: List[dict], out_file: str) -> str:
    """Plot a search history (records of :func:`read_arch_history`).

    Panels: the normalized entropy of every architecture parameter over
    epochs (and of a controller's decisions, dashed, when records carry
    ``decisions``); per architecture parameter its op weights over epochs (mean
    over rows, one line per op / label); if records carry controller
    ``decisions``, per module the probability of the greedy choice of every
    decision over epochs. 1-D ``weights`` are read as one row; parameters or
    decisions missing in some epochs leave gaps.

    Args:
        history (list[dict]): the records.
        out_file (str): the PNG to write (folders are created).

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: ``history`` is empty.
    """
    fig = _history_figure(history)
    return _save(fig, out_file)
