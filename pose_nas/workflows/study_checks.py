# Copyright (c) pose_nas contributors. All rights reserved.
"""Reading a study file: paths, ``'{seed}'`` placeholders and the checks
that give a clear error for a malformed study before anything runs (see
:mod:`pose_nas.workflows.study` for the format)."""
import os.path as osp
from typing import Any

from mmengine.config import Config

__all__ = ['check_study', 'check_seeds', 'resolve', 'with_seed']


def resolve(study_file: str, path: str) -> str:
    if osp.isabs(path):
        return path
    return osp.abspath(osp.join(osp.dirname(osp.abspath(study_file)), path))


def with_seed(obj: Any, seed: int) -> Any:
    """Replace ``'{seed}'`` placeholders (whole value or inside strings)."""
    if isinstance(obj, dict):
        return {k: with_seed(v, seed) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(with_seed(v, seed) for v in obj)
    if obj == '{seed}':
        return seed
    if isinstance(obj, str) and '{seed}' in obj:
        return obj.replace('{seed}', str(seed))
    return obj


def check_study(study: Config, study_file: str) -> None:
    """Clear errors for a malformed study before anything runs."""
    for key in ('data', 'seeds', 'variants', 'retrain_epochs'):
        if key not in study:
            raise KeyError(f'study {study_file} has no `{key}`')
    check_seeds(study.seeds, f'study {study_file}: `seeds`')
    if not isinstance(study.variants, (list, tuple)) or not study.variants:
        raise ValueError(f'study {study_file}: `variants` must be a '
                         f'non-empty list, got {study.variants!r}')
    names = [v.get('name') for v in study.variants]
    if None in names or len(set(names)) != len(names):
        raise ValueError(f'every variant needs a unique name, got {names}')
    for i, v in enumerate(study.variants):
        of = v.get('random_flops_of')
        if of is not None and (of not in names[:i] or 'search_config' not in v):
            raise ValueError(
                f"variant {v['name']!r}: random_flops_of must name an "
                f'earlier variant of {names[:i]} (got {of!r}) and the '
                'variant needs `search_config` (the space drawn from)')
        kinds = [k for k in ('search_config', 'config') if k in v]
        if len(kinds) != 1:
            raise ValueError(f"variant {v['name']!r}: give exactly one of "
                             "`search_config` or `config`")
        path = resolve(study_file, v[kinds[0]])
        if not osp.isfile(path):
            raise FileNotFoundError(
                f"variant {v['name']!r}: config not found: {path}")
    for pair in study.get('compare', []):
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or any(p not in names for p in pair) or pair[0] == pair[1]):
            raise ValueError(f'study {study_file}: `compare` entries are '
                             f'pairs of two different variants of {names}, '
                             f'got {pair!r}')
    if study.get('width_match') is not None:
        from .study_width import check_width_match
        check_width_match(study.width_match, f'study {study_file}')
    td = study.get('topdown')
    if td:
        if td.get('variant') not in names:
            raise ValueError(f"topdown.variant {td.get('variant')!r} is not "
                             f'one of the variants {names}')
        det = resolve(study_file, td['det_config'])
        if not osp.isfile(det):
            raise FileNotFoundError(f'detector config not found: {det}')


def check_seeds(seeds: Any, what: str) -> None:
    """``seeds`` must be a non-empty list of ints (else nothing runs)."""
    if (not isinstance(seeds, (list, tuple)) or not seeds or any(
            isinstance(s, bool) or not isinstance(s, int) for s in seeds)):
        raise ValueError(f'{what} must be a non-empty list of ints, got '
                         f'{seeds!r}')
