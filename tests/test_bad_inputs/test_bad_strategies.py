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
    Case('pc-alone', _expand(strategy='pc'),
         match="only changes the edges; combine it with one that trains "
         "the architecture, e.g. 'darts1\\+pc'", exc=ValueError),
    Case('gumbel-and-gdas', _expand(strategy='gumbel+gdas'),
         match="'gumbel' and 'gdas' both run GumbelTemperatureHook",
         exc=ValueError),
    Case('gdas-hard-from', _expand(strategy='gdas', gdas=dict(hard_from=2)),
         match='runs one sampled op from the first step', exc=KeyError),
    Case('gdas-unknown-option',
         _expand(strategy='gdas', gdas=dict(tau=1.0)),
         match=r"search.gdas has unknown options \['tau'\]", exc=KeyError),
    Case('pc-k-one',
         _expand(strategy='darts1+pc', darts=dict(arch_dataloader=LOADER),
                 pc=dict(k=1)),
         match='search.pc.k must be an int >= 2', exc=ValueError),
    Case('pc-k-not-an-int',
         _expand(strategy='sync+pc', pc=dict(k='4')),
         match='search.pc.k must be an int >= 2', exc=ValueError),
    Case('pc-unknown-option',
         _expand(strategy='sync+pc', pc=dict(K=4)),
         match=r"search.pc has unknown options \['K'\]", exc=KeyError),
    Case('pc-edge-norm-not-a-bool',
         _expand(strategy='sync+pc', pc=dict(edge_norm='yes')),
         match='search.pc.edge_norm must be True or False', exc=TypeError),
    Case('strategy-twice', _expand(strategy='sync+sync'),
         match="names a strategy twice", exc=ValueError),
    Case('space-that-does-not-fit-pc', lambda tmp: _pc_on_efficientpose(),
         match=r"partial channels do not fit edge 'blocks.0' "
         r'\(EfficientPoseBackbone\): C_in=', exc=ValueError),
]


def _pc_on_efficientpose():
    from pose_nas.models.efficientpose import EfficientPoseBackbone
    from pose_nas.nas import set_partial_channels
    set_partial_channels(EfficientPoseBackbone(), 4)


@pytest.mark.parametrize('case', params(CASES))
def test_bad_strategy(case, tmp_path):
    check(case, tmp_path)
