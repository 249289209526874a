# Copyright (c) pose_nas contributors. All rights reserved.
"""A study's top-down step (``topdown`` of a study file): MMDetection's
person detector trained on the study's synthetic data (or reused), then
detector -> pose on held-out images with one variant's retrained net,
matched to the annotated persons."""
import glob
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.config import Config

from .config_retarget import retarget_config
from .metrics import latest_metrics, match_topdown_results
from .study_checks import resolve
from .tool_runner import last_checkpoint, run_tool, thread_env

__all__ = ['run_topdown']


def run_topdown(study: Config, study_file: str, run: Dict[str, Any],
                paths: dict, work_dir: str, num_workers: int = 2,
                det_checkpoint: Optional[str] = None,
                det_config: Optional[str] = None,
                threads: Optional[int] = None,
                report_split: str = 'test') -> Dict[str, Any]:
    """Train the study's detector (or reuse one) and run detector -> pose on
    the last ``topdown.num_images`` images of ``report_split`` with the
    chosen variant's retrained model (``run``: its config and checkpoint).

    Args:
        study (Config): The study; its ``topdown`` dict (``det_config``,
            ``det_epochs``, ``num_images``, ``bbox_thr``) and ``data.seed``.
        study_file (str): Path of the study (``det_config`` is relative).
        run (dict): The run record of the variant shown.
        paths (dict): The synthetic splits' ``ann_file`` / ``img_dir``.
        work_dir (str): The study's work dir (``detector/``, ``topdown/``).
        det_checkpoint, det_config (str, optional): A trained detector to
            reuse instead of training one.
        threads (int, optional): OpenMP/MKL threads of the detector's
            training subprocess.

    Returns:
        dict: The match of predicted to annotated persons, the detector's
        validation metrics and paths.
    """
    import mmdet

    from pose_nas.apis.inference import (init_topdown_inferencer,
                                         topdown_predict)
    td = study.topdown
    coco_root = osp.dirname(osp.dirname(paths['val']['ann_file']))
    out: Dict[str, Any] = dict(variant=run['variant'], seed=run['seed'])
    det_dir = osp.join(work_dir, 'detector')
    if det_checkpoint is None:
        epochs = int(td.get('det_epochs', 20))
        cfg = retarget_config(
            Config.fromfile(resolve(study_file, td['det_config'])),
            coco_root, epochs, num_workers=num_workers)
        cfg.randomness = dict(seed=int(study.data.get('seed', 0)))
        os.makedirs(det_dir, exist_ok=True)
        det_config = osp.join(det_dir, 'det_config.py')
        cfg.dump(det_config)
        det_train = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools',
                             'train.py')
        run_tool(det_train, [det_config, '--work-dir', det_dir],
                 osp.join(det_dir, 'train.log'), env=thread_env(threads))
        det_checkpoint = last_checkpoint(det_dir, epochs)
        try:
            out['detector_val'] = latest_metrics(det_dir)
        except (FileNotFoundError, ValueError):  # no box found at all
            out['detector_val'] = {}
    elif det_config is None:
        raise ValueError('a detector checkpoint needs its config')
    images = sorted(glob.glob(osp.join(paths[report_split]['img_dir'],
                                       '*')))
    images = images[-int(td.get('num_images', 10)):]
    demo_dir = osp.join(work_dir, 'topdown')
    inferencer = init_topdown_inferencer(run['config'], run['checkpoint'],
                                         det_config, det_checkpoint,
                                         device='cpu')
    results = topdown_predict(
        inferencer, images, bbox_thr=float(td.get('bbox_thr', 0.1)),
        vis_out_dir=osp.join(demo_dir, 'visualizations'),
        pred_out_dir=osp.join(demo_dir, 'predictions'))
    out['match'] = match_topdown_results(
        results, paths[report_split]['ann_file'], images)
    out['det_config'], out['det_checkpoint'] = det_config, det_checkpoint
    out['visualizations'] = osp.join(demo_dir, 'visualizations')
    return out
