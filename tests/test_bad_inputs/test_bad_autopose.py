# Copyright (c) pose_nas contributors. All rights reserved.
"""AutoPose's inputs: a branch vector of the wrong length or range, a
genotype of another space or with the wrong number of branch bits, K < 1
for the best-of-K derivation, unknown options: one-line errors."""
from types import SimpleNamespace

import pytest
from mmengine.registry import init_default_scope
from bad_input_harness import Case, check, params

from pose_nas.models.autopose import AutoPoseBackbone
from pose_nas.models.common import CellSearchBackbone
from pose_nas.nas.genotype import GenotypeError
from pose_nas.registry import HOOKS

TINY = dict(stem_channels=4, channels=(2, 4, 6, 8), individual_nodes=1,
            aggregation_nodes=1, modules_per_stage=1)


def _net(**kw):
    return AutoPoseBackbone(**dict(TINY, **kw))


def _decide(values, **kw):
    return lambda tmp: _net(**kw).apply_decisions(values)


def _genotype_with(**changes):
    def run(tmp):
        g = _net().derive_genotype().to_dict()
        for key, value in changes.items():
            g['components'][key] = value
        return _net(genotype=g)
    return run


def _other_space(tmp):
    cell = CellSearchBackbone(stem_channels=4, channels=4,
                              layout=('normal', ), num_nodes=1)
    return _net(genotype=cell.derive_genotype())


def _k(value):
    def run(tmp):
        # an earlier test may leave another default scope (e.g. mmdet's)
        init_default_scope('mmpose')
        hook = HOOKS.build(dict(type='ReinforceControllerHook',
                                reward=dict(type='CallableReward',
                                            fn='builtins:len'),
                                derive_samples=value))
        hook.before_train(SimpleNamespace(model=_net()))
    return run


CASES = [
    Case('branch-vector-too-short', _decide([1] * 11),
         match=r'branch decisions .* do not fit the decision space \[2, '
         r'.*\(12 values', exc=ValueError),
    Case('branch-vector-too-long', _decide([1] * 13),
         match='do not fit the decision space', exc=ValueError),
    Case('branch-bit-out-of-range', _decide([2] + [1] * 11),
         match='do not fit the decision space', exc=ValueError),
    Case('single-mode-choice-out-of-range',
         _decide([5, 0, 0], branch_mode='single'),
         match=r'do not fit the decision space \[5, 5, 5\]', exc=ValueError),
    Case('genotype-of-another-space', _other_space,
         match="derived for 'CellSearchBackbone', but is given to "
         "'AutoPoseBackbone'", exc=GenotypeError),
    Case('genotype-wrong-bit-count',
         _genotype_with(branches=dict(type='decisions', choices=[2] * 8,
                                      values=[1] * 8)),
         match='branches', exc=GenotypeError),
    Case('genotype-missing-aggregation',
         _genotype_with(aggregation=None), match='aggregation',
         exc=Exception),
    Case('best-of-k-zero', _k(0),
         match=r'derive_samples \(K of the best-of-K derivation\) is 0, '
         r'AutoPoseBackbone needs K >= 1', exc=ValueError),
    Case('best-of-k-negative', _k(-1), match='derive_samples',
         exc=ValueError),
    Case('unknown-branch-mode', lambda tmp: _net(branch_mode='two'),
         match="branch_mode must be one of .* got 'two'", exc=ValueError),
    Case('unknown-aggregation', lambda tmp: _net(aggregation='sum'),
         match="aggregation must be one of .* got 'sum'", exc=ValueError),
    Case('zero-multiplier', lambda tmp: _net(channel_multiplier=0),
         match='channel_multiplier must be > 0', exc=ValueError),
    Case('float-node-count', lambda tmp: _net(individual_nodes=1.5),
         match='individual_nodes', exc=Exception),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_autopose_input(case, tmp_path):
    check(case, tmp_path)
