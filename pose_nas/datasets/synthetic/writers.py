# Copyright (c) pose_nas contributors. All rights reserved.
"""Annotation writers for the COCO and MPII layouts read by MMPose.

COCO (``CocoDataset`` / ``CocoMetric``): keypoints in 0-based pixel-centre
coordinates, ``v`` = 2 visible, 1 occluded inside the image, 0 outside the
image (``x = y = 0``).

MPII (``MpiiDataset`` / ``MpiiPCKAccuracy``), following the converted MPII
files that MMPose ships and how MMPose 1.x reads them:

* ``joints``, ``center`` and the head boxes are 1-based (MATLAB) pixel
  coordinates, i.e. our 0-based coordinates + 1. ``MpiiDataset`` subtracts 1
  from ``center`` only and ``MpiiPCKAccuracy`` adds 1 to the predictions,
  so a model predicting exact 0-based positions scores exactly.
* ``joints_vis`` is 1 for every joint inside the image (MPII annotates
  occluded joints too) and 0 outside, where ``joints`` holds ``[-1, -1]``.
* ``scale`` is ``max(w, h) / 200`` of the figure's in-image silhouette box
  (MMPose builds a square box of side ``200 * scale``), and ``center`` is
  stored ``15 * scale`` pixels *above* the box centre because
  ``MpiiDataset`` moves it down by that amount; after loading, MMPose's
  ``bbox_center`` is the true (0-based) box centre.
* ``mpii_gt_{split}.mat`` holds ``headboxes_src`` (2, 2, N) (corner, xy,
  person), ``pos_gt_src`` (16, 2, N), ``jnt_missing`` (16, N) and
  ``dataset_joints`` like the original ``mpii_gt_val.mat``, in the same
  person order as the json.
"""
import io
import json
import os
from typing import Dict, List, Sequence

import numpy as np
from scipy.io import savemat

from .landmarks import COCO_KEYPOINTS, COCO_SKELETON, MPII_KEYPOINTS
from .synthetic_sample import FigureAnnotation

_MAT_HEADER = b'MATLAB 5.0 MAT-file, written by pose_nas synthetic data'
_MAT_HEADER_LEN = 116  # text part of a MAT 5 header


def _r(value: float, ndigits: int = 2) -> float:
    """Round for json (``-0.0`` becomes ``0.0``)."""
    return float(round(float(value), ndigits)) + 0.


# --------------------------------------------------------------------------
# COCO
# --------------------------------------------------------------------------
def coco_image_entry(image_id: int, file_name: str, width: int,
                     height: int) -> dict:
    """COCO ``images`` entry.

    Args:
        image_id (int): Image id.
        file_name (str): Image file basename.
        width (int): Image width.
        height (int): Image height.

    Returns:
        dict: The entry.
    """
    return dict(id=int(image_id), file_name=file_name, width=int(width),
                height=int(height))


def coco_annotation_entry(fig: FigureAnnotation, ann_id: int,
                          image_id: int) -> dict:
    """COCO ``annotations`` entry of one figure.

    Args:
        fig (FigureAnnotation): The figure.
        ann_id (int): Annotation id (unique in the file).
        image_id (int): Id of the image showing the figure.

    Returns:
        dict: Entry with ``keypoints`` (51 numbers), ``num_keypoints``,
        ``bbox`` ``[x, y, w, h]``, ``area`` (visible pixels), ``iscrowd``
        and a polygon ``segmentation`` of the box.
    """
    kpts = fig.coco_keypoints
    flat = []
    for x, y, v in kpts:
        flat += [_r(x), _r(y), int(v)]
    x, y, w, h = (_r(v) for v in fig.bbox)
    return dict(
        id=int(ann_id),
        image_id=int(image_id),
        category_id=1,
        keypoints=flat,
        num_keypoints=int((kpts[:, 2] > 0).sum()),
        bbox=[x, y, w, h],
        area=int(fig.area),
        iscrowd=0,
        segmentation=[[x, y, _r(x + w), y, _r(x + w), _r(y + h), x,
                       _r(y + h)]])


