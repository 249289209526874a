# Copyright (c) pose_nas contributors. All rights reserved.
"""``benchmarks/nas_evidence.md``: every method's bench study side by side
(``tools/nas_evidence.py``).

Inputs are kept study summaries (``tools/keep_study.py``): per method the
variants (searched by full first-order DARTS, by a single-path search, a
FLOPs-matched random net, the published net), per variant the test AP of
every seed, and the paired comparisons the study computed. The nets are
rebuilt from the kept retrain configs to time them on this CPU (ONNX
Runtime, batch 1, one thread), so the cross-method table gives AP, params,
GFLOPs, latency and search wall time of every method's nets on one
benchmark.
"""
import os.path as osp
import statistics
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config

from .study_checks import resolve
from .study_stats import comparison_table, markdown_table, t_interval_cell


def run_config(summary: Dict[str, Any], rec: Dict[str, Any],
               root: str) -> Optional[str]:
    """The config of the net a run retrained: its kept copy, or the study's
    fixed config of that variant; None when neither exists."""
    if 'kept' in rec:
        return osp.join(root, rec['kept']['config'])
    study_file = osp.join(root, summary['study']) if not osp.isabs(
        summary['study']) else summary['study']
    if not osp.isfile(study_file):
        return None
    for v in Config.fromfile(study_file).variants:
        if v['name'] == rec['variant'] and 'config' in v:
            return resolve(study_file, v['config'])
    return None


def net_latency_ms(config: str, input_size: Sequence[int],
                   rounds: int = 3) -> float:
    """Median ms of ``config``'s model on ONNX Runtime, batch 1, one thread
    (the fastest of ``rounds`` rounds)."""
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.deploy.module_latency import measure_latency
    init_default_scope('mmpose')
    model = MODELS.build(Config.fromfile(config).model)
    w, h = input_size
    stats = measure_latency(model, (1, 3, h, w), 'onnxruntime', threads=1,
                            repeats=20, rounds=rounds)
    return stats['median_ms']


def method_rows(summary: Dict[str, Any], root: str,
                latency: bool = True) -> List[Dict[str, Any]]:
    """One row per variant: AP mean / std / per seed, params, GFLOPs,
    search and retrain wall time (mean s), latency of seed 0's net."""
    rows = []
    for row in summary['table']:
        runs = [r for r in summary['runs'] if r['variant'] == row['variant']]
        search = [r['timings_s']['search'] for r in runs
                  if 'search' in r.get('timings_s', {})]
        out = dict(variant=row['variant'], mean=row['mean'], std=row['std'],
                   n=row['n'], per_seed=row['per_seed'],
                   params_m=statistics.mean(row['params_m']),
                   gflops=statistics.mean(row['gflops']),
                   gflops_range=(min(row['gflops']), max(row['gflops'])),
                   search_s=statistics.mean(search) if search else None,
                   retrain_s=statistics.mean(
                       r['timings_s']['retrain'] for r in runs),
                   latency_ms=None)
        config = run_config(summary, runs[0], root)
        if latency and config and osp.isfile(config):
            out['latency_ms'] = round(net_latency_ms(
                config, summary['flops_input_size']), 2)
        rows.append(out)
    return rows


def _fmt(value: Optional[float], spec: str) -> str:
    return '–' if value is None else format(value, spec)


def _gflops_cell(row: Dict[str, Any]) -> str:
    """Mean GFLOPs, with the seeds' range where the nets differ."""
    lo, hi = row.get('gflops_range') or (row['gflops'], row['gflops'])
    if f'{lo:.3f}' == f'{hi:.3f}':
        return f"{row['gflops']:.3f}"
    return f"{row['gflops']:.3f} ({lo:.3f}-{hi:.3f})"


def cross_method_table(methods: Dict[str, List[Dict[str, Any]]]) -> str:
    """Markdown: every method's variants in one table (GFLOPs: the mean
    over seeds, with their range where the seeds' nets differ)."""
    lines = [
        '| method | net | test AP (mean ± std, n) | params (M) | GFLOPs '
        '@128x96 | CPU ms (ORT, b1, 1 thread) | search wall time (min) | '
        'retrain wall time (min) |',
        '| --- | --- | --- | --: | --: | --: | --: | --: |'
    ]
    for method, rows in methods.items():
        for r in rows:
            search = None if r['search_s'] is None else r['search_s'] / 60
            lines.append(
                f"| {method} | {r['variant']} | {r['mean']:.3f} ± "
                f"{r['std']:.3f} ({r['n']}) | {r['params_m']:.2f} | "
                f"{_gflops_cell(r)} | {_fmt(r['latency_ms'], '.1f')} | "
                f"{_fmt(search, '.1f')} | {r['retrain_s'] / 60:.1f} |")
    return '\n'.join(lines)


def verdicts_table(comparisons: Dict[str, List[Dict[str, Any]]]) -> str:
    """Markdown: every method's paired comparisons in one table (the
    difference of the seeds' test AP, its 95 % t interval, the verdict)."""
    lines = ['| method | a - b | mean ± std (n) | 95 % t interval | '
             'verdict |', '| --- | --- | --- | --- | --- |']
    for method, cmps in comparisons.items():
        for c in cmps or []:
            t = t_interval_cell(c)
            lines.append(f"| {method} | {c['a']} - {c['b']} | "
                         f"{c['mean']:+.3f} ± {c['std']:.3f} ({c['n']}) | "
                         f'{t} | {c["verdict"]} |')
    return '\n'.join(lines)


def method_section(method: str, summary: Dict[str, Any], path: str,
                   root: str) -> str:
    """Markdown: one method's study table and paired comparisons."""
    study = summary['study']
    if osp.isabs(study):
        study = osp.relpath(study, root)
    text = [f'### {method}', '',
            f"`{study}`, seeds {summary['seeds']}, kept in "
            f'`{path}`.', '',
            markdown_table(summary['table'], summary['flops_input_size'])]
    width = summary.get('width_match')
    if width:
        text[3:3] = [
            f"Every net retrained at the width that puts it within "
            f"{width.get('tolerance', 0.02):.0%} of {width['gflops']} GFLOPs "
            f'(`width_match`; the random net drawn at the searched '
            'GFLOPs before widening).', '']
    if summary.get('comparisons'):
        text += ['', 'Paired by seed:', '',
                 comparison_table(summary['comparisons'])]
    return '\n'.join(text + ['', reproduce_text(summary, study)])


def reproduce_text(summary: Dict[str, Any], study: str) -> str:
    """Markdown: the command that runs every row of a study, and where
    the runs of a study split over invocations were kept."""
    stem = osp.splitext(osp.basename(study))[0]
    seeds = ' '.join(str(s) for s in summary['seeds'])
    threads = summary.get('threads')
    cmd = (f'python tools/run_nas_study.py {study} --work-dir '
           f'work_dirs/{stem} --seeds {seeds}' +
           (f' --threads {threads}' if threads else '') +
           ('' if summary.get('topdown') else ' --skip-topdown'))
    text = f'Every row: `{cmd}`.'
    kept = sorted({r['imported_from'] for r in summary.get('runs', [])
                   if r.get('imported_from')})
    if kept:
        text += (' These runs ran as one invocation per seed (and per '
                 'variant group, `--seeds N --variants ...`), each kept '
                 'with `tools/keep_study.py`, and were merged by the same '
                 'command with `--import-runs ' + ' '.join(kept) + '`.')
    return text
