# Copyright (c) pose_nas contributors. All rights reserved.
"""The search-cost benchmark's report: ratios to the derived net, the
cheapest strategy per space against the 1.5x targets, the markdown
tables (``benchmarks/search_cost.md``). What is run:
:mod:`pose_nas.workflows.search_cost`."""
from typing import Any, Dict, List, Optional, Tuple

from .search_cost import BASELINE, SEED, CHEAP, TARGET, SPACES


def _ok(res: Optional[Dict[str, Any]]) -> bool:
    return bool(res) and res.get('status', 'ok') == 'ok'


def train_memory(res: Dict[str, Any]) -> Tuple[str, float]:
    """The training memory the target compares: the CUDA peak on CUDA, else
    the peak rise of the sampled RSS from before the runner (and its model)
    was built to the end of training: weights, gradients, optimizer state,
    activations (the peak RSS itself holds the ~0.8 GiB of imports, and its
    high-water mark is often set before training; results of an earlier
    version have only that rise)."""
    if res.get('cuda_max_allocated_mib'):
        return 'cuda_max_allocated', res['cuda_max_allocated_mib']
    if res.get('model_rss_rise_mib') is not None:
        return 'model_rss_rise', res['model_rss_rise_mib']
    return 'rss_train_rise', res['rss_train_rise_mib']


def ratios(results: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, float]]:
    """Each measured run of one space against its derived baseline."""
    base = results.get(BASELINE)
    if not _ok(base):
        return {}
    out = {}
    for name, res in results.items():
        if not _ok(res):
            continue
        r = dict(
            step_time=res['step_s_median'] / base['step_s_median'],
            compute_time=res['compute_s_median'] / base['compute_s_median'],
            amortized_time=res['amortized_s'] / base['amortized_s'],
            peak_rss=res['peak_rss_mib'] / base['peak_rss_mib'],
            params=res['params'] / base['params'])
        if base['rss_train_rise_mib'] > 0:
            r['rss_train_rise'] = (res['rss_train_rise_mib'] /
                                   base['rss_train_rise_mib'])
        if (base.get('model_rss_rise_mib') or 0) > 0 and \
                res.get('model_rss_rise_mib') is not None:
            r['model_rss_rise'] = (res['model_rss_rise_mib'] /
                                   base['model_rss_rise_mib'])
        if res.get('cuda_max_allocated_mib') and base.get(
                'cuda_max_allocated_mib'):
            r['cuda_max_allocated'] = (res['cuda_max_allocated_mib'] /
                                       base['cuda_max_allocated_mib'])
        key, _ = train_memory(base)
        r['train_memory'] = r.get(key, float('nan'))
        out[name] = r
    return out


