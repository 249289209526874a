# Copyright (c) pose_nas contributors. All rights reserved.
"""Pictures of derived architectures and of a search's progress.

- :func:`draw_genotype` draws a :class:`~pose_nas.nas.genotype.Genotype`
  (one panel per component: cells as DAGs, chains as rows of blocks,
  continuous mixtures as heatmaps, controller decisions as grids);
- :func:`read_arch_history` / :func:`plot_arch_history` read and plot the
  ``arch_history.jsonl`` written by ``GenotypeLoggerHook`` (entropy of every
  architecture parameter, op weights and decision probabilities over
  epochs).

Everything renders with matplotlib's Agg canvas on
:class:`matplotlib.figure.Figure` objects (no pyplot, no global backend
switch, no graphviz), so it works headless and inside other programs.
"""
import json
import math
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from pose_nas.nas.genotype import Genotype, load_genotype

__all__ = ['draw_genotype', 'read_arch_history', 'plot_arch_history']

GenotypeLike = Union[str, dict, Genotype]

_DPI = 100
# qualitative palette for ops (tab20 without the greys)
_PALETTE = [
    '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#bcbd22', '#17becf', '#aec7e8', '#ffbb78', '#98df8a',
    '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5'
]
_FIXED_COLORS = {'none': '#b0b0b0', 'skip_connect': '#404040'}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# genotype panels
# --------------------------------------------------------------------------
def _panel_size(comp: Dict[str, Any]) -> Tuple[float, float]:
    """(width, height) in inches wanted by a component's panel."""
    kind = comp['type']
    if kind == 'cell':
        n = len(comp['nodes']) + 2
        rows = max(int(comp['num_inputs']), 2)
        return 2.2 * n + 1.0, 1.3 * rows + 2.2
    if kind == 'chain':
        n = len(comp['ops'])
        return max(6.0, 1.1 * n + 1.0), 2.6 if n <= 8 else 3.4
    if kind == 'continuous':
        w = _as_2d(comp['weights'])
        return (max(6.0, 0.9 * w.shape[1] + 2.5),
                min(max(2.4, 0.35 * w.shape[0] + 1.8), 14.0))
    # decisions
    choices = [int(c) for c in comp['choices']]
    return (max(6.0, 0.7 * len(choices) + 1.5),
            max(2.4, 0.45 * max(choices or [1]) + 1.6))


