# Copyright (c) pose_nas contributors. All rights reserved.
"""The bench studies kept in benchmarks/studies/ are evidence a later session
builds on: every kept run's net rebuilds from the repository alone with the
parameter count it was reported with, and the per-seed summaries import into
their study (the way a study spanning sessions goes on)."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from pose_nas.workflows.study_records import imported_runs

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEED_SUMMARIES = sorted(glob.glob(
    osp.join(ROOT, 'benchmarks', 'studies', '*', 'seed*', 'summary.json')))


def _load(path):
    with open(path) as f:
        return json.load(f)


def _kept_runs():
    runs = {}
    for path in SEED_SUMMARIES:
        for rec in _load(path)['runs']:
            runs[rec['kept']['config']] = rec
    return sorted(runs.items())


@pytest.mark.parametrize('config,rec', _kept_runs(), ids=lambda x: x
                         if isinstance(x, str) else '')
def test_kept_net_rebuilds_with_its_reported_params(config, rec,
                                                     monkeypatch):
    from mmengine.registry import init_default_scope
    from pose_nas.registry import MODELS
    monkeypatch.chdir(ROOT)  # kept paths are relative to the repository
    for geno in rec['kept']['genotypes']:
        assert osp.isfile(geno), geno
    cfg = Config.fromfile(config)
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) == rec['params']


def test_seed_summaries_import_into_their_study():
    if not SEED_SUMMARIES:
        pytest.skip('no kept study')
    by_study = {}
    for path in SEED_SUMMARIES:
        by_study.setdefault(_load(path)['study'], []).append(path)
    for study, paths in by_study.items():
        cfg = Config.fromfile(osp.join(ROOT, study))
        runs = imported_runs(paths, study, dict(cfg.data),
                             cfg.retrain_epochs, cfg.get('width_match'))
        assert runs and all(seed in cfg.seeds for _, seed in runs)
        variants = {v['name'] for v in cfg.variants}
        assert {name for name, _ in runs} <= variants


def test_merged_tables_hold_the_seed_runs_numbers():
    """A merged study summary (benchmarks/studies/<study>/summary.json)
    reports exactly the AP and parameters of the per-seed runs it merged."""
    seeds = {}
    for path in SEED_SUMMARIES:
        summary = _load(path)
        for rec in summary['runs']:
            seeds[(summary['study'], rec['variant'], rec['seed'])] = rec
    merged = glob.glob(osp.join(ROOT, 'benchmarks', 'studies', '*',
                                'summary.json'))
    if not merged:
        pytest.skip('no merged study')
    for path in merged:
        summary = _load(path)
        for rec in summary['runs']:
            kept = seeds[(summary['study'], rec['variant'], rec['seed'])]
            assert rec['metrics'] == kept['metrics'], path
            assert rec['params'] == kept['params'], path
