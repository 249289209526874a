# Copyright (c) pose_nas contributors. All rights reserved.
"""tools/run_nas_study.py: study files, seeds, the per-variant table, and a
tiny real study (random arch projected on a budget vs released
EfficientPose-A, detector -> pose) through MMPose's own tools."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from mmengine.config import Config

from pose_nas.workflows.study import check_study, markdown_table, summarize
from pose_nas.workflows.study_checks import with_seed

EP = 'configs/efficientpose/'


def _write(tmp_path, text):
    path = tmp_path / 'study.py'
    path.write_text(text)
    return str(path)


def test_with_seed_replaces_placeholders():
    obj = dict(a='{seed}', b=['x{seed}', 3], c=dict(d='{seed}'))
    assert with_seed(obj, 7) == dict(a=7, b=['x7', 3], c=dict(d=7))


@pytest.mark.parametrize('body,error', [
    ("seeds=[0]\nvariants=[]\nretrain_epochs=1", 'no `data`'),
    ("data={}\nseeds=[0]\nretrain_epochs=1\n"
     "variants=[dict(name='a', config='x.py'), dict(name='a', config='x.py')]",
     'unique name'),
    ("data={}\nseeds=[0]\nretrain_epochs=1\n"
     "variants=[dict(name='a', config='x.py', search_config='y.py')]",
     'exactly one'),
    ("data={}\nseeds=[0]\nretrain_epochs=1\n"
     "variants=[dict(name='a', config='missing.py')]", 'config not found'),
    ("data={}\nseeds=[0]\nretrain_epochs=1\n"
     "variants=[dict(name='r', search_config='x.py', random_flops_of='a'),"
     " dict(name='a', config='x.py')]", 'random_flops_of must name an earlier'),
])
def test_check_study_errors(tmp_path, body, error):
    path = _write(tmp_path, body)
    with pytest.raises((KeyError, ValueError, FileNotFoundError),
                       match=error):
        check_study(Config.fromfile(path), path)


def test_check_study_topdown_variant_must_exist(tmp_path, repo_root):
    cfg = osp.join(repo_root, EP, 'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
    path = _write(
        tmp_path, f"data={{}}\nseeds=[0]\nretrain_epochs=1\n"
        f"variants=[dict(name='a', config={cfg!r})]\n"
        "topdown=dict(variant='b', det_config='x.py')")
    with pytest.raises(ValueError, match="topdown.variant 'b'"):
        check_study(Config.fromfile(path), path)


def test_summarize_and_table():
    runs = [
        dict(variant='v', seed=s, metrics={'coco/AP': ap}, params_m=1.0,
             gflops=0.4) for s, ap in ((0, 0.1), (1, 0.3))
    ]
    rows = summarize(runs, [dict(name='v'), dict(name='unrun')], 'coco/AP')
    assert len(rows) == 1
    assert rows[0]['mean'] == pytest.approx(0.2)
    assert rows[0]['std'] == pytest.approx(0.1414, abs=1e-3)
    table = markdown_table(rows, (192, 256))
    assert '| v | 0.200 ± 0.141 (n=2) | 0: 0.100, 1: 0.300 |' in table
    assert 'GFLOPs @256x192' in table


@pytest.mark.slow
def test_tiny_study_through_the_tool(tmp_path, repo_root):
    ep = osp.join(repo_root, EP)
    study = _write(
        tmp_path, f"""
data = dict(num_train=16, num_val=6, seed=0)
seeds = [0]
search_epochs = 1
retrain_epochs = 1
flops_input_size = (192, 256)
variants = [
    dict(name='random',
         search_config={ep + 'efficientpose-random_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py'!r},
         search_cfg_options={{'train_cfg.search.random.seed': '{{seed}}'}},
         derive_args=['--budget-gflops', 0.5]),
    dict(name='released-A',
         config={ep + 'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py'!r}),
]
topdown = dict(variant='released-A',
               det_config={osp.join(repo_root, 'configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py')!r},
               det_epochs=1, num_images=2, bbox_thr=0.0)
