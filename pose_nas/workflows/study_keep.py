# Copyright (c) pose_nas contributors. All rights reserved.
"""Keep a study's results in the repository (``tools/keep_study.py``).

A study's work dir (data, checkpoints, logs) does not outlive a session on a
CPU machine, but its evidence must: :func:`keep_study` copies the summary,
the results table and the plot, and per run the net that was retrained: its
retrain config (dumped by the study, so self-contained) and its genotype
file(s), with every path into the work dir or the checkout rewritten
relative to the repository root. The kept ``summary.json`` can be given to
``tools/run_nas_study.py --import-runs`` (a study spanning sessions or run
as parallel processes) and to ``tools/nas_evidence.py``, which rebuilds the
kept nets (for their latency) from it.
"""
import json
import os
import os.path as osp
import shutil
from typing import Any, Dict


def _rel(path: str, root: str) -> str:
    return osp.relpath(osp.abspath(path), root)


def _keep_run(rec: Dict[str, Any], run_dir: str, root: str) -> None:
    """Copy one run's retrain config and genotypes to ``run_dir``; adds
    ``rec['kept'] = dict(config=..., genotypes=[...])``."""
    config = rec.get('config')
    if not config or not osp.isfile(config):
        raise FileNotFoundError(
            f"keep: run {rec['variant']!r} seed {rec['seed']} has no retrain "
            f'config at {config!r} (its work dir is gone?)')
    os.makedirs(run_dir, exist_ok=True)
    with open(config) as f:
        text = f.read()
    kept = []
    for geno in rec.get('genotypes') or []:
        if not osp.isfile(geno):
            raise FileNotFoundError(f'keep: genotype {geno} of run '
                                    f"{rec['variant']!r} seed {rec['seed']} "
                                    'does not exist')
        dest = osp.join(run_dir, osp.basename(geno))
        shutil.copyfile(geno, dest)
        text = text.replace(osp.abspath(geno), _rel(dest, root))
        kept.append(_rel(dest, root))
    # paths into the checkout (a shipped genotype, the metainfo) become
    # relative to it; tools run from the repository root
    text = text.replace(osp.join(root, ''), '')
    dest = osp.join(run_dir, 'retrain_config.py')
    with open(dest, 'w') as f:
        f.write(text)
    rec['kept'] = dict(config=_rel(dest, root), genotypes=kept)


def keep_study(work_dir: str, dest: str, root: str) -> Dict[str, Any]:
    """Copy ``work_dir``'s study results to ``dest`` (a folder under the
    repository ``root``) and return the kept summary.

    Runs that were imported already kept (``kept`` in their record) stay as
    they are; every other run needs its retrain config and genotypes in
    ``work_dir``.
    """
    root = osp.abspath(root)
    path = osp.join(work_dir, 'summary.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'keep: {path} does not exist')
    with open(path) as f:
        summary = json.load(f)
    dest = osp.abspath(dest)
    os.makedirs(dest, exist_ok=True)
    for rec in summary['runs']:
        if 'kept' not in rec:
            _keep_run(rec, osp.join(dest, rec['variant'],
                                    f"seed{rec['seed']}"), root)
        rec.pop('checkpoint', None)  # not kept
    summary['study'] = _rel(summary['study'], root)
    summary['kept_from'] = summary.pop('work_dir', work_dir)
    summary.pop('plot', None)
    for name in ('results.md', 'study.png'):
        if osp.isfile(osp.join(work_dir, name)):
            shutil.copyfile(osp.join(work_dir, name), osp.join(dest, name))
            if name == 'study.png':
                summary['plot'] = _rel(osp.join(dest, name), root)
    with open(osp.join(dest, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary
