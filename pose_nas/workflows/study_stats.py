# Copyright (c) pose_nas contributors. All rights reserved.
"""Statistics of a study: mean +- std per variant, paired comparisons over
seeds and a picture.

Two variants run at the same seeds share the data order and the
initialisation seed, so they are compared per seed (paired): the
difference ``a - b`` at every seed both finished, its mean, a 95 %
Student-t interval, a 95 % bootstrap interval and a two-sided sign test.
The verdict is the t interval's: ``'a better'`` / ``'b better'`` when it
excludes 0, else ``'no significant difference'`` (with 3 seeds only a large,
consistent gap is significant, which is the point).
"""
import json
import math
import os.path as osp
import random
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

BOOTSTRAP_SAMPLES = 10000
BOOTSTRAP_SEED = 0


def _t_quantile(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    from scipy.stats import t
    return float(t.ppf(0.975, df))


def _mean_std(values: List[float]) -> Dict[str, float]:
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean)**2 for v in values) / (n - 1)) if n > 1 \
        else 0.0
    return dict(mean=mean, std=std, n=n)


def summarize(runs: List[Dict[str, Any]], variants: Sequence[dict],
              metric: str) -> List[Dict[str, Any]]:
    """Per variant: mean/std of ``metric`` over seeds, params, GFLOPs, mean
    wall time (search + derive + retrain + test, seconds)."""
    rows = []
    for v in variants:
        mine = [r for r in runs if r['variant'] == v['name']]
        if not mine:
            continue
        vals = [r['metrics'][metric] for r in mine]
        rows.append(
            dict(variant=v['name'],
                 metric=metric,
                 per_seed={str(r['seed']): r['metrics'][metric]
                           for r in mine},
                 params_m=[round(r['params_m'], 3) for r in mine],
                 gflops=[round(r['gflops'], 3) for r in mine],
                 wall_s=round(sum(sum(r.get('timings_s', {}).values())
                                  for r in mine) / len(mine), 1),
                 **_mean_std(vals)))
    return rows


def markdown_table(rows: List[Dict[str, Any]], flops_input_size) -> str:
    w, h = flops_input_size
    metric = rows[0]['metric'] if rows else 'AP'
    lines = [
        f'| variant | {metric} mean ± std | per seed | params (M) | '
        f'GFLOPs @{h}x{w} | wall s / run |',
        '| --- | --- | --- | --- | --- | ---: |'
    ]
    for r in rows:
        per = ', '.join(f'{s}: {v:.3f}' for s, v in r['per_seed'].items())
        params = ' / '.join(f'{p:.2f}' for p in r['params_m'])
        flops = ' / '.join(f'{f:.3f}' for f in r['gflops'])
        lines.append(f"| {r['variant']} | {r['mean']:.3f} ± {r['std']:.3f} "
                     f"(n={r['n']}) | {per} | {params} | {flops} | "
                     f"{r.get('wall_s', float('nan')):.0f} |")
    return '\n'.join(lines)


def sign_test_p(diffs: Sequence[float]) -> float:
    """Two-sided exact sign test of ``diffs`` against 0 (ties dropped)."""
    pos = sum(d > 0 for d in diffs)
    n = pos + sum(d < 0 for d in diffs)
    if n == 0:
        return 1.0
    k = min(pos, n - pos)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def bootstrap_ci(diffs: Sequence[float],
                 samples: int = BOOTSTRAP_SAMPLES,
                 seed: int = BOOTSTRAP_SEED) -> Tuple[float, float]:
    """95 % percentile bootstrap interval of the mean of ``diffs``."""
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(
        sum(rng.choice(diffs) for _ in range(n)) / n for _ in range(samples))
    return means[int(0.025 * samples)], means[int(0.975 * samples) - 1]


def paired_comparison(runs: List[Dict[str, Any]], a: str, b: str,
                      metric: str) -> Optional[Dict[str, Any]]:
    """Compare variant ``a`` with ``b`` over the seeds both finished.

    Returns:
        dict | None: ``a``, ``b``, ``seeds``, ``diffs`` (a - b per seed),
        ``mean``, ``std``, ``n``, ``t_ci95``, ``bootstrap_ci95``,
        ``sign_test_p``, ``verdict``; None when no seed is shared.
    """
    by_seed = {}
    for r in runs:
        if r['variant'] in (a, b) and metric in r.get('metrics', {}):
            by_seed.setdefault(r['seed'], {})[r['variant']] = \
                r['metrics'][metric]
    seeds = sorted(s for s, v in by_seed.items() if a in v and b in v)
    if not seeds:
        return None
    diffs = [by_seed[s][a] - by_seed[s][b] for s in seeds]
    n = len(diffs)
    mean = sum(diffs) / n
    std = math.sqrt(sum((d - mean)**2 for d in diffs) / (n - 1)) \
        if n > 1 else 0.0
    t_ci = None
    verdict = 'not enough seeds (n < 2)'
    if n > 1:
        half = _t_quantile(n - 1) * std / math.sqrt(n)
        t_ci = [mean - half, mean + half]
        if t_ci[0] > 0:
            verdict = f'{a} better'
        elif t_ci[1] < 0:
            verdict = f'{b} better'
        else:
            verdict = 'no significant difference'
    return dict(a=a, b=b, metric=metric, seeds=seeds, diffs=diffs, mean=mean,
                std=std, n=n, t_ci95=t_ci,
                bootstrap_ci95=list(bootstrap_ci(diffs)),
                sign_test_p=sign_test_p(diffs), verdict=verdict)


