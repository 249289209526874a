"""Random architectures (``tools/derive_arch.py --random``): reproducible
draws, uniform discrete decisions, FLOPs matching of the retrained model,
clear errors."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from pose_nas.apis.random_arch import derive_random_arch
from pose_nas.deploy.complexity import model_complexity
from pose_nas.nas.genotype import load_genotype
from pose_nas.nas.mutator import ArchMutator
from pose_nas.nas.random_arch import (arch_snapshot, draw_random_arch,
                                      mutate_random_arch, restore_arch)

AUTOPOSE = ('configs/autopose/autopose-darts1-gumbel-reinforce_autopose_hm_'
            '1xb8-3e_synthcoco-64x48.py')
POSENAS = ('configs/posenas/posenas-darts1_posenas-l8-c8_fusiondec_1xb8-10e_'
           'synthcoco-64x48.py')
SIZE = (48, 64)


@pytest.fixture(scope='module')
def autopose_mutator(repo_root):
    init_default_scope('mmpose')
    cfg = Config.fromfile(osp.join(repo_root, AUTOPOSE))
    return ArchMutator(MODELS.build(cfg.model))


def _draw(mutator, seed):
    return draw_random_arch(mutator, torch.Generator().manual_seed(seed))


def test_same_seed_same_architecture(autopose_mutator):
    a = _draw(autopose_mutator, 5)['backbone'].to_dict()
    b = _draw(autopose_mutator, 5)['backbone'].to_dict()
    c = _draw(autopose_mutator, 6)['backbone'].to_dict()
    assert a == b
    assert a['components'] != c['components']


def test_branch_decisions_are_drawn(autopose_mutator):
    """AutoPose's branch bits are random too (not all on, not fixed)."""
    bits = [
        tuple(_draw(autopose_mutator, s)['backbone']['branches']['values'])
        for s in range(8)
    ]
    assert all(len(b) == 12 for b in bits)
    assert len(set(bits)) > 4
    assert 0 < sum(map(sum, bits)) < 8 * 12


def test_match_gflops_of_the_retrained_model(tmp_path, repo_root):
    """The accepted draw's retrained model (the written config, counted
    again here) is within tolerance of the target."""
    cfg = osp.join(repo_root, AUTOPOSE)
    free = derive_random_arch(cfg, str(tmp_path / 'free'), seed=5)
    target = model_complexity(free['config'], SIZE)['gflops']
    out = derive_random_arch(
        cfg, str(tmp_path / 'm'), seed=0,
        match=dict(gflops=target, input_size=SIZE, tolerance=0.05))
    measured = model_complexity(out['config'], SIZE)['gflops']
    assert measured == pytest.approx(out['gflops'])
    assert abs(measured / target - 1) <= 0.05
    meta = load_genotype(out['genotypes']['backbone']).meta['random']
    assert meta['seed'] == 0 and meta['trial'] == out['trial']
    assert meta['target_gflops'] == target
    assert out['trial'] > 0  # the first draws missed: matching redrew


def test_retrain_cfg_options_are_counted(tmp_path, repo_root):
    """PoseNAS without Fusion-and-Enhancement (a study's retrain option)
    is what gets matched, not the two-stage model of the train config."""
    options = {
        'model.head.num_stages': 1,
        'test_evaluator': dict(_delete_=True, type='PCKAccuracy'),
    }
    one = derive_random_arch(
        osp.join(repo_root, POSENAS), str(tmp_path / 'p'), seed=1,
        match=dict(gflops=0.003, input_size=SIZE, tolerance=0.99,
                   max_trials=1, retrain_cfg_options=options))
    # the caller's options are left as they were (a study merges them again)
    assert options['test_evaluator'] == dict(_delete_=True,
                                             type='PCKAccuracy')
    cfg = Config.fromfile(one['config'])
    two_stage = model_complexity(MODELS.build(cfg.model), SIZE)['gflops']
    assert one['gflops'] < 0.8 * two_stage


