# Copyright (c) pose_nas contributors. All rights reserved.
"""A study's ``width_match``: every net retrained at the width that puts it
at one GFLOPs target (the cross-method table's matched FLOPs)."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from pose_nas.workflows.study_width import check_width_match, match_width

POSENAS = 'configs/posenas/td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py'
SIZE = (48, 64)


def _choices(widths):
    return [{'model.backbone.channels': c,
             'model.head.in_channels': [2 * c, 4 * c, 8 * c, 16 * c]}
            for c in widths]


def _gflops_at(cfg, c):
    from pose_nas.workflows.study_width import _gflops
    trial = Config(cfg.to_dict())
    trial.merge_from_dict(_choices([c])[0])
    return _gflops(trial, SIZE)


@pytest.mark.parametrize('spec,error', [
    ([], 'must be a dict'),
    (dict(gflops=0.1, choices=[{'a': 1}], budget=1), 'unknown width_match'),
    (dict(gflops=-1, choices=[{'a': 1}]), 'gflops must be a finite'),
    (dict(gflops=float('nan'), choices=[{'a': 1}]), 'gflops must be a finite'),
    (dict(gflops=0.1, tolerance=1.5, choices=[{'a': 1}]), 'tolerance must'),
    (dict(gflops=0.1, choices=[]), 'choices must be a non-empty list'),
    (dict(gflops=0.1, choices=[{}]), 'choices must be a non-empty list'),
])
def test_bad_specs_are_one_line_errors(spec, error):
    with pytest.raises((TypeError, KeyError, ValueError), match=error):
        check_width_match(spec, 'study s.py')


def test_picks_the_closest_width_by_bisection(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, POSENAS))
    before = cfg.to_dict()
    target = _gflops_at(cfg, 14)
    widths = list(range(4, 41, 2))  # 19 choices, narrowest to widest
    out = match_width(cfg, dict(gflops=target * 1.01, tolerance=0.05,
                                choices=_choices(widths)), SIZE, 'net x')
    assert out['options']['model.backbone.channels'] == 14
    assert out['gflops'] == pytest.approx(target)
    assert out['base_gflops'] == pytest.approx(_gflops_at(cfg, 8))
    assert out['counted'] < len(widths)  # a bisection, not every width
    assert cfg.to_dict() == before  # the caller merges the options


def test_no_width_within_tolerance_names_the_closest(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, POSENAS))
    with pytest.raises(ValueError, match=r"variant 'a' seed 0: no width "
                       r'choice is within 2% of 50.0 GFLOPs \(closest: '
                       r".*'model.backbone.channels': 12"):
        match_width(cfg, dict(gflops=50.0, choices=_choices([8, 10, 12])),
                    SIZE, "variant 'a' seed 0")


def test_a_choice_that_does_not_build_is_named(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, POSENAS))
    with pytest.raises(ValueError, match=r"width choice .*'model.backbone."
                       r"channels': 9.* does not build .*even"):
        match_width(cfg, dict(gflops=0.01, choices=_choices([9])), SIZE,
                    'net x')


def test_the_study_retrains_the_widened_net(tmp_path, repo_root,
                                            monkeypatch):
    """run_variant merges the chosen width into the retrain config it
    dumps, counts the widened net and records the choice."""
    import pose_nas.workflows.study as study_mod
    cfg_file = osp.join(repo_root, POSENAS)
    target = _gflops_at(Config.fromfile(cfg_file), 12)
    study = Config(dict(
        retrain_epochs=1, flops_input_size=SIZE,
        width_match=dict(gflops=target, choices=_choices(range(6, 31, 2)))))
    calls = []
    monkeypatch.setattr(study_mod, 'run_tool',
                        lambda tool, args, log, env=None: calls.append(args))
    monkeypatch.setattr(study_mod, 'last_checkpoint',
                        lambda d, e: osp.join(d, 'epoch_1.pth'))
    monkeypatch.setattr(study_mod, 'latest_metrics',
                        lambda d: {'coco/AP': 0.5})
    data = tmp_path / 'coco'
    (data / 'annotations').mkdir(parents=True)
    rec = study_mod.run_variant(study, str(tmp_path / 's.py'),
                                dict(name='published', config=cfg_file), 0,
                                str(data), str(tmp_path / 'out'))
    assert rec['width']['options']['model.backbone.channels'] == 12
    assert rec['gflops'] == pytest.approx(target)
    dumped = Config.fromfile(calls[0][0])
    assert dumped.model.backbone.channels == 12
    assert dumped.model.head.in_channels == [24, 48, 96, 192]


def test_random_match_reads_the_net_before_widening(tmp_path, monkeypatch):
    """A FLOPs-matched random draw is as heavy as the searched net in the
    searched space: it matches ``base_gflops``, then is widened like it."""
    import pose_nas.apis.random_arch as random_arch
    from pose_nas.workflows.study import _random_flops_matched
    seen = {}

    def fake(config, out_dir, seed, cfg_options=None, match=None):
        seen.update(match)
        return dict(config='r.py', genotypes={'': 'g.json'},
                    gflops=match['gflops'], trial=0)

    monkeypatch.setattr(random_arch, 'derive_random_arch', fake)
    done = [dict(variant='darts1', seed=0, gflops=0.1,
                 width=dict(base_gflops=0.21, gflops=0.1))]
    rec = {}
    _random_flops_matched(Config(dict(retrain_epochs=1)), 's.py',
                          dict(name='random', random_flops_of='darts1',
                               search_config='x.py'), 0, done,
                          str(tmp_path), rec)
    assert seen['gflops'] == 0.21
    assert rec['random_draw']['target_gflops'] == 0.21


def test_imports_of_another_width_match_are_refused(tmp_path, repo_root):
    from pose_nas.workflows.study_records import imported_runs
    spec = dict(gflops=0.1, choices=_choices([8, 10]))
    path = tmp_path / 'summary.json'
    path.write_text(json.dumps(dict(
        study='/x/s.py', data={}, retrain_epochs=1, width_match=None,
        runs=[dict(variant='a', seed=0, metrics={'coco/AP': 0.1})])))
    assert imported_runs(str(path), 's.py', {}, 1)  # neither widens
    with pytest.raises(ValueError, match='--import-runs: .* has '
                       'width_match None'):
        imported_runs(str(path), 's.py', {}, 1, spec)
