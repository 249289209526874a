# Copyright (c) pose_nas contributors. All rights reserved.
"""nas_evidence: kept studies side by side, nets rebuilt and timed."""
import copy
import importlib.util
import json
import os.path as osp
import sys

import pytest

from pose_nas.workflows.nas_evidence import (cross_method_table, method_rows,
                                             run_config)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REFERENCE = osp.join(REPO, 'benchmarks', 'synthcoco_bench_v1_reference.json')


def _reference():
    with open(REFERENCE) as f:
        return json.load(f)


def test_rows_rebuild_the_nets_and_time_them():
    summary = _reference()
    # the weak baseline only (a small net, quick to time)
    summary['table'] = [r for r in summary['table']
                        if r['variant'] == 'weak-c8']
    rows = method_rows(summary, REPO, latency=True)
    (row, ) = rows
    assert row['n'] == 3 and abs(row['mean'] - 0.323) < 1e-3
    assert 0.05 < row['params_m'] < 0.07 and row['search_s'] is None
    assert 0 < row['latency_ms'] < 1000
    table = cross_method_table({'reference': rows})
    assert '| reference | weak-c8 | 0.323 ± 0.007 (3) | 0.06 | 0.010 |' \
        in table


def test_gflops_range_and_width_match_are_shown():
    from pose_nas.workflows.nas_evidence import method_section
    row = dict(variant='darts1', mean=0.5, std=0.01, n=3, params_m=1.0,
               gflops=0.104, gflops_range=(0.101, 0.108), search_s=60.0,
               retrain_s=600.0, latency_ms=None)
    table = cross_method_table({'EP': [row]})
    assert '| 0.104 (0.101-0.108) |' in table
    summary = dict(study='s.py', seeds=[0], table=[], comparisons=[],
                   flops_input_size=[96, 128],
                   width_match=dict(gflops=0.1, tolerance=0.02, choices=[]))
    text = method_section('AutoPose', summary, 'k.json', REPO)
    assert 'within 2% of 0.1 GFLOPs' in text
    summary['width_match'] = None
    assert 'width_match' not in method_section('PNFS', summary, 'k.json',
                                               REPO)


def test_every_section_gives_the_command_of_its_rows():
    from pose_nas.workflows.nas_evidence import method_section
    summary = dict(study='configs/x/studies/bench.py', seeds=[0, 1, 2],
                   threads=1, table=[], comparisons=[],
                   flops_input_size=[96, 128],
                   runs=[dict(imported_from='k/seed1/summary.json'),
                         dict(imported_from='k/seed0/summary.json'),
                         dict(imported_from='k/seed0/summary.json')])
    text = method_section('PNFS', summary, 'k.json', REPO)
    assert ('`python tools/run_nas_study.py configs/x/studies/bench.py '
            '--work-dir work_dirs/bench --seeds 0 1 2 --threads 1 '
            '--skip-topdown`') in text
    assert ('--import-runs k/seed0/summary.json k/seed1/summary.json`'
            in text)
    summary['runs'] = [dict(variant='a')]  # one invocation, nothing kept
    assert '--import-runs' not in method_section('PNFS', summary, 'k.json',
                                                 REPO)


def test_run_config_prefers_the_kept_net(tmp_path):
    summary = _reference()
    rec = copy.deepcopy(summary['runs'][0])
    # a fixed net of the study: its shipped config
    assert run_config(summary, rec, REPO).endswith(
        'td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py')
    rec['kept'] = dict(config='benchmarks/studies/x/retrain_config.py')
    assert run_config(summary, rec, REPO) == osp.join(
        REPO, 'benchmarks/studies/x/retrain_config.py')
    rec.pop('kept')
    rec['variant'] = 'searched'  # not a fixed config, nothing kept
    assert run_config(summary, rec, REPO) is None


def _tool():
    spec = importlib.util.spec_from_file_location(
        'nas_evidence_tool', osp.join(REPO, 'tools', 'nas_evidence.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tool_writes_markdown_and_json(tmp_path, monkeypatch, capsys):
    tool, out = _tool(), str(tmp_path / 'evidence')
    monkeypatch.setattr(sys, 'argv', [
        'nas_evidence.py', '--reference', REFERENCE, '--out', out,
        '--no-latency'])
    tool.main()
    md = open(out + '.md').read()
    assert '| reference | baseline | 0.509 ± 0.009 (3) |' in md
    assert 'python tools/nas_evidence.py --reference' in md
    assert ('| reference | baseline - weak-c8 | +0.186 ± 0.006 (3) | '
            '[+0.170, +0.202] | baseline better |') in md
    assert '--seeds 0 1 2 --threads 2 --skip-topdown`' in md
    assert json.load(open(out + '.json'))['methods']['reference']['rows']
    monkeypatch.setattr(sys, 'argv', [
        'nas_evidence.py', '--study', 'nothing', '--out', out])
    with pytest.raises(SystemExit, match="'nothing' is not "
                       'METHOD=SUMMARY_JSON'):
        tool.main()
