# Copyright (c) pose_nas contributors. All rights reserved.
"""Paired statistics of a study (pose_nas/workflows/study_stats.py)."""
import json
import math
import os.path as osp

import pytest
from mmengine.config import Config

from pose_nas.workflows import check_study
from pose_nas.workflows.study_stats import (arch_movement, bootstrap_ci,
                                            comparison_table, comparisons,
                                            movement_table, paired_comparison,
                                            plot_study, sign_test_p)


def _runs(values):
    """``{variant: [metric per seed]}`` -> study run records."""
    return [dict(variant=v, seed=s, metrics={'coco/AP': ap}, gflops=0.1 + s,
                 params_m=1.0)
            for v, aps in values.items() for s, ap in enumerate(aps)]


def test_sign_test_is_exact():
    assert sign_test_p([1, 2, 3]) == pytest.approx(0.25)
    assert sign_test_p([1] * 6) == pytest.approx(2 / 64)
    assert sign_test_p([1, -1, 2, -2]) == pytest.approx(1.0)
    assert sign_test_p([0, 0]) == 1.0


def test_consistent_gap_is_significant_and_names_the_winner():
    runs = _runs({'searched': [0.52, 0.55, 0.50],
                  'random': [0.40, 0.41, 0.39]})
    c = paired_comparison(runs, 'searched', 'random', 'coco/AP')
    assert c['seeds'] == [0, 1, 2]
    assert c['diffs'] == pytest.approx([0.12, 0.14, 0.11])
    assert c['mean'] == pytest.approx(0.12333, abs=1e-4)
    assert c['t_ci95'][0] > 0 and c['verdict'] == 'searched better'
    lo, hi = c['bootstrap_ci95']
    assert 0.11 - 1e-9 <= lo <= hi <= 0.14 + 1e-9
    # reversed order: the other one is worse
    c = paired_comparison(runs, 'random', 'searched', 'coco/AP')
    assert c['verdict'] == 'searched better'


def test_noisy_gap_is_no_significant_difference():
    runs = _runs({'searched': [0.50, 0.40, 0.47],
                  'random': [0.45, 0.46, 0.44]})
    c = paired_comparison(runs, 'searched', 'random', 'coco/AP')
    assert c['t_ci95'][0] < 0 < c['t_ci95'][1]
    assert c['verdict'] == 'no significant difference'
    table = comparison_table([c])
    assert 'no significant difference' in table and '+0.050' in table


def test_only_shared_seeds_are_paired():
    runs = _runs({'a': [0.5, 0.6, 0.7], 'b': [0.4]})
    c = paired_comparison(runs, 'a', 'b', 'coco/AP')
    assert c['seeds'] == [0] and c['n'] == 1
    assert c['t_ci95'] is None and 'not enough seeds' in c['verdict']
    assert paired_comparison(runs, 'a', 'nope', 'coco/AP') is None
    # default pairs: the first variant against each other one
    assert [(x['a'], x['b']) for x in comparisons(runs, ['a', 'b'],
                                                  'coco/AP')] == [('a', 'b')]


def test_bootstrap_is_deterministic():
    assert bootstrap_ci([0.1, -0.2, 0.3]) == bootstrap_ci([0.1, -0.2, 0.3])


def test_plot_is_written(tmp_path):
    runs = _runs({'searched': [0.5, 0.6], 'random': [0.4, 0.3]})
    path = plot_study(runs, 'coco/AP', str(tmp_path / 'study.png'), (48, 64))
    assert osp.getsize(path) > 1000
    assert plot_study([], 'coco/AP', str(tmp_path / 'x.png'), (48, 64)) is None


def test_compare_naming_an_unknown_variant_is_an_error(tmp_path):
    cfg = tmp_path / 'train.py'
    cfg.write_text('x = 1\n')
    study = Config(dict(
        data=dict(), seeds=[0, 1, 2], retrain_epochs=1,
        variants=[dict(name='a', config='train.py'),
                  dict(name='b', config='train.py')],
        compare=[('a', 'c')]))
    with pytest.raises(ValueError, match="compare.*'c'"):
        check_study(study, str(tmp_path / 'study.py'))


def test_arch_movement_reads_the_last_record(tmp_path):
    """Entropy and logit range (log max/min weight per row) of the last
    logged epoch; the controller's normalized entropy along its path."""
    w = [0.5, 0.25, 0.25]
    last = dict(epoch=4, arch={
        'a.normal': dict(entropy=0.9, weights=[w, [1 / 3] * 3]),
        'a.reduce': dict(entropy=0.7, weights=[[0.8, 0.1, 0.1]]),
    }, decisions={'': dict(probs=[[0.5, 0.5], [1.0, 0.0]])})
    first = dict(epoch=0, arch={'a.normal': dict(entropy=1.0,
                                                 weights=[[1 / 3] * 3])})
    path = tmp_path / 'arch_history.jsonl'
    path.write_text(json.dumps(first) + '\n' + json.dumps(last) + '\n')
    m = arch_movement(str(path))
    assert (m['epoch'], m['entropy_min'], m['entropy_max']) == (4, 0.7, 0.9)
    assert m['logit_range_min'] == pytest.approx(0.0, abs=1e-3)
    assert m['logit_range_max'] == pytest.approx(math.log(8), abs=1e-3)
    assert m['controller_entropy'] == pytest.approx(0.5)
    table = movement_table([dict(variant='s', seed=1, search_arch=m),
                            dict(variant='published', seed=1)])
    assert '| s | 1 | 0.70-0.90 | 0.00-2.08 | 0.5 |' in table
    assert 'published' not in table
    assert arch_movement(str(tmp_path / 'missing.jsonl')) is None
    assert movement_table([dict(variant='published', seed=0)]) == ''
