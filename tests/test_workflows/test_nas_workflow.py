# Copyright (c) pose_nas contributors. All rights reserved.
"""The NAS workflow's pieces (pose_nas/workflows/nas_workflow.py)."""
import os.path as osp

import pytest

from pose_nas.workflows.nas_workflow import (WORKFLOW_METHODS, Phases,
                                             closing_table, configs_root,
                                             mmengine_progress,
                                             run_nas_workflow)

TRAIN_LINE = ('12/01 08:07:54 - mmengine - INFO - Epoch(train) [2][4/4]  '
              'weight.lr: 5.0e-04  eta: 0:01:07  time: 10.8  loss: 0.011524'
              '  loss_kpt: 0.011524  arch_loss: 0.530927  '
              'expected_gflops: 1.094166')
VAL_LINE = ('12/01 08:08:02 - mmengine - INFO - Epoch(val) [2][2/2]    '
            'coco/AP: 0.123000  coco/AP .5: 0.400000  coco/AR: 0.2')


def test_progress_shows_mmengine_lines_in_short(capsys):
    show = mmengine_progress(prefix='> ')
    show('some other line')
    show(TRAIN_LINE)
    show(VAL_LINE)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        '> epoch 2 [4/4] loss 0.011524  arch_loss 0.530927  '
        'expected_gflops 1.094166  eta 0:01:07',
        '> val epoch 2: coco/AP 0.123000',
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
        test=dict(untrained={'coco/AP': 0.0}, searched={'coco/AP': 0.51},
                  release={'coco/AP': 0.51}),
        params_m=1.9, gflops=0.145,
        release=dict(checkpoint='/w/release/x-12345678.pth', sha256='1' * 64),
        topdown={'recall@0.5': 0.8, 'pck@0.1': 0.6},
        topdown_visualizations='/w/topdown/visualizations',
        pictures=['/w/derived/genotype_backbone.png'],
        timings_s=dict(data=1, search=2, total=3))
    table = closing_table(summary)
    assert '| searched -> derived -> retrained | 0.510 |' in table
    assert 'x-12345678.pth' in table and 'genotype_backbone.png' in table
    assert len(table.splitlines()) < 25