def test_walk_step_redraws_one_slot_and_restores(autopose_mutator):
    """A walk step changes exactly one edge row or one branch decision;
    restoring the snapshot gives the genotype back."""
    before = _draw(autopose_mutator, 3)['backbone'].to_dict()
    snap = arch_snapshot(autopose_mutator)
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        mutate_random_arch(autopose_mutator, gen)
        now = arch_snapshot(autopose_mutator)
        rows = sum(int((now['params'][n] != snap['params'][n]).any(-1).sum())
                   for n in snap['params'])
        flips = sum(a != b for a, b in zip(now['decisions'],
                                           snap['decisions']))
        assert rows + flips <= 1
        restore_arch(autopose_mutator, snap)
    after = autopose_mutator.derive_genotypes()['backbone'].to_dict()
    assert after == before


def test_walk_reaches_a_target_redraws_miss(tmp_path, repo_root):
    """A heavy PoseNAS target (a searched net's cost, in the tail of the
    random draws): 2 redraws miss, the walk from the closer one (0.0026) ends inside
    the band, and the written config counts as reported; without the walk
    the same call is a clear error."""
    kwargs = dict(gflops=0.0029, input_size=SIZE, max_trials=2, mix_steps=2,
                  retrain_cfg_options={'model.head.num_stages': 1})
    out = derive_random_arch(osp.join(repo_root, POSENAS),
                             str(tmp_path / 'w'), seed=0, match=kwargs)
    assert out['walk'] is not None and out['walk']['steps'] >= 3
    cfg = Config.fromfile(out['config'])
    cfg.merge_from_dict({'model.head.num_stages': 1})
    measured = model_complexity(MODELS.build(cfg.model), SIZE)['gflops']
    assert measured == pytest.approx(out['gflops'])
    assert abs(measured / 0.0029 - 1) <= 0.05
    meta = load_genotype(out['genotypes']['']).meta['random']
    assert meta['walk'] == out['walk'] and meta['trial'] == out['trial']
    with pytest.raises(RuntimeError, match='in 2 draws and 0 walk steps'):
        derive_random_arch(osp.join(repo_root, POSENAS), str(tmp_path / 'n'),
                           seed=0, match=dict(kwargs, walk_steps=0))


def test_unreachable_target_names_the_closest(tmp_path, repo_root):
    with pytest.raises(RuntimeError, match=r'within 5% of 1000 GFLOPs in 2 '
                       r'draws and 2 walk steps \(closest'):
        derive_random_arch(osp.join(repo_root, AUTOPOSE), str(tmp_path),
                           seed=0, match=dict(gflops=1000, input_size=SIZE,
                                              max_trials=2, walk_steps=2))


@pytest.mark.parametrize('match,error', [
    (dict(gflops=float('nan')), 'must be a finite number'),
    (dict(gflops=-1.0), 'finite number > 0'),
    (dict(gflops=0.1, tolerance=1.5), r'tolerance must be in \(0, 1\)'),
    (dict(gflops=0.1, max_trials=0), 'max trials'),
    (dict(gflops=0.1, walk_steps=-1), 'walk steps'),
    (dict(gflops=0.1, budget=1), 'unknown FLOPs-matching option'),
])
def test_bad_match_options(tmp_path, repo_root, match, error):
    with pytest.raises((ValueError, KeyError, TypeError), match=error):
        derive_random_arch(osp.join(repo_root, AUTOPOSE), str(tmp_path),
                           seed=0, match=match)


def test_fixed_architecture_has_nothing_to_draw(tmp_path, repo_root):
    train = 'configs/autopose/td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py'
    with pytest.raises(RuntimeError, match='has no architecture parameters'):
        derive_random_arch(osp.join(repo_root, train), str(tmp_path), seed=0)


@pytest.mark.parametrize('args,error', [
    ([], 'give a search checkpoint or --random SEED'),
    (['ckpt.pth', '--random', '0'], 'give a search checkpoint or --random'),
    (['ckpt.pth', '--match-gflops', '0.1'], '--match-gflops needs --random'),
    (['--random', '-1'], 'must be >= 0'),
])
def test_cli_errors(tmp_path, repo_root, args, error):
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/derive_arch.py'),
         osp.join(repo_root, AUTOPOSE), *args, '--out-dir', str(tmp_path)],
        capture_output=True, text=True)
    assert proc.returncode == 2
    assert error in proc.stderr
