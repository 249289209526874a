# Copyright (c) pose_nas contributors. All rights reserved.
"""Search checkpoint -> genotype file(s) + a ready retrain config."""
import logging
import os
import os.path as osp
from typing import Any, Dict, Optional

import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict

from pose_nas.nas.checkpoint_check import (CheckpointMismatchError,
                                           CheckpointReadError,
                                           key_mismatch_summary)
from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.cost import ArchBudget
from pose_nas.nas.genotype import Genotype
from pose_nas.nas.mutator import ArchMutator


def load_search_checkpoint(path: str) -> Dict[str, Any]:
    """Read a checkpoint with a clear error for missing or corrupt files."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        ckpt = _load_checkpoint(path, map_location='cpu')
    except CheckpointReadError:  # already names the file and the reason
        raise
    except Exception as e:  # noqa: BLE001 - re-raised with context
        raise RuntimeError(
            f'cannot read checkpoint {path} (corrupt or not a PyTorch '
            f'checkpoint): {type(e).__name__}: {e}') from e
    if not isinstance(ckpt, dict):
        raise RuntimeError(f'checkpoint {path} holds a '
                           f'{type(ckpt).__name__}, not a dict')
    return ckpt


def build_search_model(cfg: Config, checkpoint: Dict[str, Any],
                       source: Optional[str] = None) -> nn.Module:
    """Build ``cfg.model`` and load the checkpoint's weights strictly.

    Raises:
        CheckpointMismatchError: the checkpoint does not fit the model (a
            derived or another method's checkpoint); ``source`` (the file)
            is named in the message.
    """
    from mmpose.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    state = checkpoint.get('state_dict', checkpoint)
    try:
        load_state_dict(model, state, strict=True)
    except CheckpointMismatchError as e:  # a searchable module's diagnosis
        raise e.with_source(source) from e
    except RuntimeError as e:  # elsewhere: MMEngine's full key lists
        raise CheckpointMismatchError(key_mismatch_summary(model, state),
                                      source) from e
    model.eval()
    return model


def _unsearched(checkpoint: Dict[str, Any], source: Optional[str],
                search_cfg: Optional[Config]) -> Optional[str]:
    """Why a DARTS search checkpoint holds the initial architecture (it made
    0 architecture steps), or None."""
    darts = (checkpoint.get('nas_state') or {}).get('darts')
    if not isinstance(darts, dict) or darts.get('arch_steps') != 0:
        return None
    meta = checkpoint.get('meta') or {}
    search = ((search_cfg or {}).get('train_cfg') or {}).get('search') or {}
    opts = search.get('darts') or {}
    hint = ''
    epochs, iters = meta.get('epoch') or 0, meta.get('iter') or 0
    if 0 < epochs <= opts.get('warmup_epochs', 0):
        hint = f' (warm-up {opts["warmup_epochs"]} >= {epochs} epochs?)'
    elif 0 < iters <= opts.get('warmup_iters', 0):
        hint = f' (warm-up {opts["warmup_iters"]} >= {iters} iters?)'
    return (f'{source or "the checkpoint"}: this DARTS search made 0 '
            f'architecture steps{hint} — its architecture is the initial '
            f'one')


def derive_genotypes(model: nn.Module,
                     checkpoint: Dict[str, Any],
                     derive_kwargs: Optional[dict] = None,
                     source: Optional[str] = None,
                     budget: Optional[dict] = None,
                     force: bool = False,
                     search_cfg: Optional[Config] = None
                     ) -> Dict[str, Genotype]:
    """Derive a genotype for every searchable module of ``model``.

    The choices recorded in the checkpoint's ``nas_state`` (the controller's
    best of K if the search finished, else its greedy vector; a budget-aware
    search's projection onto its budget) are read by
    :meth:`ArchMutator.load_nas_state` and applied with the same rule the
    genotype logger uses during the search.

    Args:
        budget (dict, optional): ``dict(target=FLOPs, input_size=(w, h))``:
            project the checkpoint's architecture distribution onto this
            budget (for a space with a cost table), overriding a budget
            saved in the checkpoint. This is how a search run without a
            budget (e.g. the random baseline) is derived at a given cost.
        force (bool): derive a DARTS search that made 0 architecture steps
            (its initial architecture) with a warning instead of an error.
        search_cfg (Config, optional): the search config, to name the
            warm-up in that message.
    """
    unsearched = _unsearched(checkpoint, source, search_cfg)
    if unsearched and not force:
        raise RuntimeError(f'{unsearched}; pass --force to export it anyway')
    if unsearched:
        print_log(f'{unsearched} (exported: --force)',
                  logger='current', level=logging.WARNING)
    mutator = ArchMutator(model)
    _check_derive_options(mutator, derive_kwargs or {})
    mutator.load_nas_state(checkpoint.get('nas_state'))
    if budget is not None:
        mutator.check_finite()  # name a NaN parameter before projecting
        arch_budget = ArchBudget.from_config(model, budget)
        mutator.record_budget(arch_budget.target, arch_budget.project())
    meta = checkpoint.get('meta', {})
    kwargs = dict(derive_kwargs or {})
    kwargs.setdefault('source_checkpoint', source)
    kwargs.setdefault('epoch', meta.get('epoch'))
    kwargs.setdefault('iter', meta.get('iter'))
    return mutator.derive_genotypes(**kwargs)


def _check_derive_options(mutator: ArchMutator, options: dict) -> None:
    """A derive option (one some space declares in
    :attr:`SearchableMixin.derive_options`, e.g. ``k``, ``prune_below``)
    that no searchable module of this model takes is an error, not
    silently ignored."""
    known = set()
    todo = [SearchableMixin]
    while todo:
        cls = todo.pop()
        known.update(cls.derive_options)
        todo.extend(cls.__subclasses__())
    takes = {
        name: set(m.derive_options) for name, m in mutator.searchable.items()
    }
    for option in options:
        if option in known and not any(option in t for t in takes.values()):
            spaces = ', '.join(
                f'{type(mutator.searchable[n]).__name__} takes '
                f'{sorted(t) or "none"}' for n, t in takes.items())
            raise ValueError(
                f"derive option '{option}' (--{option.replace('_', '-')}) "
                f'does not apply to this model: {spaces}')


def _nested(path: str, value: Any) -> dict:
    """``'backbone.x'`` -> ``{'backbone': {'x': {'genotype': value}}}``."""
    d: Any = dict(genotype=value)
    for part in reversed([p for p in path.split('.') if p]):
        d = {part: d}
    return d


def write_retrain_config(search_cfg: Config, search_cfg_path: str,
                         genotype_files: Dict[str, str], out_file: str,
                         retrain_config: Optional[str] = None) -> str:
    """Write a config inheriting the method's train config with the derived
    genotype(s) set.

    ``retrain_config`` defaults to the search config's ``retrain_config``
    variable (relative to the search config); without one, the search config
    itself is inherited and its search-only settings are reset.
    """
    base = retrain_config or search_cfg.get('retrain_config')
    fallback = base is None
    if fallback:
        base = search_cfg_path
    elif not osp.isabs(base) and retrain_config is None:
        base = osp.join(osp.dirname(osp.abspath(search_cfg_path)), base)
    base = osp.abspath(base)
    if not osp.isfile(base):
        raise FileNotFoundError(f'retrain config not found: {base}')
    model: Dict[str, Any] = {}
    for name, path in genotype_files.items():
        _merge(model, _nested(name, osp.abspath(path)))
    lines = [
        '# Retrain config written by tools/derive_arch.py: the method\'s '
        'train config', '# with the derived architecture (genotype=) set.',
        f'_base_ = [{base!r}]', '', f'model = {model!r}'
    ]
    if fallback:
        weight_opt = search_cfg.optim_wrapper.get('optimizer')
        lines += [
            '', '# search-only settings of the inherited search config',
            'train_cfg = dict(search=None)', 'custom_hooks = []',
            f'optim_wrapper = dict(_delete_=True, optimizer={weight_opt!r})'
        ]
        sched = search_cfg.get('param_scheduler')
        if isinstance(sched, dict) and 'weight' in sched:
            lines.append(f"param_scheduler = {list(sched['weight'])!r}")
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    with open(out_file, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return out_file


def _merge(a: dict, b: dict) -> None:
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            _merge(a[k], v)
        else:
            a[k] = v


def derive_arch(config: str,
                checkpoint: str,
                out_dir: str,
                retrain_config: Optional[str] = None,
                derive_kwargs: Optional[dict] = None,
                fmt: str = 'json',
                cfg_options: Optional[dict] = None,
                budget: Optional[dict] = None,
                force: bool = False) -> Dict[str, Any]:
    """The whole derive step (what ``tools/derive_arch.py`` runs).

    ``budget`` (``dict(target=FLOPs, input_size=(w, h))``) projects the
    architecture onto a FLOPs budget, ``force`` exports a DARTS search that
    made no architecture step, see :func:`derive_genotypes`.

    Returns:
        dict: ``genotypes`` (module -> file), ``config`` (retrain config
        path), ``params`` (parameter count of the derived model).
    """
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    ckpt = load_search_checkpoint(checkpoint)
    model = build_search_model(cfg, ckpt, source=checkpoint)
    genotypes = derive_genotypes(model, ckpt, derive_kwargs,
                                 source=osp.abspath(checkpoint),
                                 budget=budget, force=force, search_cfg=cfg)
    os.makedirs(out_dir, exist_ok=True)
    files = {}
    for name, genotype in genotypes.items():
        stem = 'genotype' + (f'_{name.replace(".", "_")}' if name else '')
        files[name] = genotype.dump(osp.join(out_dir, f'{stem}.{fmt}'))
    cfg_stem = osp.splitext(osp.basename(retrain_config or cfg.get(
        'retrain_config') or config))[0]
    out_cfg = write_retrain_config(
        cfg, config, files, osp.join(out_dir, f'{cfg_stem}_derived.py'),
        retrain_config)
    # build the derived model once: the genotype must fit the train config
    from mmpose.registry import MODELS
    derived_cfg = Config.fromfile(out_cfg)
    init_default_scope(derived_cfg.get('default_scope', 'mmpose'))
    derived = MODELS.build(derived_cfg.model)
    params = sum(p.numel() for p in derived.parameters())
    return dict(genotypes=files, config=out_cfg, params=params)
