# Copyright (c) pose_nas contributors. All rights reserved.
"""The search-cost benchmark's spaces, run configs and report.

``tools/benchmark_search.py`` times every strategy of every space against
plain training of a derived net of the same space; this module says what
it runs (:data:`SPACES`: per space, the config of every strategy and of the
derived baseline), builds each run's config (:func:`build_run_config`); the report is
:mod:`pose_nas.workflows.search_cost_report`.

A strategy of a space is a search config, or a search config with
``train_cfg.search`` overrides (:func:`apply_search_overrides`): the
overrides replace the config's keys (``strategy``, a strategy's section),
and the sections that the new strategy does not read are dropped (the
engine refuses them). ``'darts1+gdas'`` of EfficientPose, for instance, is
its ``darts1`` config with ``strategy='darts1+gdas'`` and a ``gdas``
section.
"""
import copy
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple, Union

#: the baseline run of every space
BASELINE = 'derived'
SEED = 0
#: every strategy name a space may describe, in report order
STRATEGIES = ('sync', 'darts1', 'darts2', 'random', 'gumbel', 'reinforce',
              'gdas', 'gdas+pc', 'darts1+gdas', 'darts1+pc')
#: the cheap first-order strategies (single path, partial channels) the
#: target is about: within TARGET x of the derived net's s/iter and
#: training memory. ``gdas`` / ``gdas+pc`` step weights and logits in one
#: pass on one batch (no held-out split); ``darts1+...`` alternate a weight
#: step on train with an arch step on held-out data (two passes)
CHEAP = ('gdas', 'gdas+pc', 'darts1+gdas', 'darts1+pc')
TARGET = 1.5

# ``train_cfg.search`` overrides that make a strategy of a darts1 config
SYNC = dict(strategy='sync', arch_optimizer=dict(lr=3e-3, weight_decay=0.0))
GDAS = dict(strategy='darts1+gdas',
            gdas=dict(tau_start=10.0, tau_end=0.1, schedule='linear'))
PC = dict(strategy='darts1+pc', pc=dict(k=4, edge_norm=True))
GDAS_JOINT = dict(SYNC, strategy='gdas', gdas=GDAS['gdas'])
GDAS_PC = dict(GDAS_JOINT, strategy='gdas+pc', pc=PC['pc'])

_NAS = 'configs/nas_engine/{}_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
_EP = ('configs/efficientpose/efficientpose-{}_efficientpose_slimdeconv_'
       '1xb{}-10e_synthcoco-128x96.py')
_PNFS = 'configs/pnfs/pnfs-{}_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py'
_AP = ('configs/autopose/autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-'
       '3e_synthcoco-64x48.py')
_PN = 'configs/posenas/posenas-{}_posenas-l8-c8_fusiondec_1xb8-10e_synthcoco-64x48.py'

