# Copyright (c) pose_nas contributors. All rights reserved.
"""``train_cfg.search = dict(strategy=...)`` -> what MMEngine's runner
needs: optimizer routing, LR schedules, hooks."""
import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..optimizers import DEFAULT_ARCH_OPTIMIZER
from .search_strategy import ARCH_ROUTINGS, STRATEGIES, SearchStrategy

#: Keys of ``search`` that are not a strategy's own section.
COMMON_KEYS = ('strategy', 'arch_optimizer', 'arch_param_scheduler',
               'logger')
#: The search train loops and MMEngine's loops they extend.
SEARCH_LOOPS = {
    'NASEpochBasedTrainLoop': 'EpochBasedTrainLoop',
    'NASIterBasedTrainLoop': 'IterBasedTrainLoop'
}
#: Hooks a strategy adds; a config with ``search`` must not list them.
STRATEGY_HOOKS = ('DartsArchHook', 'RandomArchHook', 'GumbelTemperatureHook',
                  'ReinforceControllerHook', 'PartialChannelHook')


def build_strategies(name: str,
                     search: Optional[dict] = None) -> List[SearchStrategy]:
    """The strategies of ``name`` (``'darts1'``, ``'gumbel+reinforce'``),
    each built with its section of ``search``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"search.strategy must be a name such as 'darts1', "
                        f'got {name!r}')
    search = search or {}
    out = []
    for part in name.split('+'):
        cls = STRATEGIES.get(part.strip())
        if cls is None:
            raise KeyError(f'unknown search strategy {part.strip()!r} in '
                           f'{name!r}; known: '
                           f'{", ".join(sorted(STRATEGIES.module_dict))}')
        out.append(cls(**dict(search.get(cls.section) or {})))
    return out


def resolve_search(search: dict) -> Tuple[List[SearchStrategy], str,
                                          Optional[str]]:
    """Check a ``search`` dict and return ``(strategies, arch_routing,
    mixed_op_mode)``."""
    search = dict(search)
    if 'strategy' not in search:
        raise KeyError("train_cfg.search needs a strategy, e.g. search=dict("
                       "strategy='darts1', darts=dict(arch_dataloader=...))")
    strategies = build_strategies(search['strategy'], search)
    names = [s.name for s in strategies]
    if len(set(names)) != len(names):
        raise ValueError(f'search.strategy {search["strategy"]!r} names a '
                         'strategy twice')
    if not any(s.standalone for s in strategies):
        raise ValueError(
            f'strategy {search["strategy"]!r} only changes the edges; combine'
            f" it with one that trains the architecture, e.g. 'darts1+"
            f"{search['strategy']}'")
    sections = {s.section for s in strategies}
    unknown = set(search) - set(COMMON_KEYS) - sections
    if unknown:
        known = sorted(set(STRATEGIES.get(n).section
                           for n in STRATEGIES.module_dict))
        raise KeyError(
            f'search has keys {sorted(unknown)} that strategy '
            f'{search["strategy"]!r} does not use; common keys: '
            f'{list(COMMON_KEYS)}, strategy sections: {known}')
    routings = {
        s.arch_routing
        for s in strategies if not s.routing_is_default
    } - {None}
    if not routings:  # only default routings (e.g. 'gumbel' alone)
        routings = {s.arch_routing for s in strategies} - {None}
    if len(routings) > 1:
        raise ValueError(f'strategies of {search["strategy"]!r} disagree on '
                         f'the architecture parameters: {sorted(routings)}')
    routing = routings.pop() if routings else 'frozen'
    modes = {s.mixed_op_mode for s in strategies} - {None}
    if len(modes) > 1:
        raise ValueError(f'strategies of {search["strategy"]!r} disagree on '
                         f'the MixedOp mode: {sorted(modes)}')
    return strategies, routing, (modes.pop() if modes else None)


def _arch_wrapper(routing: str, arch_optimizer: Optional[dict],
                  mode: Optional[str]) -> Dict[str, Any]:
    assert routing in ARCH_ROUTINGS
    arch: Dict[str, Any] = dict(strategy=routing)
    if routing == 'separate':
        arch['optimizer'] = copy.deepcopy(arch_optimizer or
                                          DEFAULT_ARCH_OPTIMIZER)
    elif routing == 'joint':
        arch.update(copy.deepcopy(arch_optimizer or {}))
    elif arch_optimizer:
        raise KeyError('search.arch_optimizer is set, but the strategy does '
                       'not train architecture parameters')
    if mode is not None:
        arch['mixed_op_mode'] = mode
    return arch


def expand_search(search: dict, optim_wrapper: Optional[dict],
                  param_scheduler: Any, hook_types: Sequence[str] = ()
                  ) -> Tuple[dict, Any, List[dict]]:
    """What a ``search`` section means for MMEngine.

    Args:
        search (dict): the section (``strategy`` and its options).
        optim_wrapper (dict): the weight optim-wrapper config.
        param_scheduler (list | dict | None): the weights' schedule.
        hook_types (Sequence[str]): types of the hooks already there.

    Returns:
        tuple: ``(optim_wrapper, param_scheduler, hooks)``: the wrapper
        config with ``constructor='NASOptimWrapperConstructor'`` and an
        ``arch`` dict (routing, arch optimizer, MixedOp mode); the schedule,
        as MMEngine's per-optimizer dict when the architecture has its own
        optimizer (``search.arch_param_scheduler``, default a constant LR);
        the hooks to add: the strategy's, the genotype logger
        (``search.logger``: its options, or False) and the RNG state hook.
    """
    strategies, routing, mode = resolve_search(search)
    ow = copy.deepcopy(optim_wrapper)
    if not ow or 'optimizer' not in ow:
        raise KeyError('a search config needs optim_wrapper.optimizer (the '
                       'weight optimizer)')
    if 'arch' in ow:
        raise KeyError('optim_wrapper.arch and search both route the '
                       'architecture parameters: set search.arch_optimizer '
                       'and remove optim_wrapper.arch')
    constructor = ow.get('constructor', 'NASOptimWrapperConstructor')
    if constructor != 'NASOptimWrapperConstructor':
        raise ValueError(f'a search needs NASOptimWrapperConstructor, the '
                         f'config sets {constructor!r}')
    ow['constructor'] = constructor
    ow['arch'] = _arch_wrapper(routing, search.get('arch_optimizer'), mode)

    sched = copy.deepcopy(param_scheduler)
    if routing == 'separate' and not (isinstance(sched, dict)
                                      and 'weight' in sched):
        weight = sched if isinstance(sched, list) else (
            [sched] if sched else [])
        arch = search.get('arch_param_scheduler') or [
            dict(type='ConstantLR', factor=1.0, by_epoch=True)
        ]
        sched = dict(weight=weight, arch=list(arch))

    clash = [t for t in hook_types if t in STRATEGY_HOOKS]
    if clash:
        raise ValueError(f'custom_hooks lists {clash} and search sets the '
                         'strategy: the strategy adds its own hooks, remove '
                         'them from custom_hooks')
    hooks: List[dict] = []
    owner: Dict[str, str] = {}
    for strategy in strategies:
        for hook in strategy.hooks():
            if hook['type'] in owner:
                raise ValueError(
                    f'strategies {owner[hook["type"]]!r} and '
                    f'{strategy.name!r} both run {hook["type"]}: use one '
                    f'of them in {search["strategy"]!r}')
            owner[hook['type']] = strategy.name
            hooks.append(hook)
    logger = search.get('logger', {})
    if logger is not False and 'GenotypeLoggerHook' not in hook_types:
        hooks.append(dict(type='GenotypeLoggerHook', **dict(logger or {})))
    if 'RNGStateHook' not in hook_types:
        hooks.append(dict(type='RNGStateHook'))
    return ow, sched, hooks


def expand_search_config(cfg: Any) -> Any:
    """A copy of ``cfg`` with ``train_cfg.search`` spelled out, for tools
    that build MMEngine's runner pieces themselves (the search-cost
    benchmark): ``optim_wrapper`` and ``param_scheduler`` as
    :func:`expand_search` returns them, the strategy hooks before the
    config's ``custom_hooks``, and ``train_cfg`` without ``search`` (an
    ``EpochBasedTrainLoop``). A config without a search is returned
    unchanged.
    """
    train_cfg = cfg.get('train_cfg') or {}
    search = train_cfg.get('search')
    if not search:
        return cfg
    cfg = copy.deepcopy(cfg)
    hooks = list(cfg.get('custom_hooks') or [])
    ow, sched, new = expand_search(search, cfg.get('optim_wrapper'),
                                   cfg.get('param_scheduler'),
                                   [h.get('type') for h in hooks])
    cfg['optim_wrapper'] = ow
    cfg['param_scheduler'] = sched
    cfg['custom_hooks'] = new + hooks
    loop = dict(cfg['train_cfg'])
    loop.pop('search')
    if loop.get('type') in SEARCH_LOOPS:
        loop['type'] = SEARCH_LOOPS[loop['type']]
    cfg['train_cfg'] = loop
    return cfg
