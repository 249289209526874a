# Copyright (c) pose_nas contributors. All rights reserved.
"""Helpers of the synthetic end-to-end workflow (``tools/run_synthetic_workflow.py``).

The workflow drives MMPose's and MMDetection's own ``tools/train.py`` and
``tools/test.py`` in subprocesses; this module only prepares their configs
(data paths, schedule length) and reads their outputs back.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np


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
                    val_split: str = 'val', num_workers: Optional[int] = None):
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
        val_split (str): Split used for validation and test.
        num_workers (int, optional): Dataloader workers for every loader.

    Returns:
        mmengine.Config: ``cfg``.
    """
    data_root = osp.abspath(data_root) + '/'
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader is None:
            continue
        dataset = loader['dataset']
        _set_data_root(dataset, data_root)
        if _is_mpii(dataset):
            # MPII layout: annotations/mpii_{split}.json, images/ shared
            dataset['data_prefix'] = dict(img='images/')
            if key != 'train_dataloader':
                dataset['ann_file'] = f'annotations/mpii_{val_split}.json'
                dataset['headbox_file'] = (
                    f'{data_root}annotations/mpii_gt_{val_split}.mat')
        elif key != 'train_dataloader':
            dataset['ann_file'] = f'annotations/person_keypoints_{val_split}.json'
            dataset['data_prefix'] = dict(img=f'{val_split}/')
        if num_workers is not None:
            loader['num_workers'] = num_workers
            loader['persistent_workers'] = num_workers > 0
    # loaders inside hooks (held-out split of a search, reward subsets)
    for hook in cfg.get('custom_hooks') or []:
        _set_data_root(hook, data_root)
        if num_workers is not None:
            _set_num_workers(hook, num_workers)
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        if isinstance(evaluator, dict) and 'ann_file' in evaluator:
            evaluator['ann_file'] = (
                f'{data_root}annotations/person_keypoints_{val_split}.json')
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


def run_tool(script: str, args: Sequence[str], log_file: str,
             env: Optional[Dict[str, str]] = None) -> None:
    """Run ``python script *args`` in a subprocess, logging to ``log_file``.

    Raises:
        RuntimeError: With the end of the log when the tool fails.
    """
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    cmd = [sys.executable, script, *args]
    with open(log_file, 'w') as f:
        proc = subprocess.run(
            cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = ''.join(f.readlines()[-40:])
        raise RuntimeError(f'{" ".join(cmd)} failed ({proc.returncode}); '
                           f'log {log_file}:\n{tail}')


def latest_metrics(work_dir: str) -> Dict[str, float]:
    """Read the metrics of the newest run logged under an MMEngine work dir.

    A test run (``tools/test.py``) dumps ``{work_dir}/{timestamp}/
    {timestamp}.json``; a training run logs one JSON line per step to
    ``{work_dir}/{timestamp}/vis_data/{timestamp}.json``, validation metrics
    included. The newest run's metrics are returned (for training, those of
    the last validation).
    """
    runs = sorted(d for d in glob.glob(osp.join(work_dir, '*'))
                  if osp.isdir(d) and glob.glob(osp.join(d, '*.json')) +
                  glob.glob(osp.join(d, 'vis_data', '*.json')))
    if not runs:
        raise FileNotFoundError(f'no MMEngine json log under {work_dir}')
    files = (glob.glob(osp.join(runs[-1], '*.json')) +
             glob.glob(osp.join(runs[-1], 'vis_data', '*.json')))
    metrics: Dict[str, float] = {}
    for path in files:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if any('/' in k for k in record):
                    metrics = {k: v for k, v in record.items() if '/' in k}
        if metrics:
            break
    if not metrics:
        raise ValueError(f'no metrics in {runs[-1]}')
    return metrics


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU between boxes ``a`` (N, 4) and ``b`` (M, 4) in xyxy -> (N, M)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = (a[:, 2:] - a[:, :2]).clip(0).prod(-1)
    area_b = (b[:, 2:] - b[:, :2]).clip(0).prod(-1)
    return inter / np.maximum(area_a[:, None] + area_b[None] - inter, 1e-9)


def match_topdown_results(results: List[List[Dict]], gt_file: str,
                          image_names: Sequence[str]) -> Dict[str, float]:
    """Compare detector -> pose predictions with COCO-format ground truth.

    Each ground-truth person is matched to the predicted box of highest IoU.
    Keypoint error is the distance between predicted and true joints for the
    joints labelled visible (v=2), divided by the diagonal of the true box.

    Args:
        results (list[list[dict]]): Output of
            :func:`pose_nas.apis.topdown_predict`, one list per image.
        gt_file (str): The COCO keypoint annotation file of the images.
        image_names (Sequence[str]): File names of the images, in the order
            of ``results``.

    Returns:
        dict: ``num_gt``, ``recall@0.5`` (share of true persons with a box of
        IoU >= 0.5), ``mean_iou`` of the matches, ``median_kpt_error`` and
        ``pck@0.1`` (share of visible joints within 0.1 box diagonals).
    """
    with open(gt_file) as f:
        coco = json.load(f)
    ids = {img['file_name']: img['id'] for img in coco['images']}
    anns: Dict[int, list] = {}
    for ann in coco['annotations']:
        anns.setdefault(ann['image_id'], []).append(ann)
    ious, errors = [], []
    for preds, name in zip(results, image_names):
        gts = anns.get(ids[osp.basename(name)], [])
        pred_boxes = np.array([p['bbox'] for p in preds]).reshape(-1, 4)
        for gt in gts:
            x, y, w, h = gt['bbox']
            gt_box = np.array([x, y, x + w, y + h])
            if len(pred_boxes) == 0:
                ious.append(0.0)
                continue
            iou = box_iou(gt_box[None], pred_boxes)[0]
            best = int(iou.argmax())
            ious.append(float(iou[best]))
            kpts = np.array(gt['keypoints'], dtype=np.float64).reshape(-1, 3)
            vis = kpts[:, 2] == 2
            if iou[best] >= 0.5 and vis.any():
                diag = np.hypot(w, h)
                dist = np.linalg.norm(
                    preds[best]['keypoints'][vis] - kpts[vis, :2], axis=1)
                errors.extend((dist / diag).tolist())
    ious_arr = np.array(ious)
    errors_arr = np.array(errors) if errors else np.array([np.inf])
    return {
        'num_gt': int(len(ious_arr)),
        'recall@0.5': float((ious_arr >= 0.5).mean()) if len(ious) else 0.0,
        'mean_iou': float(ious_arr.mean()) if len(ious) else 0.0,
        'median_kpt_error': float(np.median(errors_arr)),
        'pck@0.1': float((errors_arr <= 0.1).mean()),
    }