def summarize(results: Dict[str, Dict[str, Any]],
              rat: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
    """The cheapest search of a space and whether a cheap strategy meets the
    target (s/iter median and training memory within TARGET x)."""
    measured = [n for n in rat if n != BASELINE]
    out: Dict[str, Any] = dict(
        cheapest=min(measured, key=lambda n: rat[n]['step_time'])
        if measured else None,
        target=TARGET, cheap={})
    if measured:
        out['cheapest_time'] = rat[out['cheapest']]['step_time']
    for name in CHEAP:
        res = results.get(name)
        if res is None:
            continue
        if name not in rat:
            out['cheap'][name] = dict(
                met=False, why=f"{res.get('status', 'failed')}: "
                f"{res.get('reason', 'no baseline')}")
            continue
        t, m = rat[name]['step_time'], rat[name]['train_memory']
        why = [f'{what} {x:.2f}x > {TARGET}x' if x == x else
               f'{what} not comparable (no rise of the baseline)'
               for what, x in (('time', t), ('memory', m))
               if not x <= TARGET]
        out['cheap'][name] = dict(time=t, memory=m, met=not why,
                                  why='; '.join(why) or None)
    out['met'] = any(c['met'] for c in out['cheap'].values())
    return out


def make_report(results: Dict[str, Dict[str, Dict[str, Any]]],
                settings: Dict[str, Any], machine: Dict[str, Any],
                notes: List[str]) -> Dict[str, Any]:
    """The JSON report of the runs (space -> run -> result): per space the
    ratios to the derived net and the summary (:func:`summarize`)."""
    rat, summary = {}, {}
    for space, runs in results.items():
        base = runs.get(BASELINE) or {}
        for name, res in runs.items():
            if name != BASELINE and _ok(res):
                res['supernet_params'] = res['params']
                res['derived_params'] = base.get('params')
        rat[space] = ratios(runs)
        summary[space] = summarize(runs, rat[space])
    settings = dict(settings, baseline=BASELINE, seed=SEED, target=TARGET,
                    cheap=list(CHEAP))
    return dict(machine=machine, settings=settings, notes=notes,
                spaces={s: SPACES[s] for s in results}, results=results,
                ratios=rat, summary=summary)


def describe(res: Dict[str, Any]) -> str:
    """A run's result in a few words (the progress lines)."""
    if not _ok(res):
        return f"{res.get('status', 'failed')}: {res.get('reason')}"
    return f"{res['step_s_median']:.3f} s/iter"


def _strategy_cell(name: str, res: Dict[str, Any], cheapest: Optional[str]
                   ) -> str:
    cell = name
    engine = res.get('search_strategy')
    if engine and engine != name:
        cell += f' (`{engine}`)'
    return f'**{cell}**' if name == cheapest else cell


def space_table(results: Dict[str, Dict[str, Any]],
                rat: Dict[str, Dict[str, float]], summary: Dict[str, Any],
                order: List[str]) -> str:
    """One space's markdown table."""
    from pose_nas.utils import benchmark_report
    cuda = any(r.get('cuda_max_allocated_mib') for r in results.values())
    head = ['strategy', 's/iter median', 'x derived', 'compute s/iter',
            'x derived', 's/iter amortized', 'x derived', 'peak RSS MiB',
            'x derived', 'train memory MiB', 'x derived', 'params',
            f'{TARGET}x target']
    if cuda:
        head[-2:-2] = ['CUDA peak MiB', 'x derived']
    rows = []
    for name in order:
        res = results.get(name)
        if res is None:
            continue
        cell = _strategy_cell(name, res, summary['cheapest'])
        if name not in rat:
            why = f"{res.get('status', 'failed')}: {res.get('reason', '')}"
            rows.append([cell, why.replace('|', '\\|')] +
                        ['–'] * (len(head) - 2))
            continue
        r = rat[name]
        row = [
            cell, f"{res['step_s_median']:.3f}", f"{r['step_time']:.2f}",
            f"{res['compute_s_median']:.3f}", f"{r['compute_time']:.2f}",
            f"{res['amortized_s']:.3f}", f"{r['amortized_time']:.2f}",
            f"{res['peak_rss_mib']:.0f}", f"{r['peak_rss']:.2f}",
            f"{train_memory(res)[1]:.0f}",
            f"{r['train_memory']:.2f}",
            f"{res['params']:,}"
        ]
        if cuda:
            row += [f"{res.get('cuda_max_allocated_mib') or 0:.0f}",
                    f"{r.get('cuda_max_allocated', float('nan')):.2f}"]
        cheap = summary['cheap'].get(name)
        row.append('–' if cheap is None else
                   'met' if cheap['met'] else f"no: {cheap['why']}")
        rows.append(row)
    return benchmark_report.markdown_table(
        head, rows, ['---'] + ['---:'] * (len(head) - 2) + ['---'])


def summary_line(summary: Dict[str, Any]) -> str:
    """One sentence: the cheapest search and the target."""
    text = (f"Cheapest search: `{summary['cheapest']}` "
            f"({summary['cheapest_time']:.2f}x the derived net's s/iter). "
            if summary['cheapest'] else 'No search was measured. ')
    if not summary['cheap']:
        return text + 'No cheap strategy was run.'
    if summary['met']:
        met = [n for n, c in summary['cheap'].items() if c['met']]
        return text + (f"{TARGET}x target (s/iter and training memory) met "
                       f"by {', '.join(f'`{n}`' for n in met)}.")
    why = '; '.join(f'`{n}`: {c["why"]}' for n, c in summary['cheap'].items())
    return text + f'{TARGET}x target not met ({why}).'


def markdown_body(report: Dict[str, Any]) -> str:
    """The per-space sections of the markdown page."""
    parts = []
    for space in report['settings']['spaces']:
        desc = report['spaces'][space]
        base = report['results'][space].get(BASELINE) or {}
        budget = (', projected onto its FLOPs budget'
                  if base.get('budget_projected') else '')
        parts += [
            f'## {space}', '',
            f"Derived baseline: `{desc['derived']}` with the genotype of a "
            f"fresh `{desc['supernet']}` supernet (seed {SEED}{budget}).",
            '',
            space_table(report['results'][space], report['ratios'][space],
                        report['summary'][space],
                        report['settings']['order'][space]),
            summary_line(report['summary'][space]), ''
        ]
    return '\n'.join(parts)


def write_markdown(report: Dict[str, Any], path: str) -> None:
    """The report page: the command line, the machine, one section per
    space, the notes."""
    from pose_nas.utils import benchmark_report
    m, s = report['machine'], report['settings']
    intro = [
        f"Generated by `{s['command']}`.",
        f"{m['platform']}, {m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['threads']} threads, device {m['cuda'] or 'cpu'}; batch "
        f"{s['batch_size']}, {s['iters']} timed iterations after "
        f"{s['warmup']} warm-up, data {s['data']}. Every ratio is to the "
        'derived net of the same space, from this one invocation.'
    ]
    benchmark_report.write_markdown(path, 'Search cost', intro,
                                    markdown_body(report), report['notes'])
