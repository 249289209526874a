# Copyright (c) pose_nas contributors. All rights reserved.
"""Bad search strategies and strategy options: clear errors."""
import pytest
from bad_input_harness import Case, check, params
from mmengine.config import Config

from pose_nas.engine.strategies import expand_search_config

LOADER = dict(batch_size=2, dataset=dict(type='X'))


def _expand(**search):
    cfg = Config(dict(
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-3)),
        train_cfg=dict(type='NASEpochBasedTrainLoop', max_epochs=1,
                       search=search)))
    return lambda tmp: expand_search_config(cfg)


CASES = [
    Case('unknown-strategy', _expand(strategy='dart1'),
         match="unknown search strategy 'dart1'", exc=KeyError),
    Case('option-of-another-strategy',
         _expand(strategy='sync', random=dict(seed=1)),
         match='does not use', exc=KeyError),
    Case('darts-without-heldout-loader', _expand(strategy='darts1'),
         match='arch_dataloader', exc=KeyError),
    Case('darts-order-twice',
         _expand(strategy='darts2',
                 darts=dict(arch_dataloader=LOADER, order=1)),
         match='set by the strategy name', exc=KeyError),
    Case('strategies-that-disagree',
         _expand(strategy='darts1+random',
                 darts=dict(arch_dataloader=LOADER)),
         match='disagree', exc=ValueError),
    Case('reinforce-without-reward', _expand(strategy='reinforce'),
         match='reward', exc=KeyError),
    Case('no-strategy', _expand(darts=dict(arch_dataloader=LOADER)),
         match='needs a strategy', exc=KeyError),
    Case('strategy-not-a-name', _expand(strategy=['darts1']),
         match='must be a name', exc=TypeError),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_strategy(case, tmp_path):
    check(case, tmp_path)
