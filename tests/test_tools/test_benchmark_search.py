# Copyright (c) pose_nas contributors. All rights reserved.
"""tools/benchmark_search.py: a tiny run of two strategies + the baseline."""
import json
import os.path as osp
import subprocess
import sys

from pose_nas.datasets import generate_synthetic_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'benchmark_search.py')


def _run(*args, timeout=300):
    return subprocess.run([sys.executable, TOOL, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_benchmark_search_tiny(tmp_path):
    generate_synthetic_dataset(str(tmp_path / 'data'),
                               splits={'train': 16, 'val': 4}, seed=0,
                               formats=('coco', ))
    out, md = tmp_path / 'x.json', tmp_path / 'x.md'
    proc = _run('--data-root', str(tmp_path / 'data'), '--strategies',
                'sync', 'darts1', '--iters', '2', '--warmup', '1',
                '--batch-size', '4', '--threads', '1', '--out', str(out),
                '--markdown', str(md))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert {'machine', 'settings', 'results', 'ratios', 'notes'} <= set(report)
    results, ratios = report['results'], report['ratios']
    assert set(results) == set(ratios) == {'derived', 'sync', 'darts1'}
    base = results['derived']
    for name, res in results.items():
        assert res['iters_timed'] == 2 and res['iters_run'] == 3
        assert res['step_s_median'] > 0 and res['step_s_mean'] > 0
        assert res['amortized_s'] >= res['step_s_median']
        assert 0 < res['compute_s_median'] <= res['step_s_max']
        assert res['peak_rss_mib'] > 0
        r = ratios[name]
        assert abs(r['step_time'] -
                   res['step_s_median'] / base['step_s_median']) < 1e-6
        assert abs(r['compute_time'] - res['compute_s_median'] /
                   base['compute_s_median']) < 1e-6
        assert abs(r['amortized_time'] -
                   res['amortized_s'] / base['amortized_s']) < 1e-6
        assert abs(r['peak_rss'] -
                   res['peak_rss_mib'] / base['peak_rss_mib']) < 1e-6
    assert ratios['derived']['step_time'] == 1.0
    # the derived net is a sub-net of the supernet it was derived from
    assert base['arch_params'] == 0
    assert base['params'] < base['supernet_params']
    for name in ('sync', 'darts1'):
        assert results[name]['arch_params'] > 0
        assert base['params'] < results[name]['params']
    assert results['darts1']['arch_steps'] == 3  # no warm-up epochs
    assert base['genotype']['space'] == 'CellSearchBackbone'
    table = md.read_text()
    for name in ('derived', 'sync', 'darts1'):
        assert f'| {name} |' in table and f'| {name} |' in proc.stdout


def test_benchmark_search_unknown_strategy(tmp_path):
    proc = _run('--strategies', 'sync', 'nope', '--out',
                str(tmp_path / 'x.json'), timeout=60)
    assert proc.returncode != 0
    assert "unknown strategy 'nope'" in proc.stderr
    assert not (tmp_path / 'x.json').exists()