""")
    work = tmp_path / 'work'
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/run_nas_study.py'), study,
         '--work-dir', str(work), '--num-workers', '0'],
        capture_output=True, text=True, cwd=repo_root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((work / 'summary.json').read_text())
    runs = {r['variant']: r for r in summary['runs']}
    assert set(runs) == {'random', 'released-A'}
    # the random draw was projected onto the 0.5 GFLOPs budget (5 %)
    assert abs(runs['random']['gflops'] - 0.5) <= 0.05 * 0.5
    assert runs['random']['genotypes']
    assert runs['released-A']['gflops'] == pytest.approx(0.4236, abs=1e-3)
    for r in runs.values():
        assert 'coco/AP' in r['metrics']
        assert osp.isfile(r['checkpoint'])
    assert [row['variant'] for row in summary['table']] == [
        'random', 'released-A'
    ]
    md = (work / 'results.md').read_text()
    table = md.split('\n\n')[0]
    assert table.count('| random |') == 1
    assert table.count('| released-A |') == 1
    # how far the (random-strategy) search left its alphas; none for the
    # fixed released net
    moved = md.split('entropy 1 = uniform):')[1]
    assert '| random | 0 |' in moved and 'released-A' not in moved
    assert 0 <= runs['random']['search_arch']['entropy_min'] <= 1
    # one seed here: the pair is reported, without an interval
    (cmp, ) = summary['comparisons']
    assert (cmp['a'], cmp['b'], cmp['n']) == ('random', 'released-A', 1)
    assert '| random - released-A |' in md
    assert osp.getsize(summary['plot']) > 1000
    match = summary['topdown']['match']
    assert match['num_gt'] > 0 and 'recall@0.5' in match


def test_resume_keeps_finished_runs(tmp_path, repo_root, monkeypatch):
    """A resumed study reruns only what an earlier invocation left."""
    import pose_nas.workflows.study as study_mod
    cfg = osp.join(repo_root, EP, 'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
    path = _write(tmp_path, f"data=dict(num_train=2, num_val=2)\n"
                  f"seeds=[0, 1]\nretrain_epochs=1\n"
                  f"variants=[dict(name='a', config={cfg!r})]")
    ran = []

    def fake_run_variant(study, study_file, v, seed, root, out, *args):
        ran.append(seed)
        ckpt = tmp_path / f'ckpt{seed}.pth'
        ckpt.write_text('x')
        return dict(variant=v['name'], seed=seed, metrics={'coco/AP': 0.1},
                    params_m=1.0, gflops=0.4, checkpoint=str(ckpt))

    monkeypatch.setattr(study_mod, 'run_variant', fake_run_variant)
    work = str(tmp_path / 'work')
    study_mod.run_study(path, work, seeds=[0])
    assert ran == [0]
    summary = study_mod.run_study(path, work, resume=True)
    assert ran == [0, 1]  # seed 0 was kept
    assert [r['seed'] for r in summary['runs']] == [0, 1]
    # a run whose checkpoint is gone is run again
    os.remove(tmp_path / 'ckpt1.pth')
    study_mod.run_study(path, work, resume=True)
    assert ran == [0, 1, 1]
    # ... unless the summary is imported (a study spanning sessions): its
    # runs count as finished, checkpoints or not, in a new work dir
    kept = str(tmp_path / 'kept.json')
    shutil.copy(osp.join(work, 'summary.json'), kept)
    os.remove(tmp_path / 'ckpt0.pth')
    os.remove(tmp_path / 'ckpt1.pth')
    out = study_mod.run_study(path, str(tmp_path / 'work2'),
                              import_runs=kept)
    assert ran == [0, 1, 1]
    assert [r['imported_from'] for r in out['runs']] == [kept, kept]
    # seeds run as parallel processes: one summary each, merged
    halves = []
    for seed in (0, 1):
        summary = json.load(open(kept))
        summary['runs'] = [r for r in summary['runs'] if r['seed'] == seed]
        halves.append(str(tmp_path / f'seed{seed}.json'))
        json.dump(summary, open(halves[-1], 'w'))
    out = study_mod.run_study(path, str(tmp_path / 'work4'),
                              import_runs=halves)
    assert ran == [0, 1, 1]
    assert [(r['seed'], r['imported_from']) for r in out['runs']] == \
        [(0, halves[0]), (1, halves[1])]
    # ... but a run in two of them is ambiguous
    with pytest.raises(ValueError, match="'a' seed 0 is in both"):
        study_mod.run_study(path, str(tmp_path / 'work5'),
                            import_runs=[kept, halves[0]])
    # runs on other data (or of another study) are refused in one line
    other = _write(tmp_path, f"data=dict(num_train=3, num_val=2)\n"
                   f"seeds=[0, 1]\nretrain_epochs=1\n"
                   f"variants=[dict(name='a', config={cfg!r})]")
    with pytest.raises(ValueError, match='--import-runs: .* has data'):
        study_mod.run_study(other, str(tmp_path / 'work3'),
                            import_runs=kept)


def test_resume_of_a_subset_keeps_the_other_variants(tmp_path, repo_root,
                                                     monkeypatch):
    """Running one variant again (--variants b --resume) neither drops the
    other variants' runs nor an earlier top-down result, and the rerun
    sees them (a FLOPs-matched random variant finds its target there)."""
    import json

    import pose_nas.workflows.study as study_mod
    cfg = osp.join(repo_root, EP, 'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
    path = _write(tmp_path, f"data=dict(num_train=2, num_val=2)\n"
                  f"seeds=[0]\nretrain_epochs=1\n"
                  f"variants=[dict(name='a', config={cfg!r}), "
                  f"dict(name='b', config={cfg!r})]")
    seen = []

    def fake_run_variant(study, study_file, v, seed, root, out, workers,
                         threads, done):
        seen.append((v['name'], sorted(r['variant'] for r in done)))
        ckpt = tmp_path / f"{v['name']}{seed}.pth"
        ckpt.write_text('x')
        return dict(variant=v['name'], seed=seed, metrics={'coco/AP': 0.1},
                    params_m=1.0, gflops=0.4, checkpoint=str(ckpt))

    monkeypatch.setattr(study_mod, 'run_variant', fake_run_variant)
    work = tmp_path / 'work'
    study_mod.run_study(path, str(work))
    assert seen == [('a', []), ('b', ['a'])]
    summary = json.loads((work / 'summary.json').read_text())
    summary['topdown'] = dict(match={'recall@0.5': 0.5})
    (work / 'summary.json').write_text(json.dumps(summary))
    os.remove(tmp_path / 'b0.pth')  # b must run again
    out = study_mod.run_study(path, str(work), variants=['b'], resume=True,
                              skip_topdown=True)
    assert seen[-1] == ('b', ['a'])
    assert sorted(r['variant'] for r in out['runs']) == ['a', 'b']
    assert [row['variant'] for row in out['table']] == ['a', 'b']
    assert out['topdown'] == dict(match={'recall@0.5': 0.5})


def test_random_flops_of_needs_the_target_run(tmp_path, repo_root):
    from pose_nas.workflows.study import _random_flops_matched
    variant = dict(name='r', random_flops_of='full', search_config=osp.join(
        repo_root, 'configs/autopose/autopose-darts1-gumbel-reinforce_'
        'autopose_hm_1xb8-3e_synthcoco-64x48.py'))
    with pytest.raises(RuntimeError, match="'full' has no finished run at "
                       'seed 1'):
        _random_flops_matched(Config(dict(retrain_epochs=1)), 'study.py',
                              variant, 1, [dict(variant='full', seed=0,
                                                gflops=0.02)],
                              str(tmp_path), {})


def test_study_splits_from_a_preset_or_the_defaults(monkeypatch):
    from pose_nas.datasets.synthetic import SYNTHETIC_PRESETS, get_preset
    from pose_nas.workflows.study import study_splits
    assert study_splits(dict(num_train=10, num_val=4)) == dict(
        train=10, val=4, test=4)
    bench = get_preset('synthcoco-bench-v1')['splits']
    assert study_splits(dict(preset='synthcoco-bench-v1')) == bench
    assert study_splits(dict(preset='synthcoco-bench-v1',
                             num_train=100))['train'] == 100
    with pytest.raises(KeyError, match='unknown synthetic preset'):
        study_splits(dict(preset='synthcoco-bench-v9'))
    monkeypatch.setitem(SYNTHETIC_PRESETS, 'no-test-v1', dict(
        image_size=(64, 64), max_figures=1, scene={},
        splits=dict(train=2, val=1)))
    with pytest.raises(ValueError, match="no 'test' split"):
        study_splits(dict(preset='no-test-v1'))


STUDY_FILES = sorted(
    glob.glob(osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'configs', '*', 'studies', '*.py')))


@pytest.mark.parametrize('study_file', STUDY_FILES, ids=osp.basename)
def test_shipped_studies_are_valid(study_file):
    """Every shipped study names existing configs and valid seeds, and its
    data resolves to train / val / test splits."""
    from pose_nas.workflows.study import study_splits
    from pose_nas.workflows.study_checks import check_seeds
    study = Config.fromfile(study_file)
    check_study(study, study_file)
    check_seeds(list(study.seeds), 'seeds')
    assert set(study_splits(dict(study.data))) == {'train', 'val', 'test'}
