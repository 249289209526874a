# Copyright (c) pose_nas contributors. All rights reserved.
"""Top-down inference: an MMDetection person detector, then a pose model.

Both models come from local config files and local checkpoints; nothing is
ever fetched from a URL. The heavy lifting is MMPose's own
:class:`~mmpose.apis.MMPoseInferencer`. The input is an image, a folder of
images or a video file (by file type; MMPose reads the video frame by frame
and writes the visualised video and one JSON of per-frame predictions). A
pose checkpoint that does not fit a pose_nas model is an error
(:mod:`pose_nas.nas.checkpoint_check`), and so is a release whose bytes do
not match its name (:mod:`pose_nas.apis.publish_check`); in a folder of
images, an unreadable one is skipped with a warning (:func:`find_images`).
"""
import mimetypes
import os
import os.path as osp
import warnings
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np


def _check_local(path: str, what: str) -> str:
    """Return ``path`` if it is an existing local file, else raise."""
    if '://' in str(path):
        raise ValueError(f'{what} must be a local file, got the URL {path!r}; '
                         'pose_nas never downloads weights at run time.')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def _is_image_file(path: str) -> bool:
    kind = mimetypes.guess_type(path)[0]
    return kind is not None and kind.startswith('image/')


def is_video_file(path: str) -> bool:
    """Whether ``path`` names a video file (by its type, as MMPose's
    inferencer decides)."""
    kind = mimetypes.guess_type(str(path))[0]
    return kind is not None and kind.startswith('video/')


