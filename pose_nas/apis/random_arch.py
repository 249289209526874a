# Copyright (c) pose_nas contributors. All rights reserved.
"""A random architecture of a search space, optionally matched to a FLOPs
target: the random baseline of every study (``tools/derive_arch.py
--random``).

Random baselines are only fair at equal cost: a random net half the size of
the searched one tells little about the search. :func:`derive_random_arch`
draws architectures with :func:`~pose_nas.nas.random_arch.draw_random_arch`
(seeded, so a draw is reproducible) until the *retrained* model (the
retrain config with the genotype, exactly what is trained and counted
afterwards) is within ``tolerance`` of a GFLOPs target, then writes the
genotype file(s) and the retrain config the way :func:`derive_arch` does.
Plain redraws sample the space's cost band exactly; a searched net often
sits in the tail (it prefers convolutions to pools and skips), where
hundreds of redraws miss. Then a random walk starts from the closest draw
(one edge or decision redrawn per step, kept when it does not move away
from the band) and, once inside, mixes ``mix_steps`` more in-band steps.
The seed, the trial that was accepted (the walk's start), the walk record
and the measured GFLOPs go into each genotype's ``meta['random']``.
"""
import copy
import math
import os
import os.path as osp
from typing import Any, Dict, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.nas.mutator import ArchMutator
from pose_nas.nas.random_arch import (arch_snapshot, draw_random_arch,
                                      mutate_random_arch, restore_arch)
from pose_nas.utils.checks import check_int, check_real
from .derive import _check_derive_options, write_retrain_config


def _check_match(match: Dict[str, Any]) -> Dict[str, Any]:
    """Defaults and clear errors for the FLOPs-matching options."""
    unknown = set(match) - {
        'gflops', 'input_size', 'tolerance', 'max_trials', 'walk_steps',
        'mix_steps', 'retrain_cfg_options'
    }
    if unknown:
        raise KeyError(f'unknown FLOPs-matching option(s) {sorted(unknown)}')
    out = dict(input_size=(192, 256), tolerance=0.05, max_trials=500,
               walk_steps=300, mix_steps=20, retrain_cfg_options={})
    out.update(match)
    gflops = check_real(out.get('gflops'), 'FLOPs target (GFLOPs)')
    if not math.isfinite(gflops) or gflops <= 0:
        raise ValueError(f'FLOPs target must be a finite number > 0 '
                         f'(GFLOPs), got {out.get("gflops")!r}')
    tol = check_real(out['tolerance'], 'FLOPs tolerance')
    if not 0 < tol < 1:
        raise ValueError(f'FLOPs tolerance must be in (0, 1) (a fraction '
                         f'of the target), got {tol}')
    out.update(gflops=gflops, tolerance=tol,
               max_trials=check_int(out['max_trials'], 'max trials', 1),
               walk_steps=check_int(out['walk_steps'], 'walk steps', 0),
               mix_steps=check_int(out['mix_steps'], 'mix steps', 0))
    return out


def _gflops(cfg: Config, input_size: Sequence[int]) -> float:
    """GFLOPs of ``cfg.model`` (built now, reading the genotype files)."""
    from pose_nas.deploy.complexity import model_complexity
    return model_complexity(cfg, input_size)['gflops']