#: The spaces. ``supernet``: the search config whose model is built (seed
#: 0) to derive the baseline's genotype; ``derived``: the train config the
#: derived net trains with (the search config's ``retrain_config``; PNFS
#: names none, its search configs inherit this one); ``strategies``: name
#: -> a search config, or ``(config, train_cfg.search overrides)``. Paths
#: are relative to the repository root.
SPACES: Dict[str, Dict[str, Any]] = {
    'cellnet': dict(
        supernet=_NAS.format('engine-darts1'),
        derived=_NAS.format('td-hm'),
        strategies={
            name: _NAS.format('engine-' + cfg) for name, cfg in (
                ('sync', 'sync'), ('darts1', 'darts1'), ('darts2', 'darts2'),
                ('random', 'random'), ('gumbel', 'gumbel'),
                ('reinforce', 'sync-reinforce'),
                ('darts1+gdas', 'darts1-gdas'), ('darts1+pc', 'darts1-pc'))
        } | {
            'gdas': (_NAS.format('engine-darts1'), GDAS_JOINT),
            'gdas+pc': (_NAS.format('engine-darts1'), GDAS_PC),
        }),
    'efficientpose': dict(
        supernet=_EP.format('darts1-budget0.6g', 8),
        derived=('configs/efficientpose/td-hm_efficientpose_slimdeconv_'
                 '1xb16-10e_synthcoco-128x96.py'),
        strategies={
            'sync': (_EP.format('darts1-budget0.6g', 8), SYNC),
            'darts1': _EP.format('darts1-budget0.6g', 8),
            'random': _EP.format('random', 16),
            'gdas': (_EP.format('darts1-budget0.6g', 8), GDAS_JOINT),
            'gdas+pc': (_EP.format('darts1-budget0.6g', 8), GDAS_PC),
            'darts1+gdas': (_EP.format('darts1-budget0.6g', 8), GDAS),
            'darts1+pc': (_EP.format('darts1-budget0.6g', 8), PC),
        }),
    'pnfs': dict(
        supernet=_PNFS.format('darts1'),
        derived=('configs/pnfs/td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_'
                 'synthcoco-128x96.py'),
        strategies={
            'sync': _PNFS.format('sync'),
            'darts1': _PNFS.format('darts1'),
            'random': _PNFS.format('random'),
            'gdas': (_PNFS.format('darts1'), GDAS_JOINT),
            'gdas+pc': (_PNFS.format('darts1'), GDAS_PC),
            'darts1+gdas': (_PNFS.format('darts1'), GDAS),
            'darts1+pc': (_PNFS.format('darts1'), PC),
        }),
    # AutoPose's search is darts1 (Gumbel-softmax cells) + a REINFORCE
    # branch controller: every strategy keeps the controller (its per-step
    # sampling is in s/iter, its updates in the amortized column)
    'autopose': dict(
        supernet=_AP,
        derived='configs/autopose/td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py',
        strategies={
            'sync': (_AP, dict(SYNC, strategy='sync+gumbel+reinforce')),
            'darts1': _AP,
            'gdas': (_AP, dict(GDAS_JOINT, strategy='gdas+reinforce')),
            'gdas+pc': (_AP, dict(GDAS_PC, strategy='gdas+pc+reinforce')),
            'darts1+gdas': (_AP, dict(GDAS, strategy='darts1+gdas+reinforce')),
            'darts1+pc': (_AP, dict(PC, strategy='darts1+gumbel+pc+reinforce')),
        }),
    'posenas': dict(
        supernet=_PN.format('darts1'),
        derived=('configs/posenas/td-hm_posenas-l8-c8_fusiondec_1xb16-10e_'
                 'synthcoco-64x48.py'),
        strategies={
            'sync': (_PN.format('darts1'), SYNC),
            'darts1': _PN.format('darts1'),
            'random': _PN.format('random'),
            'gdas': (_PN.format('darts1'), GDAS_JOINT),
            'gdas+pc': (_PN.format('darts1'), GDAS_PC),
            'darts1+gdas': (_PN.format('darts1'), GDAS),
            'darts1+pc': (_PN.format('darts1'), PC),
        }),
}

Run = Tuple[str, Optional[dict]]


def space_runs(space: str,
               strategies: Optional[List[str]] = None) -> List[str]:
    """The runs of ``space``: the baseline, then its strategies (those of
    ``strategies`` it describes, if given)."""
    return [BASELINE] + [
        s for s in STRATEGIES if s in SPACES[space]['strategies'] and (
            strategies is None or s in strategies)
    ]


def run_source(space: str, name: str) -> Run:
    """``(config, search overrides or None)`` of run ``name`` of ``space``
    (the derived baseline: its train config)."""
    desc = SPACES[space]
    if name == BASELINE:
        return desc['derived'], None
    entry: Union[str, Tuple[str, dict]] = desc['strategies'][name]
    if isinstance(entry, str):
        return entry, None
    return entry[0], copy.deepcopy(entry[1])


def apply_search_overrides(cfg, overrides: dict):
    """``cfg.train_cfg.search`` with ``overrides`` replacing its keys and
    without the sections the new strategy does not read (in place)."""
    from pose_nas.engine.strategies.expand_search_config import (
        COMMON_KEYS, build_strategies)
    search = dict(cfg.train_cfg.search)
    search.update(copy.deepcopy(overrides))
    sections = {s.section for s in build_strategies(search['strategy'])}
    cfg.train_cfg.search = {
        k: v for k, v in search.items() if k in COMMON_KEYS or k in sections
    }
    return cfg