def _draw_cell(ax, comp: Dict[str, Any], colors: Dict[str, str]) -> None:
    """A DAG: cell inputs (left), nodes (columns), concat -> output."""
    num_inputs = int(comp['num_inputs'])
    nodes = comp['nodes']
    num_nodes = len(nodes)
    concat = [int(c) for c in comp.get('concat', [])]
    radius = 0.32

    # positions: inputs stacked in column 0, node j in column j + 1 with a
    # small zig-zag, output in the last column
    pos: Dict[Any, Tuple[float, float]] = {}
    span = max(num_inputs - 1, 1)
    for i in range(num_inputs):
        y = 0.0 if num_inputs == 1 else 1.2 * (span / 2 - i)
        pos[i] = (0.0, y)
    for j in range(num_nodes):
        zig = 0.0 if num_nodes == 1 else (0.35 if j % 2 == 0 else -0.35)
        pos[num_inputs + j] = (1.8 * (j + 1), zig)
    pos['out'] = (1.8 * (num_nodes + 1), 0.0)

    patches: Dict[Any, Any] = {}
    for s, (x, y) in pos.items():
        if s == 'out':
            patch = FancyBboxPatch((x - 0.38, y - 0.25), 0.76, 0.5,
                                   boxstyle='round,pad=0.05',
                                   facecolor='#fdd49e', edgecolor='black',
                                   zorder=3)
            label = 'concat\n-> out'
        elif s < num_inputs:
            patch = FancyBboxPatch((x - 0.38, y - 0.25), 0.76, 0.5,
                                   boxstyle='round,pad=0.05',
                                   facecolor='#c6dbef', edgecolor='black',
                                   zorder=3)
            label = f'in {s}'
        else:
            patch = Circle((x, y), radius, facecolor='#e5f5e0',
                           edgecolor='black', zorder=3)
            label = f'node {s - num_inputs}\n(s{s})'
        ax.add_patch(patch)
        patches[s] = patch
        ax.text(x, y, label, ha='center', va='center', fontsize=7, zorder=4)

    labels_at: List[Tuple[float, float]] = []
    extent = [list(p) for p in pos.values()]

    def bend(src, dst, labelled: bool) -> float:
        """arc3 ``rad`` of an edge: straight between neighbouring columns,
        else the smallest bend (either side) whose curve keeps clear of the
        other states (and whose label of the other labels)."""
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        if abs(x1 - x0) <= 1.8 * 1.01:
            return 0.0
        others = [p for s, p in pos.items() if s not in (src, dst)]
        dx, dy = x1 - x0, y1 - y0
        best, best_score = 0.0, -1.0
        for rad in (0.2, -0.2, 0.35, -0.35, 0.5, -0.5, 0.7, -0.7):
            cx = (x0 + x1) / 2 + rad * dy
            cy = (y0 + y1) / 2 - rad * dx
            score = np.inf
            for t in np.linspace(0.08, 0.92, 22):
                bx = (1 - t)**2 * x0 + 2 * t * (1 - t) * cx + t**2 * x1
                by = (1 - t)**2 * y0 + 2 * t * (1 - t) * cy + t**2 * y1
                for ox, oy in others:
                    score = min(score, np.hypot(bx - ox, by - oy) - 0.62)
            if labelled:
                mx, my = (x0 + x1) / 2 + rad / 2 * dy, \
                    (y0 + y1) / 2 - rad / 2 * dx
                for lx, ly in labels_at:
                    score = min(score,
                                np.hypot((mx - lx) / 2.5, my - ly) - 0.3)
            if score > 0:
                return rad
            if score > best_score:
                best, best_score = rad, score
        return best

    def arrow(src, dst, label=None, color='black', style='-'):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        rad = bend(src, dst, label is not None)
        arr = FancyArrowPatch(
            (x0, y0), (x1, y1),
            patchA=patches[src],
            patchB=patches[dst],
            arrowstyle='-|>',
            mutation_scale=11,
            connectionstyle=f'arc3,rad={rad}',
            color=color,
            linestyle=style,
            linewidth=1.2,
            zorder=2)
        ax.add_patch(arr)
        # midpoint of the quadratic Bezier drawn by arc3 (equal aspect)
        dx, dy = x1 - x0, y1 - y0
        mx = (x0 + x1) / 2 + rad / 2 * dy
        my = (y0 + y1) / 2 - rad / 2 * dx
        extent.append([mx, my])
        if label is not None:
            labels_at.append((mx, my))
            ax.text(
                mx,
                my,
                label,
                ha='center',
                va='center',
                fontsize=7,
                color='black',
                zorder=5,
                bbox=dict(
                    boxstyle='round,pad=0.15',
                    facecolor=_light(colors.get(label, '#ffffff')),
                    edgecolor=colors.get(label, 'black'),
                    linewidth=0.6))

    for j, node in enumerate(nodes):
        dst = num_inputs + j
        for op, src in node:
            arrow(int(src), dst, label=op, color=colors.get(op, 'black'))
    for c in concat:
        arrow(c, 'out', color='#636363', style='--')

    xs = [p[0] for p in extent]
    ys = [p[1] for p in extent]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect('equal')
    ax.axis('off')


def _draw_chain(ax, comp: Dict[str, Any], colors: Dict[str, str]) -> None:
    """One box per block, left to right, colored by op."""
    ops = list(comp['ops'])
    n = len(ops)
    rotate = n > 8 or max((len(o) for o in ops), default=0) > 12
    h = 1.6 if rotate else 0.8
    for i, op in enumerate(ops):
        face = colors.get(op, 'white')
        ax.add_patch(
            FancyBboxPatch((i * 1.2, 0), 0.9, h,
                           boxstyle='round,pad=0.04',
                           facecolor=face,
                           edgecolor='black',
                           zorder=2))
        ax.text(i * 1.2 + 0.45, h / 2, op, ha='center', va='center',
                fontsize=7, rotation=90 if rotate else 0,
                color=_text_color(face), zorder=3)
        ax.text(i * 1.2 + 0.45, -0.25, f'b{i}', ha='center', va='top',
                fontsize=7, color='#444444')
        if i + 1 < n:
            ax.add_patch(
                FancyArrowPatch((i * 1.2 + 0.95, h / 2),
                                (i * 1.2 + 1.15, h / 2),
                                arrowstyle='-|>',
                                mutation_scale=8,
                                color='black',
                                zorder=1))
    ax.set_xlim(-0.3, max(n, 1) * 1.2)
    ax.set_ylim(-0.7, h + 0.3)
    ax.axis('off')


