# Copyright (c) pose_nas contributors. All rights reserved.
"""Point a synthetic-data config at a data root and shorten its schedule.

The synthetic workflow (``tools/run_synthetic_workflow.py``) and the
studies drive MMPose's and MMDetection's own ``tools/train.py`` and
``tools/test.py`` in subprocesses; :func:`retarget_config` prepares their
configs (data paths, schedule length, dataloader workers).
"""
import copy
import os.path as osp
from typing import Optional

__all__ = ['retarget_config']


def _set_data_root(obj, data_root: str) -> None:
    """Set ``data_root`` on every dataset config nested in ``obj``."""
    if isinstance(obj, dict):
        if 'data_root' in obj:
            obj['data_root'] = data_root
        for value in obj.values():
            _set_data_root(value, data_root)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _set_data_root(value, data_root)


def _set_num_workers(obj, num_workers: int) -> None:
    """Set the workers of every dataloader config nested in ``obj``."""
    if isinstance(obj, dict):
        if 'num_workers' in obj and 'dataset' in obj:
            obj['num_workers'] = num_workers
            obj['persistent_workers'] = num_workers > 0
        for value in obj.values():
            _set_num_workers(value, num_workers)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _set_num_workers(value, num_workers)


def _is_mpii(dataset: dict) -> bool:
    """Whether a dataset config (or the dataset it wraps) is MPII."""
    while isinstance(dataset, dict):
        if 'Mpii' in str(dataset.get('type', '')):
            return True
        dataset = dataset.get('dataset')
    return False


def retarget_config(cfg, data_root: str, max_epochs: Optional[int] = None,
                    val_split: str = 'val', num_workers: Optional[int] = None,
                    test_split: Optional[str] = None):
    """Point a synthetic-data config at ``data_root`` and shorten its schedule.

    Works for MMPose (topdown ``CocoDataset``) and MMDetection (``CocoDataset``)
    configs that read ``annotations/person_keypoints_{split}.json`` and images
    from ``{split}/`` under their data root, and for MMPose ``MpiiDataset``
    configs on the synthetic MPII layout (``annotations/mpii_{split}.json``,
    ``annotations/mpii_gt_{split}.mat``, ``images/``).

    Args:
        cfg (mmengine.Config): The config, modified in place.
        data_root (str): Folder with ``annotations/`` and image folders.
        max_epochs (int, optional): New training length in epochs; epoch-based
            LR schedulers are clipped/stretched to it and validation and
            checkpointing happen at its end.
        val_split (str): Split used for validation (and for test when
            ``test_split`` is not given).
        num_workers (int, optional): Dataloader workers for every loader.
        test_split (str, optional): Split of ``test_dataloader`` /
            ``test_evaluator``: the split results are reported on, which
            nothing of training or search reads.

    Returns:
        mmengine.Config: ``cfg``.
    """
    data_root = osp.abspath(data_root) + '/'
    splits = dict(val_dataloader=val_split, val_evaluator=val_split,
                  test_dataloader=test_split or val_split,
                  test_evaluator=test_split or val_split)
    for key in ('test_dataloader', 'test_evaluator'):
        if test_split and cfg.get(key) is not None:  # may alias val's
            cfg[key] = copy.deepcopy(cfg[key])
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader is None:
            continue
        split = splits.get(key)
        dataset = loader['dataset']
        _set_data_root(dataset, data_root)
        if _is_mpii(dataset):
            # MPII layout: annotations/mpii_{split}.json, images/ shared
            dataset['data_prefix'] = dict(img='images/')
            if key != 'train_dataloader':
                dataset['ann_file'] = f'annotations/mpii_{split}.json'
                dataset['headbox_file'] = (
                    f'{data_root}annotations/mpii_gt_{split}.mat')
        elif key != 'train_dataloader':
            dataset['ann_file'] = f'annotations/person_keypoints_{split}.json'
            dataset['data_prefix'] = dict(img=f'{split}/')
        if num_workers is not None:
            loader['num_workers'] = num_workers
            loader['persistent_workers'] = num_workers > 0
    # loaders inside hooks and train_cfg.search (held-out split of a
    # search, reward subsets)
    for hook in [*(cfg.get('custom_hooks') or []),
                 (cfg.get('train_cfg') or {}).get('search') or {}]:
        _set_data_root(hook, data_root)
        if num_workers is not None:
            _set_num_workers(hook, num_workers)
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        if isinstance(evaluator, dict) and 'ann_file' in evaluator:
            evaluator['ann_file'] = (
                f'{data_root}annotations/person_keypoints_{splits[key]}.json')
    if max_epochs is not None:
        cfg.train_cfg['max_epochs'] = max_epochs
        cfg.train_cfg['val_interval'] = max_epochs
        schedulers = cfg.get('param_scheduler') or []
        if isinstance(schedulers, dict):
            if 'type' in schedulers:
                schedulers = [schedulers]
            else:  # dict form, one list per optimizer
                schedulers = [
                    s for v in schedulers.values()
                    for s in (v if isinstance(v, (list, tuple)) else [v])
                ]
        for sched in schedulers:
            if not sched.get('by_epoch', True):
                continue
            old_end = sched.get('end', max_epochs)
            ratio = max_epochs / max(old_end, 1)
            sched['begin'] = int(round(sched.get('begin', 0) * ratio))
            sched['end'] = max_epochs
            if 'T_max' in sched:
                sched['T_max'] = max_epochs - sched['begin']
            if 'milestones' in sched:
                sched['milestones'] = [
                    max(1, int(round(m * ratio))) for m in sched['milestones']
                ]
        ckpt = cfg.default_hooks.get('checkpoint')
        if ckpt is not None:
            ckpt['interval'] = max_epochs
    return cfg