def coco_dataset_dict(images: List[dict], annotations: List[dict],
                      description: str) -> dict:
    """Assemble a COCO keypoint annotation file.

    Args:
        images (list[dict]): ``images`` entries.
        annotations (list[dict]): ``annotations`` entries.
        description (str): ``info.description``.

    Returns:
        dict: The json content.
    """
    return dict(
        info=dict(description=description, version='1.0', year=2024,
                  contributor='pose_nas', url='', date_created=''),
        licenses=[dict(id=1, name='CC0 1.0 (synthetic data)', url='')],
        images=images,
        annotations=annotations,
        categories=[
            dict(id=1, name='person', supercategory='person',
                 keypoints=list(COCO_KEYPOINTS),
                 skeleton=[list(p) for p in COCO_SKELETON])
        ])


# --------------------------------------------------------------------------
# MPII
# --------------------------------------------------------------------------
def mpii_entry(fig: FigureAnnotation, file_name: str) -> dict:
    """One person of MMPose's converted MPII json (see module docstring).

    Args:
        fig (FigureAnnotation): The figure.
        file_name (str): Image basename; its stem must be an integer
            (``MpiiDataset`` uses it as image id).

    Returns:
        dict: ``image``, ``center``, ``scale``, ``joints`` (16 x 2) and
        ``joints_vis`` (16).
    """
    joints, vis = fig.mpii_joints
    x1, y1, x2, y2 = fig.full_box
    scale = _r(max(x2 - x1, y2 - y1, 1.) / 200., 4)
    center = [_r(0.5 * (x1 + x2) + 1), _r(0.5 * (y1 + y2) + 1 - 15 * scale)]
    return dict(
        image=file_name,
        center=center,
        scale=scale,
        joints=[[_r(x + 1), _r(y + 1)] if v else [-1., -1.]
                for (x, y), v in zip(joints, vis)],
        joints_vis=[int(v) for v in vis])


def mpii_headbox_arrays(entries: Sequence[dict],
                        head_boxes: Sequence[np.ndarray]
                        ) -> Dict[str, np.ndarray]:
    """Arrays of ``mpii_gt_{split}.mat``.

    Args:
        entries (Sequence[dict]): The MPII json entries (from
            :func:`mpii_entry`), N of them.
        head_boxes (Sequence[np.ndarray]): The N figures' head boxes
            (:attr:`FigureAnnotation.head_box`, 0-based), each (2, 2).

    Returns:
        dict: ``headboxes_src`` (2, 2, N), ``pos_gt_src`` (16, 2, N),
        ``jnt_missing`` (16, N) and ``dataset_joints`` (1, 16) names; all
        coordinates 1-based.
    """
    n = len(entries)
    boxes = np.zeros((2, 2, n))
    pos = np.zeros((16, 2, n))
    missing = np.zeros((16, n), dtype=np.uint8)
    for i, (entry, box) in enumerate(zip(entries, head_boxes)):
        boxes[:, :, i] = np.round(np.asarray(box) + 1., 2)
        pos[:, :, i] = np.array(entry['joints'])
        missing[:, i] = 1 - np.array(entry['joints_vis'])
    names = np.empty((1, 16), dtype=object)
    for k, name in enumerate(MPII_KEYPOINTS):
        names[0, k] = np.array([name])
    return dict(headboxes_src=boxes, pos_gt_src=pos, jnt_missing=missing,
                dataset_joints=names)


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------
def json_bytes(obj) -> bytes:
    """Deterministic compact json encoding.

    Args:
        obj: Json-serialisable object.

    Returns:
        bytes: UTF-8 encoded json.
    """
    return json.dumps(obj, separators=(',', ':'),
                      ensure_ascii=True).encode('utf-8')


def mat_bytes(arrays: Dict[str, np.ndarray]) -> bytes:
    """Encode a MATLAB 5 file whose header carries no timestamp, so equal
    arrays give byte-identical files.

    Args:
        arrays (dict): Variable name -> array.

    Returns:
        bytes: The file content.
    """
    buf = io.BytesIO()
    savemat(buf, arrays, do_compression=False, oned_as='column')
    data = bytearray(buf.getvalue())
    data[:_MAT_HEADER_LEN] = _MAT_HEADER.ljust(_MAT_HEADER_LEN, b' ')
    return bytes(data)


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (via a temporary file).

    Args:
        path (str): Destination.
        data (bytes): Content.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