def _draw_continuous(ax, comp: Dict[str, Any]) -> None:
    """Heatmap of the kept mixture weights (rows x candidates)."""
    cands = list(comp['candidates'])
    w = _as_2d(comp['weights'])
    im = ax.imshow(w, aspect='auto', cmap='viridis', vmin=0.0,
                   vmax=max(1e-12, float(w.max()) if w.size else 1.0))
    ax.set_xticks(range(len(cands)))
    ax.set_xticklabels(cands, rotation=30, ha='right', fontsize=7)
    rows = w.shape[0]
    step = max(1, int(math.ceil(rows / 30)))
    ax.set_yticks(range(0, rows, step))
    ax.set_yticklabels([str(r) for r in range(0, rows, step)], fontsize=7)
    ax.set_ylabel('row (edge / block)', fontsize=8)
    if w.size <= 400:
        vmax = float(w.max()) if w.size else 1.0
        for r in range(rows):
            for c in range(w.shape[1]):
                v = w[r, c]
                ax.text(c, r, f'{v:.2f}', ha='center', va='center',
                        fontsize=7,
                        color='black' if v > 0.6 * vmax else 'white')
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)


def _draw_decisions(ax, comp: Dict[str, Any]) -> None:
    """A grid: column i shows the options of decision i, the chosen one
    highlighted with its value."""
    choices = [int(c) for c in comp['choices']]
    values = [int(v) for v in comp['values']]
    top = max(choices or [1])
    for i, (n, v) in enumerate(zip(choices, values)):
        for opt in range(n):
            chosen = opt == v
            ax.add_patch(
                FancyBboxPatch((i * 1.1, opt * 0.7), 0.9, 0.55,
                               boxstyle='round,pad=0.03',
                               facecolor='#fd8d3c' if chosen else '#f0f0f0',
                               edgecolor='black' if chosen else '#bdbdbd',
                               linewidth=1.4 if chosen else 0.6))
            ax.text(i * 1.1 + 0.45, opt * 0.7 + 0.275, str(opt),
                    ha='center', va='center', fontsize=7,
                    color='black' if chosen else '#969696',
                    fontweight='bold' if chosen else 'normal')
        ax.text(i * 1.1 + 0.45, -0.2, f'd{i}\n{v}/{n}', ha='center',
                va='top', fontsize=7)
    ax.set_xlim(-0.3, max(len(choices), 1) * 1.1)
    ax.set_ylim(-1.0, top * 0.7 + 0.2)
    ax.axis('off')


def _genotype_figure(genotype: GenotypeLike,
                     title: Optional[str] = None) -> Figure:
    """Build (but do not save) the figure of :func:`draw_genotype`."""
    g = load_genotype(genotype)
    comps = list(g.components.items())
    all_ops: List[str] = []
    for _, comp in comps:
        if comp['type'] == 'cell':
            all_ops += [op for node in comp['nodes'] for op, _ in node]
        elif comp['type'] == 'chain':
            all_ops += list(comp['ops'])
    colors = _op_colors(all_ops)

    sizes = [_panel_size(c) for _, c in comps] or [(6.0, 2.0)]
    width = min(max(w for w, _ in sizes), 30.0)
    heights = [h for _, h in sizes]
    fig = _new_figure((width, sum(heights) + 0.8))
    if title is None:
        title = g.space
        epoch = g.meta.get('epoch') if isinstance(g.meta, dict) else None
        if epoch is not None:
            title += f' (epoch {epoch})'
    fig.suptitle(title, fontsize=11)
    if not comps:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, 'genotype without components', ha='center',
                va='center')
        ax.axis('off')
        return fig
    axes = fig.subplots(len(comps), 1, squeeze=False,
                        gridspec_kw=dict(height_ratios=heights))[:, 0]
    for ax, (name, comp) in zip(axes, comps):
        kind = comp['type']
        if kind == 'cell':
            _draw_cell(ax, comp, colors)
        elif kind == 'chain':
            _draw_chain(ax, comp, colors)
        elif kind == 'continuous':
            _draw_continuous(ax, comp)
        else:
            _draw_decisions(ax, comp)
        ax.set_title(f'{name} ({kind})', fontsize=9, loc='left')
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (sum(heights) + 0.8)))
    return fig


def draw_genotype(genotype: GenotypeLike,
                  out_file: str,
                  title: Optional[str] = None) -> str:
    """Draw a genotype to a PNG, one panel per component.

    - ``cell``: a DAG, cell inputs and nodes left to right, one arrow per
      edge labelled with its op, dashed arrows from the concatenated nodes
      to the output;
    - ``chain``: a row of blocks labelled with their ops (colored by op);
    - ``continuous``: a heatmap of the weights (rows x candidates);
    - ``decisions``: per decision its options with the chosen one
      highlighted.

    Args:
        genotype: a :class:`Genotype`, a genotype dict or a file path.
        out_file (str): the PNG to write (folders are created).
        title (str, optional): figure title; the genotype's space (and
            epoch, if in its meta) by default.

    Returns:
        str: ``out_file``.
    """
    fig = _genotype_figure(genotype, title)
    return _save(fig, out_file)


# --------------------------------------------------------------------------
# search history
# --------------------------------------------------------------------------
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
    epochs; per architecture parameter its op weights over epochs (mean
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