def derive_random_arch(config: str,
                       out_dir: str,
                       seed: int,
                       retrain_config: Optional[str] = None,
                       derive_kwargs: Optional[dict] = None,
                       fmt: str = 'json',
                       cfg_options: Optional[dict] = None,
                       match: Optional[Dict[str, Any]] = None,
                       std: float = 1.0) -> Dict[str, Any]:
    """Draw a random architecture of ``config``'s search space and write it
    like :func:`~pose_nas.apis.derive.derive_arch` writes a searched one.

    Args:
        config (str): the search config (its model is the search space).
        out_dir (str): where the genotype(s) and the retrain config go.
        seed (int): seed of the draw (same seed, same architecture).
        retrain_config (str, optional): train config the retrain config
            inherits (default: the search config's ``retrain_config``).
        derive_kwargs (dict, optional): options of the derive rule (``k``).
        fmt (str): ``'json'`` or ``'yaml'``.
        cfg_options (dict, optional): overrides of the search config.
        match (dict, optional): ``gflops`` (target, GFLOPs of the retrained
            model), ``input_size`` ((w, h), default (192, 256)),
            ``tolerance`` (default 0.05), ``max_trials`` (redraws,
            default 500), ``walk_steps`` (of the walk after redraws
            missed, default 300; 0: no walk), ``mix_steps`` (in-band steps
            after the walk enters the band, default 20),
            ``retrain_cfg_options`` (overrides applied to the retrain
            config when counting, e.g. a study's). Draws are repeated
            until one is within tolerance.
        std (float): standard deviation of the architecture-parameter draw.

    Returns:
        dict: ``genotypes`` (module -> file), ``config`` (retrain config),
        ``trial`` (0-based index of the accepted draw, or of the walk's
        start), ``gflops`` (of the retrained model; None without
        ``match``), ``walk`` (``steps``, ``accepted``, ``mix_steps`` of the
        walk; None when a redraw hit).

    Raises:
        RuntimeError: no draw within tolerance after ``max_trials`` redraws
            and ``walk_steps`` walk steps (the closest is named), or the space has no architecture parameters.
    """
    from mmpose.registry import MODELS
    seed = check_int(seed, 'random seed', 0)
    match = _check_match(match) if match is not None else None
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(copy.deepcopy(cfg_options))
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    mutator = ArchMutator(MODELS.build(cfg.model))
    if not mutator.arch_parameters():
        raise RuntimeError(f'{config}: its model has no architecture '
                           'parameters (a fixed architecture? give the '
                           'search config)')
    _check_derive_options(mutator, derive_kwargs or {})
    generator = torch.Generator().manual_seed(seed)
    os.makedirs(out_dir, exist_ok=True)
    cfg_stem = osp.splitext(osp.basename(retrain_config or cfg.get(
        'retrain_config') or config))[0]
    out_cfg = osp.join(out_dir, f'{cfg_stem}_derived.py')
    trials = match['max_trials'] if match else 1
    closest, best = None, None

    def write(genotypes, info):
        files = {}
        for name, genotype in genotypes.items():
            genotype.meta['random'] = dict(info)
            stem = 'genotype' + (f'_{name.replace(".", "_")}' if name else '')
            files[name] = genotype.dump(osp.join(out_dir, f'{stem}.{fmt}'))
        return files

    info = dict(seed=seed, std=std)
    if match:
        info.update(target_gflops=match['gflops'],
                    tolerance=match['tolerance'],
                    input_size=list(match['input_size']))
    for trial in range(trials):
        genotypes = draw_random_arch(mutator, generator, std,
                                     **(derive_kwargs or {}))
        files = write(genotypes, dict(info, trial=trial))
        if trial == 0:
            write_retrain_config(cfg, config, files, out_cfg, retrain_config)
            train_cfg = Config.fromfile(out_cfg)
            # a copy: merge_from_dict consumes `_delete_` keys of its input
            train_cfg.merge_from_dict(copy.deepcopy((match or {}).get(
                'retrain_cfg_options') or {}))
            init_default_scope(train_cfg.get('default_scope', 'mmpose'))
        if match is None:
            MODELS.build(train_cfg.model)  # the genotype must fit
            return dict(genotypes=files, config=out_cfg, trial=0,
                        gflops=None)
        gflops = _gflops(train_cfg, match['input_size'])
        if closest is None or _miss(gflops, match) < _miss(closest, match):
            closest, best = gflops, (trial, arch_snapshot(mutator))
        if _miss(gflops, match) == 0:
            info['trial'] = trial
            return _accept(genotypes, files, out_cfg, gflops, write, info)
    if match['walk_steps']:
        found = _walk(mutator, generator, std, derive_kwargs or {}, match,
                      best, closest, write, train_cfg)
        if found is not None:
            genotypes, files, gflops, walk = found
            info.update(trial=best[0], walk=walk)
            return _accept(genotypes, files, out_cfg, gflops, write, info)
    raise RuntimeError(
        f'no random architecture of {config} within '
        f'{match["tolerance"]:.0%} of {match["gflops"]:.4g} GFLOPs in '
        f'{trials} draws and {match["walk_steps"]} walk steps (closest '
        f'{closest:.4g} GFLOPs); raise max_trials, walk_steps or the '
        'tolerance, or check the target')


def _miss(gflops: float, match: Dict[str, Any]) -> float:
    """Relative distance of ``gflops`` outside the tolerance band (0 in)."""
    return max(0.0, abs(gflops / match['gflops'] - 1) - match['tolerance'])


def _accept(genotypes, files, out_cfg, gflops, write, info):
    """Write the accepted architecture with its cost and how it was found."""
    files = write(genotypes, dict(info, gflops=gflops))
    return dict(genotypes=files, config=out_cfg, trial=info['trial'],
                gflops=gflops, walk=info.get('walk'))


def _walk(mutator, generator, std, derive_kwargs, match, best, closest,
          write, train_cfg):
    """Random walk from the closest draw when no draw hit the band: redraw
    one edge / decision per step (:func:`mutate_random_arch`), keep a step
    that does not move away from the band, and once inside take
    ``mix_steps`` more steps that keep only in-band proposals (a symmetric
    proposal with that rule samples the band uniformly in the limit), so
    the result does not just sit on the band's edge.

    Returns:
        tuple | None: (genotypes, files, gflops, walk record) or None when
        ``walk_steps`` ended outside the band.
    """
    genotypes = restore_arch(mutator, best[1], **derive_kwargs)
    current, accepted, inside = closest, 0, 0
    for step in range(match['walk_steps']):
        snapshot = arch_snapshot(mutator)
        proposal = mutate_random_arch(mutator, generator, std,
                                      **derive_kwargs)
        write(proposal, dict(walk_step=step))
        gflops = _gflops(train_cfg, match['input_size'])
        if _miss(gflops, match) <= _miss(current, match):
            genotypes, current, accepted = proposal, gflops, accepted + 1
        else:
            genotypes = restore_arch(mutator, snapshot, **derive_kwargs)
        inside += _miss(current, match) == 0
        if inside > match['mix_steps']:
            walk = dict(steps=step + 1, accepted=accepted,
                        mix_steps=match['mix_steps'])
            return genotypes, write(genotypes, {}), current, walk
    return None
