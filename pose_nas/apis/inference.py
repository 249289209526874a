# Copyright (c) pose_nas contributors. All rights reserved.
"""Top-down inference: an MMDetection person detector, then a pose model.

Both models come from local config files and local checkpoints; nothing is
ever fetched from a URL. The heavy lifting is MMPose's own
:class:`~mmpose.apis.MMPoseInferencer`.
"""
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np


def _check_local(path: str, what: str) -> str:
    """Return ``path`` if it is an existing local file, else raise."""
    if '://' in str(path):
        raise ValueError(f'{what} must be a local file, got the URL {path!r}; '
                         'pose_nas never downloads weights at run time.')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def init_topdown_inferencer(pose_config: str,
                            pose_checkpoint: str,
                            det_config: str,
                            det_checkpoint: str,
                            det_cat_ids: Union[int, Sequence[int]] = (0, ),
                            device: str = 'cpu'):
    """Build an MMPoseInferencer for detector -> boxes -> pose.

    Args:
        pose_config (str): Path of the pose model config.
        pose_checkpoint (str): Path of the pose model checkpoint.
        det_config (str): Path of the MMDetection detector config.
        det_checkpoint (str): Path of the detector checkpoint.
        det_cat_ids (int | Sequence[int]): Detector class indices that are
            persons. Defaults to ``(0, )``.
        device (str): Device to run on, e.g. ``'cpu'`` or ``'cuda:0'``.

    Returns:
        :class:`mmpose.apis.MMPoseInferencer`: The inferencer.
    """
    import pose_nas  # noqa: F401  compat shims before any checkpoint load
    from mmpose.apis import MMPoseInferencer
    for path, what in ((pose_config, 'pose config'),
                       (pose_checkpoint, 'pose checkpoint'),
                       (det_config, 'detector config'),
                       (det_checkpoint, 'detector checkpoint')):
        _check_local(path, what)
    if isinstance(det_cat_ids, int):
        det_cat_ids = (det_cat_ids, )
    return MMPoseInferencer(
        pose2d=pose_config,
        pose2d_weights=pose_checkpoint,
        det_model=det_config,
        det_weights=det_checkpoint,
        det_cat_ids=list(det_cat_ids),
        device=device)


def topdown_predict(inferencer,
                    images: Union[str, Iterable[str]],
                    bbox_thr: float = 0.3,
                    kpt_thr: float = 0.3,
                    vis_out_dir: Optional[str] = None,
                    pred_out_dir: Optional[str] = None) -> List[List[Dict]]:
    """Run detector -> pose on images and return the predicted instances.

    Args:
        inferencer: An inferencer from :func:`init_topdown_inferencer`.
        images (str | Iterable[str]): An image path, a folder or a list of
            image paths.
        bbox_thr (float): Minimum detection score of a person box.
        kpt_thr (float): Minimum keypoint score to draw a keypoint.
        vis_out_dir (str, optional): Where to write visualised images.
        pred_out_dir (str, optional): Where to write per-image JSON results.

    Returns:
        list[list[dict]]: For each image, one dict per detected person with
        ``bbox`` (4,) xyxy, ``bbox_score`` (float), ``keypoints`` (K, 2) and
        ``keypoint_scores`` (K,) as numpy arrays.
    """
    if isinstance(images, str):
        inputs = images
    else:
        inputs = list(images)
        for path in inputs:
            _check_local(path, 'input image')
    kwargs = dict(bbox_thr=bbox_thr, kpt_thr=kpt_thr, show=False)
    if vis_out_dir is not None:
        kwargs['vis_out_dir'] = vis_out_dir
    if pred_out_dir is not None:
        kwargs['pred_out_dir'] = pred_out_dir
    results = []
    for result in inferencer(inputs, **kwargs):
        for image_preds in result['predictions']:
            instances = []
            for inst in image_preds:
                bbox = np.asarray(inst['bbox'], dtype=np.float32).reshape(-1)
                score = inst.get('bbox_score', 1.0)
                instances.append(
                    dict(
                        bbox=bbox[:4],
                        bbox_score=float(np.asarray(score).reshape(-1)[0]),
                        keypoints=np.asarray(
                            inst['keypoints'], dtype=np.float32),
                        keypoint_scores=np.asarray(
                            inst['keypoint_scores'], dtype=np.float32)))
            results.append(instances)
    return results
