# Copyright (c) pose_nas contributors. All rights reserved.
"""The NAS workflow's pieces (pose_nas/workflows/nas_workflow.py)."""
import os.path as osp

import pytest

from pose_nas.workflows.nas_workflow import (WORKFLOW_METHODS,
                                             closing_table, configs_root,
                                             run_nas_workflow)
from pose_nas.workflows.progress import Phases, mmengine_progress

TRAIN_LINE = ('12/01 08:07:54 - mmengine - INFO - Epoch(train) [2][4/4]  '
              'weight.lr: 5.0e-04  eta: 0:01:07  time: 10.8  loss: 0.011524'
              '  loss_kpt: 0.011524  arch_loss: 0.530927  '
              'expected_gflops: 1.094166')
VAL_LINE = ('12/01 08:08:02 - mmengine - INFO - Epoch(val) [2][2/2]    '
            'coco/AP: 0.123000  coco/AP .5: 0.400000  coco/AR: 0.2  '
            'pck/PCK: 0.612000')


def test_progress_shows_mmengine_lines_in_short(capsys):
    show = mmengine_progress(prefix='> ')
    show('some other line')
    show(TRAIN_LINE)
    show(VAL_LINE)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        '> epoch 2 [4/4] loss 0.011524  arch_loss 0.530927  '
        'expected_gflops 1.094166  eta 0:01:07',
        '> val epoch 2: coco/AP 0.123000  pck/PCK 0.612000',
    ]


def test_phases_are_numbered_and_timed(capsys):
    phases = Phases(['data', 'search'])
    phases.start('search', 'darts1')
    phases.done('note')
    out = capsys.readouterr().out
    assert out.startswith('[2/2] search: darts1\n')
    assert '(note)' in out and set(phases.timings) == {'search'}


def test_every_method_config_exists():
    root = configs_root()
    for name, spec in WORKFLOW_METHODS.items():
        assert osp.isfile(osp.join(root, spec['search_config'])), name
        assert spec['search_epochs'] >= 2, name  # past the DARTS warm-up


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        run_nas_workflow('nope', str(tmp_path))
    with pytest.raises(ValueError, match='--det-config and --det-checkpoint'):
        run_nas_workflow(work_dir=str(tmp_path), det_checkpoint='x.pth')


def test_closing_table_is_short_and_complete():
    summary = dict(
        method='efficientpose', what='DARTS', work_dir='/w',
        test=dict(untrained={'coco/AP': 0.0, 'pck/PCK': 0.01},
                  searched={'coco/AP': 0.51, 'pck/PCK': 0.72},
                  release={'coco/AP': 0.51, 'pck/PCK': 0.72}),
        params_m=1.9, gflops=0.145, input_size=[48, 64],
        release=dict(checkpoint='/w/release/x-12345678.pth', sha256='1' * 64),
        topdown={'recall@0.5': 0.8, 'pck@0.1': 0.6},
        topdown_visualizations='/w/topdown/visualizations',
        pictures=['/w/derived/genotype_backbone.png'],
        timings_s=dict(data=1, search=2, total=3))
    table = closing_table(summary)
    assert '| searched -> derived -> retrained | 0.510 | 0.720 |' in table
    assert '| derived net, untrained | 0.000 | 0.010 |' in table
    assert '0.145 GFLOPs at 64x48' in table
    assert 'x-12345678.pth' in table and 'genotype_backbone.png' in table
    assert len(table.splitlines()) < 25


@pytest.mark.slow
def test_nas_workflow_end_to_end(tmp_path, repo_root):
    """The README's command 2 on a tiny schedule: every phase runs through
    the tools, the console shows phase lines and the closing table (no
    stack noise, no JSON dump), and the release reproduces the test."""
    import json
    import re
    import subprocess
    import sys
    work = tmp_path / 'wf'
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/run_nas_workflow.py'),
         '--work-dir', str(work), '--num-train', '48', '--num-val', '8',
         '--num-test', '8', '--search-epochs', '2', '--retrain-epochs', '2',
         '--det-epochs', '1', '--num-demo-images', '2', '--num-workers',
         '0'], capture_output=True, text=True, cwd=repo_root)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    phases = re.findall(r'^\[(\d)/8\] ([\w-]+)', proc.stdout, re.M)
    assert [p for _, p in phases] == [
        'data', 'search', 'derive', 'retrain', 'test', 'publish',
        'detector', 'top-down'
    ]
    for noise in ('Warning', 'Traceback', 'pkg_resources', '"runs"'):
        assert noise not in out, noise
    summary = json.loads((work / 'summary.json').read_text())
    assert summary['method'] == 'posenas'  # the default
    release = summary['release']
    name = osp.basename(release['checkpoint'])
    assert re.fullmatch(r'posenas_synthcoco-[0-9a-f]{8}\.pth', name)
    assert release['sha256'].startswith(name[-12:-4])
    assert name in proc.stdout and release['sha256'] in proc.stdout
    test = summary['test']
    for key in ('coco/AP', 'pck/PCK'):  # the release reproduces the test
        assert test['release'][key] == test['searched'][key]
    assert all(osp.getsize(p) > 1000 for p in summary['pictures'])
    assert summary['topdown']['num_gt'] > 0
    assert '| searched -> derived -> retrained |' in proc.stdout
