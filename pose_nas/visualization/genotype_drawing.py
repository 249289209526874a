# Copyright (c) pose_nas contributors. All rights reserved.
"""Pictures of derived architectures (:func:`draw_genotype`).

One panel per component of a :class:`~pose_nas.nas.genotype.Genotype`:
cells as DAGs, chains as rows of blocks, continuous mixtures as heatmaps,
controller decisions as grids. Everything renders with matplotlib's Agg
canvas on :class:`matplotlib.figure.Figure` objects (no pyplot, no global
backend switch, no graphviz), so it works headless and inside other
programs.
"""
import math
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from pose_nas.nas.genotype import Genotype, load_genotype
from .figure_utils import (_as_2d, _light, _new_figure, _op_colors, _save,
                           _text_color)

from .branch_grid import COMPONENT_PANELS  # noqa: E402

__all__ = ['draw_genotype']

GenotypeLike = Union[str, dict, Genotype]


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
        special = COMPONENT_PANELS.get((g.space, name))
        if special is not None:  # e.g. AutoPose's stages x branches grid
            special(ax, comp)
        elif kind == 'cell':
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
