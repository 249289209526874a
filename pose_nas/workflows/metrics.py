# Copyright (c) pose_nas contributors. All rights reserved.
"""Read back what MMPose's / MMDetection's tools wrote, and score top-down
(detector -> pose) predictions against ground truth.

:func:`latest_metrics` reads the metrics of the newest run under an MMEngine
work dir; :func:`match_topdown_results` matches predicted persons to
COCO-format ground truth (box IoU, keypoint error).
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

__all__ = ['latest_metrics', 'box_iou', 'match_topdown_results']


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
            for lineno, line in enumerate(f, start=1):
                try:
                    record = json.loads(line)
                except ValueError as e:  # e.g. a run killed mid-line
                    raise ValueError(f'{path}: line {lineno} is not valid '
                                     f'JSON ({e})') from e
                if not isinstance(record, dict):
                    continue
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
    try:
        with open(gt_file) as f:
            coco = json.load(f)
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f'annotation file {gt_file} is not valid JSON '
                         f'({e})') from e
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
