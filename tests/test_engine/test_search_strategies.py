# Copyright (c) pose_nas contributors. All rights reserved.
"""A search strategy is one named thing: ``search = dict(strategy=...)``."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from pose_nas.engine.strategies import (STRATEGIES, build_strategies,
                                        expand_search_config, resolve_search)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LOADER = dict(batch_size=2, dataset=dict(type='X'))


def _cfg(**search):
    return Config(
        dict(optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-3)),
             param_scheduler=[dict(type='ConstantLR', factor=1.0)],
             custom_hooks=[dict(type='EMAHook')],
             train_cfg=dict(type='NASEpochBasedTrainLoop', max_epochs=2,
                            search=search)))


def _types(cfg):
    return [h['type'] for h in cfg.custom_hooks]


@pytest.mark.parametrize('name,routing,mode,hooks', [
    ('sync', 'joint', None, []),
    ('darts1', 'separate', None, ['DartsArchHook']),
    ('darts2', 'separate', None, ['DartsArchHook']),
    ('random', 'frozen', None, ['RandomArchHook']),
    ('gumbel', 'joint', 'gumbel', ['GumbelTemperatureHook']),
    ('reinforce', 'frozen', None, ['ReinforceControllerHook']),
    ('gumbel+reinforce', 'joint', 'gumbel',
     ['GumbelTemperatureHook', 'ReinforceControllerHook']),
    ('sync+reinforce', 'joint', None, ['ReinforceControllerHook']),
    ('gdas', 'joint', 'gumbel', ['GumbelTemperatureHook']),
    ('darts1+gdas', 'separate', 'gumbel',
     ['DartsArchHook', 'GumbelTemperatureHook']),
    ('darts1+pc', 'separate', None, ['DartsArchHook', 'PartialChannelHook']),
    ('sync+pc', 'joint', None, ['PartialChannelHook']),
    ('darts1+gdas+pc', 'separate', 'gumbel',
     ['DartsArchHook', 'GumbelTemperatureHook', 'PartialChannelHook']),
])
def test_one_name_sets_routing_mode_and_hooks(name, routing, mode, hooks):
    search = dict(strategy=name, darts=dict(arch_dataloader=LOADER),
                  reinforce=dict(reward=dict(type='CallableReward')))
    search = {k: v for k, v in search.items()
              if k == 'strategy' or k in {
                  s.section for s in build_strategies(name)}}
    cfg = expand_search_config(_cfg(**search))
    assert cfg.train_cfg == dict(type='EpochBasedTrainLoop', max_epochs=2)
    assert expand_search_config(cfg) is cfg  # nothing left to expand
    arch = cfg.optim_wrapper.arch
    assert cfg.optim_wrapper.constructor == 'NASOptimWrapperConstructor'
    assert arch['strategy'] == routing
    assert arch.get('mixed_op_mode') == mode
    assert _types(cfg) == hooks + ['GenotypeLoggerHook', 'RNGStateHook',
                                   'EMAHook']
    if routing == 'separate':
        assert arch['optimizer']['type'] == 'Adam'
        assert set(cfg.param_scheduler) == {'weight', 'arch'}
        assert cfg.param_scheduler['weight'][0]['type'] == 'ConstantLR'
        order = [h for h in cfg.custom_hooks
                 if h['type'] == 'DartsArchHook'][0]['order']
        assert order == int(name.split('+')[0][-1])
    else:
        assert isinstance(cfg.param_scheduler, list)


def test_every_strategy_is_registered_and_documented():
    assert set(STRATEGIES.module_dict) == {
        'sync', 'darts1', 'darts2', 'random', 'gumbel', 'reinforce', 'gdas',
        'pc'}
    for cls in STRATEGIES.module_dict.values():
        assert cls.__doc__ and cls.section


def test_cheap_strategy_options_reach_their_hooks():
    cfg = expand_search_config(_cfg(
        strategy='darts1+gdas+pc', darts=dict(arch_dataloader=LOADER),
        gdas=dict(tau_end=0.3), pc=dict(k=2, edge_norm=False)))
    hooks = {h['type']: h for h in cfg.custom_hooks}
    gumbel = hooks['GumbelTemperatureHook']
    assert (gumbel['tau_start'], gumbel['tau_end'], gumbel['schedule'],
            gumbel['hard_from']) == (10.0, 0.3, 'linear', 0)
    assert hooks['PartialChannelHook'] == dict(
        type='PartialChannelHook', k=2, edge_norm=False)


def test_no_search_section_leaves_the_config_alone():
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(type='SGD')),
                      train_cfg=dict(type='NASEpochBasedTrainLoop',
                                     search=None)))
    assert expand_search_config(cfg) is cfg


@pytest.mark.parametrize('search,error,match', [
    (dict(strategy='dart1'), KeyError, "unknown search strategy 'dart1'"),
    (dict(strategy='sync', random=dict(seed=1)), KeyError,
     "does not use"),
    (dict(strategy='darts1'), KeyError, 'arch_dataloader'),
    (dict(strategy='darts1', darts=dict(arch_dataloader=LOADER, order=2)),
     KeyError, 'set by the strategy name'),
    (dict(strategy='darts1+sync', darts=dict(arch_dataloader=LOADER)),
     ValueError, 'disagree on the architecture parameters'),
    (dict(strategy='reinforce'), KeyError, 'reward'),
    (dict(strategy='random', arch_optimizer=dict(lr=1.0)), KeyError,
     'does not train architecture parameters'),
    (dict(darts=dict()), KeyError, 'needs a strategy'),
    (dict(strategy=3), TypeError, 'must be a name'),
])
def test_bad_search_sections_are_clear_errors(search, error, match):
    with pytest.raises(error, match=match):
        expand_search_config(_cfg(**search))


def test_strategy_hooks_and_legacy_routing_cannot_be_doubled():
    cfg = _cfg(strategy='random')
    cfg.custom_hooks.append(dict(type='RandomArchHook'))
    with pytest.raises(ValueError, match='remove them from custom_hooks'):
        expand_search_config(cfg)
    cfg = _cfg(strategy='random')
    cfg.optim_wrapper.arch = dict(strategy='frozen')
    with pytest.raises(KeyError, match='remove optim_wrapper.arch'):
        expand_search_config(cfg)


def test_logger_options_and_opt_out():
    cfg = expand_search_config(_cfg(strategy='sync', logger=dict(interval=3)))
    logger = [h for h in cfg.custom_hooks
              if h['type'] == 'GenotypeLoggerHook'][0]
    assert logger['interval'] == 3
    cfg = expand_search_config(_cfg(strategy='sync', logger=False))
    assert 'GenotypeLoggerHook' not in _types(cfg)


SEARCH_CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if not osp.basename(p).startswith(('td-hm', '_base', 'rtmdet'))
    and '_base_' not in p)


def test_search_configs_use_the_search_section():
    assert len(SEARCH_CONFIGS) >= 15
    for path in SEARCH_CONFIGS:
        cfg = Config.fromfile(path)
        search = cfg.train_cfg.get('search')
        assert search, path
        assert cfg.train_cfg.type == 'NASEpochBasedTrainLoop', path
        assert 'arch' not in cfg.optim_wrapper, path
        assert not {h['type'] for h in cfg.get('custom_hooks') or []} & {
            'DartsArchHook', 'RandomArchHook', 'GumbelTemperatureHook',
            'ReinforceControllerHook', 'GenotypeLoggerHook'}, path
        name = osp.basename(path).split('_')[0]
        # the budget of a budget search is part of its name
        strategy = re.sub(r'-budget[0-9.]+g$', '', name.split('-', 1)[1])
        assert search.strategy == strategy.replace('-', '+'), path
        expanded = expand_search_config(cfg)
        _, routing, _ = resolve_search(search)
        assert expanded.optim_wrapper.arch['strategy'] == routing