def check_video(path: str) -> int:
    """Number of frames OpenCV reads from ``path``.

    Raises:
        FileNotFoundError: no such file.
        ValueError: OpenCV cannot decode a frame of it.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'input not found: {path}')
    cap = cv2.VideoCapture(path)
    ok = cap.isOpened() and cap.read()[0]
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if ok else 0
    cap.release()
    if not ok:
        raise ValueError(f'cannot read video {path} (corrupt, or a codec '
                         'this OpenCV lacks)')
    return max(frames, 1)


def images_to_video(images: Sequence[str], out_file: str,
                    fps: float = 5.0) -> str:
    """Write images as the frames of a video (e.g. a synthetic clip).

    Frames are resized to the first image's size. The codec follows the
    extension: ``.avi`` is Motion-JPEG, ``.mp4`` is MPEG-4 part 2
    (``mp4v``, what MMPose's inferencer writes); this OpenCV has no H.264
    encoder.

    Args:
        images (Sequence[str]): frame image paths, in order.
        out_file (str): ``.avi`` or ``.mp4`` path.
        fps (float): frames per second.

    Returns:
        str: ``out_file``.
    """
    import cv2
    codecs = {'.avi': 'MJPG', '.mp4': 'mp4v'}
    ext = osp.splitext(out_file)[1].lower()
    if ext not in codecs:
        raise ValueError(f'video extension must be one of {sorted(codecs)}, '
                         f'got {out_file}')
    if not images:
        raise ValueError('images_to_video: no image given')
    first = cv2.imread(images[0])
    if first is None:
        raise ValueError(f'cannot read image {images[0]}')
    h, w = first.shape[:2]
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    writer = cv2.VideoWriter(out_file, cv2.VideoWriter_fourcc(*codecs[ext]),
                             fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {out_file}')
    for path in images:
        frame = cv2.imread(path)
        if frame is None:
            writer.release()
            raise ValueError(f'cannot read image {path}')
        writer.write(cv2.resize(frame, (w, h)))
    writer.release()
    return out_file


def _readable(path: str) -> bool:
    import mmcv
    try:
        return mmcv.imread(path) is not None
    except Exception:  # noqa: BLE001 - any decoder failure: unreadable
        return False


def find_images(path: str) -> Tuple[List[str], List[str]]:
    """The images to run on: ``path`` itself, or the image files of the
    folder ``path`` (by file type, sorted, as MMPose's inferencer lists
    them), split into readable ones and unreadable (corrupt) ones.

    Args:
        path (str): An image file or a folder.

    Returns:
        tuple[list[str], list[str]]: ``(readable, unreadable)`` paths.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``path`` is an unreadable image, or a folder without a
            readable image.
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'input not found: {path}')
    if not osp.isdir(path):
        if not _readable(path):
            raise ValueError(f'cannot read image {path} (corrupt, or not '
                             'an image)')
        return [path], []
    files = sorted(
        osp.join(path, f) for f in os.listdir(path)
        if osp.isfile(osp.join(path, f)) and _is_image_file(f))
    readable = [f for f in files if _readable(f)]
    unreadable = [f for f in files if f not in readable]
    if not readable:
        raise ValueError(f'no readable image in {path} ({len(unreadable)} '
                         'unreadable image file(s))')
    return readable, unreadable


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

    Raises:
        CheckpointMismatchError: the pose checkpoint does not fit the pose
            model (e.g. a search checkpoint given to a derived config).
        CheckpointReadError: a checkpoint file cannot be read.
    """
    import pose_nas  # noqa: F401  compat shims before any checkpoint load
    from mmpose.apis import MMPoseInferencer

    from pose_nas.nas.checkpoint_check import CheckpointMismatchError
    for path, what in ((pose_config, 'pose config'),
                       (pose_checkpoint, 'pose checkpoint'),
                       (det_config, 'detector config'),
                       (det_checkpoint, 'detector checkpoint')):
        _check_local(path, what)
    if isinstance(det_cat_ids, int):
        det_cat_ids = (det_cat_ids, )
    try:
        return MMPoseInferencer(
            pose2d=pose_config,
            pose2d_weights=pose_checkpoint,
            det_model=det_config,
            det_weights=det_checkpoint,
            det_cat_ids=list(det_cat_ids),
            device=device)
    except CheckpointMismatchError as e:  # only pose_nas models check
        raise e.with_source(pose_checkpoint) from e


def topdown_predict(inferencer,
                    images: Union[str, Iterable[str]],
                    bbox_thr: float = 0.3,
                    kpt_thr: float = 0.3,
                    vis_out_dir: Optional[str] = None,
                    pred_out_dir: Optional[str] = None) -> List[List[Dict]]:
    """Run detector -> pose on images and return the predicted instances.

    Args:
        inferencer: An inferencer from :func:`init_topdown_inferencer`.
        images (str | Iterable[str]): An image path, a folder, a list of
            image paths or a video file. In a folder, unreadable images are
            skipped with a warning (:func:`find_images`); a given image
            path or video that cannot be read is an error. For a video,
            ``vis_out_dir`` gets the visualised video (same file name) and
            ``pred_out_dir`` one JSON with a ``frame_id`` per frame.
        bbox_thr (float): Minimum detection score of a person box.
        kpt_thr (float): Minimum keypoint score to draw a keypoint.
        vis_out_dir (str, optional): Where to write visualised images.
        pred_out_dir (str, optional): Where to write per-image JSON results.

    Returns:
        list[list[dict]]: For each image (or frame), one dict per detected
        person with
        ``bbox`` (4,) xyxy, ``bbox_score`` (float), ``keypoints`` (K, 2) and
        ``keypoint_scores`` (K,) as numpy arrays.
    """
    if isinstance(images, str) and (osp.isdir(images)
                                    or _is_image_file(images)):
        inputs, skipped = find_images(images)
        for path in skipped:
            warnings.warn(f'skipped unreadable image {path}')
    elif isinstance(images, str) and is_video_file(images):
        check_video(images)
        inputs = images  # MMPose reads it frame by frame
    elif isinstance(images, str):
        if not osp.exists(images):
            raise FileNotFoundError(f'input not found: {images}')
        raise ValueError(f'{images} is neither an image, a folder nor a '
                         'video file')
    else:
        inputs = list(images)
        for path in inputs:
            _check_local(path, 'input image')
            if not _readable(path):
                raise ValueError(f'cannot read image {path} (corrupt, or '
                                 'not an image)')
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
