# Copyright (c) pose_nas contributors. All rights reserved.
"""The finished runs of a study that a later invocation keeps: those of
``--resume`` (its own ``summary.json``, checkpoints present), of
``--import-runs`` (an earlier summary of the same study and data) and an
earlier top-down result."""
import json
import os.path as osp
from typing import Any, Dict, Optional, Sequence, Union

from .study_stats import arch_movement


def previous_runs(work_dir: str) -> Dict[tuple, Dict[str, Any]]:
    """(variant, seed) -> record of the runs an earlier invocation
    finished (listed in ``work_dir/summary.json``, checkpoint present)."""
    path = osp.join(work_dir, 'summary.json')
    if not osp.isfile(path):
        return {}
    try:
        with open(path) as f:
            previous = json.load(f)
        runs = [rec for rec in previous.get('runs', [])
                if osp.isfile(rec.get('checkpoint', ''))]
        for rec in runs:  # a record of a version that did not keep it
            history = osp.join(work_dir, rec['variant'], f"seed{rec['seed']}",
                               'search', 'arch_history.jsonl')
            if 'search_arch' not in rec and osp.isfile(history):
                rec['search_arch'] = arch_movement(history)
        return {(rec['variant'], rec['seed']): rec for rec in runs}
    except (ValueError, AttributeError, TypeError, KeyError) as e:
        raise ValueError(f'--resume: cannot read the earlier summary {path} '
                         f'({type(e).__name__}: {e}); remove it to start '
                         'over') from e


def imported_runs(paths: Union[str, Sequence[str]], study_file: str,
                  data: dict, retrain_epochs: int,
                  width_match: Optional[dict] = None
                  ) -> Dict[tuple, Dict[str, Any]]:
    """(variant, seed) -> record of the finished runs in the summaries
    ``paths`` of earlier invocations (e.g. seeds run as parallel processes),
    each of a study file of the same name, on the same data, with the same
    retraining epochs and the same ``width_match`` (else a one-line
    ``ValueError``; so is a run that two of them hold). Each record gets
    ``imported_from``."""
    out: Dict[tuple, Dict[str, Any]] = {}
    for path in [paths] if isinstance(paths, str) else list(paths):
        for key, rec in _imported_runs(path, study_file, data,
                                       retrain_epochs, width_match).items():
            if key in out:
                raise ValueError(
                    f'--import-runs: {key[0]!r} seed {key[1]} is in both '
                    f"{out[key]['imported_from']} and {path}")
            out[key] = rec
    return out


def _imported_runs(path: str, study_file: str, data: dict,
                   retrain_epochs: int, width_match: Optional[dict] = None
                   ) -> Dict[tuple, Dict[str, Any]]:
    """The finished runs of one earlier summary (see :func:`imported_runs`)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'--import-runs: {path} does not exist')
    with open(path) as f:
        try:
            previous = json.load(f)
        except ValueError as e:
            raise ValueError(f'--import-runs: {path} is not JSON ({e})') \
                from e
    for what, mine, theirs in (
            ('study', osp.basename(study_file),
             osp.basename(str(previous.get('study')))),
            ('data', data, previous.get('data')),
            ('retrain_epochs', retrain_epochs,
             previous.get('retrain_epochs')),
            ('width_match', _plain(width_match),
             _plain(previous.get('width_match')))):
        if mine != theirs:
            raise ValueError(f'--import-runs: {path} has {what} {theirs!r}, '
                             f'this study {mine!r}')
    out = {}
    for rec in previous.get('runs', []):
        if 'metrics' in rec:
            out[(rec['variant'], rec['seed'])] = dict(rec,
                                                     imported_from=path)
    return out


def _plain(obj: Any) -> Any:
    """``obj`` as JSON reads it back (tuples become lists), to compare a
    study's option with the one an earlier summary recorded."""
    return json.loads(json.dumps(obj))


def previous_topdown(work_dir: str) -> Optional[Dict[str, Any]]:
    """The top-down result of an earlier invocation (kept by --resume
    with --skip-topdown), or None."""
    path = osp.join(work_dir, 'summary.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f).get('topdown')