def load_config(path: str, repo_root: str):
    """``Config.fromfile`` of ``path``, relative to ``repo_root``."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(repo_root, path))


def derive_fresh_genotypes(supernet_cfg) -> Dict[str, Any]:
    """The genotypes of a freshly built supernet of ``supernet_cfg.model``
    (seed 0), derived as ``tools/derive_arch.py`` derives a search's: with
    a budget in the search config (EfficientPose), the projection of the
    distribution onto it."""
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.nas.cost import ArchBudget
    from pose_nas.nas.mutator import ArchMutator
    init_default_scope(supernet_cfg.get('default_scope', 'mmpose'))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        supernet = MODELS.build(supernet_cfg.model)
    mutator = ArchMutator(supernet)
    search = (supernet_cfg.get('train_cfg') or {}).get('search') or {}
    budget = (search.get('darts') or {}).get('budget')
    if budget:
        arch_budget = ArchBudget.from_config(supernet, budget)
        mutator.record_budget(arch_budget.target, arch_budget.project())
    genotypes = mutator.derive_genotypes(init_seed=SEED)
    return dict(
        genotypes={k: g.to_dict() for k, g in genotypes.items()},
        supernet_params=sum(p.numel() for p in supernet.parameters()),
        budget_projected=bool(budget))


def build_run_config(space: str, name: str, data_root: str, batch_size: int,
                     max_iters: int, work_dir: str, repo_root: str,
                     derived: Optional[Dict[str, Any]] = None
                     ) -> Tuple[Any, Dict[str, Any]]:
    """The config of run ``name`` of ``space`` (a strategy or the derived
    baseline) as the benchmark trains it: ``max_iters`` iterations of
    ``batch_size`` on ``data_root``, no validation, checkpoints, LR
    schedules, dataloader workers nor DARTS warm-up, REINFORCE updates
    from the first epoch; and what to report about it.

    The baseline needs ``derived``, what :func:`derive_fresh_genotypes`
    returns for the space's supernet config (the benchmark builds it in the
    parent process, so that the supernet does not raise the baseline's peak
    RSS)."""
    from pose_nas.engine.strategies import expand_search_config
    from pose_nas.workflows import retarget_config
    path, overrides = run_source(space, name)
    cfg = load_config(path, repo_root)
    extra: Dict[str, Any] = dict(config=path)
    if overrides:
        apply_search_overrides(cfg, overrides)
        extra['search_overrides'] = overrides
    if name == BASELINE:
        if derived is None:
            raise ValueError('the derived baseline needs the genotypes')
        for module, genotype in derived['genotypes'].items():
            node = cfg.model
            for part in filter(None, module.split('.')):
                node = node[part]
            node['genotype'] = genotype
        extra.update(derived, supernet_config=SPACES[space]['supernet'])
    else:
        extra['search_strategy'] = cfg.train_cfg.search['strategy']
    retarget_config(cfg, data_root, num_workers=0)
    # the search section -> optimizer routing and the strategy's hooks (as
    # NASEpochBasedTrainLoop does), so that the hooks can be adjusted below
    cfg = expand_search_config(cfg)
    train_batch = cfg.train_dataloader.batch_size
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10**9)
    for key in ('val_cfg', 'val_dataloader', 'val_evaluator', 'test_cfg',
                'test_dataloader', 'test_evaluator'):
        cfg[key] = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = max_iters
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=SEED)
    cfg.work_dir = work_dir
    for hook in cfg.get('custom_hooks') or []:
        if hook['type'] == 'DartsArchHook':
            hook['warmup_epochs'] = 0
            hook['warmup_iters'] = 0
            loader = hook['arch_dataloader']
            loader['batch_size'] = max(
                1, round(loader['batch_size'] * batch_size / train_batch))
        elif hook['type'] == 'ReinforceControllerHook':
            hook['start_epoch'] = 0
            extra['updates_per_epoch'] = hook.get('updates_per_epoch', 1)
            extra['samples_per_update'] = hook.get('samples_per_update', 4)
    return cfg, extra


def resolve_data_root(data_root: Optional[str], tmp: str) -> str:
    """``--data-root`` (its ``coco/`` folder if it has one), or 64 train /
    16 val synthetic images (seed 0) generated into ``tmp``."""
    if data_root is None:
        from pose_nas.datasets.synthetic import generate_synthetic_dataset
        generate_synthetic_dataset(
            tmp, splits={'train': 64, 'val': 16}, seed=SEED,
            formats=('coco', ))
        data_root = tmp
    if not osp.isdir(osp.join(data_root, 'annotations')) and osp.isdir(
            osp.join(data_root, 'coco', 'annotations')):
        data_root = osp.join(data_root, 'coco')
    if not osp.isfile(
            osp.join(data_root, 'annotations',
                     'person_keypoints_train.json')):
        raise FileNotFoundError(
            f'{data_root} holds no annotations/person_keypoints_train.json')
    return osp.abspath(data_root)