def default_pairs(names: Sequence[str]) -> List[Tuple[str, str]]:
    """The first variant (the searched one, by convention) against each
    other variant."""
    return [(names[0], other) for other in names[1:]]


def comparisons(runs: List[Dict[str, Any]], names: Sequence[str],
                metric: str,
                pairs: Optional[Sequence[Sequence[str]]] = None
                ) -> List[Dict[str, Any]]:
    """:func:`paired_comparison` of every pair (default
    :func:`default_pairs`) that shares a seed."""
    out = []
    for a, b in (pairs if pairs is not None else default_pairs(names)):
        cmp = paired_comparison(runs, a, b, metric)
        if cmp is not None:
            out.append(cmp)
    return out


def t_interval_cell(cmp: Dict[str, Any]) -> str:
    """A comparison's 95 % t interval as a table cell ('–' when n < 2)."""
    ci = cmp['t_ci95']
    return '–' if ci is None else f'[{ci[0]:+.3f}, {ci[1]:+.3f}]'


def comparison_table(cmps: List[Dict[str, Any]]) -> str:
    """Markdown table of :func:`comparisons`."""
    if not cmps:
        return ''
    metric = cmps[0]['metric']
    lines = [
        f'| a - b ({metric}) | per seed | mean ± std | 95 % t interval | '
        '95 % bootstrap | sign test p | verdict |',
        '| --- | --- | --- | --- | --- | --- | --- |'
    ]
    for c in cmps:
        per = ', '.join(f'{s}: {d:+.3f}' for s, d in zip(c['seeds'],
                                                          c['diffs']))
        t = t_interval_cell(c)
        bs = c['bootstrap_ci95']
        lines.append(
            f"| {c['a']} - {c['b']} | {per} | {c['mean']:+.3f} ± "
            f"{c['std']:.3f} (n={c['n']}) | {t} | [{bs[0]:+.3f}, "
            f"{bs[1]:+.3f}] | {c['sign_test_p']:.3f} | {c['verdict']} |")
    return '\n'.join(lines)


def plot_study(runs: List[Dict[str, Any]], metric: str, path: str,
               flops_input_size: Sequence[int]) -> Optional[str]:
    """Scatter of ``metric`` against GFLOPs, one colour per variant, one
    point per seed; written to ``path`` (PNG). None when no run has both."""
    pts = [r for r in runs if metric in r.get('metrics', {})
           and r.get('gflops') is not None]
    if not pts:
        return None
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.5), dpi=100)
    names = list(dict.fromkeys(r['variant'] for r in pts))
    for i, name in enumerate(names):
        mine = [r for r in pts if r['variant'] == name]
        ax.scatter([r['gflops'] for r in mine],
                   [r['metrics'][metric] for r in mine],
                   label=name, color=f'C{i}', s=28)
    w, h = flops_input_size
    ax.set_xlabel(f'GFLOPs @{h}x{w}')
    ax.set_ylabel(metric)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def arch_movement(history_file: str) -> Optional[Dict[str, float]]:
    """How far a search moved its alphas, from the last record of
    ``arch_history.jsonl`` (:class:`GenotypeLoggerHook`): normalized
    entropy (1 = uniform) and logit range (max - min logit of an edge, read
    as ``log(max w / min w)`` of its softmax weights) over every row of
    every architecture parameter; None without a history."""
    if not osp.isfile(history_file):
        return None
    with open(history_file) as f:
        lines = [ln for ln in f if ln.strip()]
    if not lines:
        return None
    last = json.loads(lines[-1])
    arch = last['arch']
    entropies = [float(a['entropy']) for a in arch.values()]
    ranges = []
    for a in arch.values():
        rows = np.asarray(a['weights'], dtype=np.float64)
        rows = np.log(np.clip(rows.reshape(-1, rows.shape[-1]), 1e-300, None))
        ranges.extend((rows.max(-1) - rows.min(-1)).tolist())
    out = dict(entropy_min=round(min(entropies), 3),
               entropy_max=round(max(entropies), 3),
               logit_range_min=round(min(ranges), 3),
               logit_range_max=round(max(ranges), 3),
               epoch=int(last['epoch']))
    probs = [p for d in (last.get('decisions') or {}).values()
             for p in (d or {}).get('probs') or []]
    if probs:  # a controller: normalized entropy along its greedy path
        ents = [-sum(q * math.log(q) for q in p if q > 0) / math.log(len(p))
                for p in probs if len(p) > 1]
        out['controller_entropy'] = round(sum(ents) / len(ents), 3)
    return out


def movement_table(runs: List[Dict[str, Any]]) -> str:
    """Markdown: per searched run, how far its alphas moved (a search
    that leaves them near uniform compares unsearched derivations)."""
    lines = ['| variant | seed | entropy (min-max) | logit range (min-max) '
             '| controller entropy |', '| --- | --- | --- | --- | --- |']
    for r in runs:
        m = r.get('search_arch')
        if m:
            lines.append(
                f"| {r['variant']} | {r['seed']} | {m['entropy_min']:.2f}-"
                f"{m['entropy_max']:.2f} | {m['logit_range_min']:.2f}-"
                f"{m['logit_range_max']:.2f} | "
                f"{m.get('controller_entropy', '-')} |")
    return '\n'.join(lines) if len(lines) > 2 else ''
