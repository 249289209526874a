# Copyright (c) pose_nas contributors. All rights reserved.
"""MPII head boxes, checked against the annotations they normalise.

MMPose's ``MpiiDataset`` takes person ``i``'s PCKh normaliser from the
``i``-th head box of ``headbox_file`` (``headboxes_src``, shape
``(2, 2, N)``). With fewer boxes than persons it fails with a bare
``IndexError``; with more, or with a box of zero size, PCKh is silently
wrong (another person's head, a division by zero). :func:`check_headboxes`
names the file and the person instead; ``pose_nas.compat`` runs it before
MMPose loads an MPII dataset.
"""
import json

import numpy as np


def check_headboxes(ann_file: str, headbox_file: str) -> None:
    """Raise ``ValueError`` unless ``headbox_file`` holds one head box of
    positive size per person of ``ann_file``.

    Args:
        ann_file (str): MPII annotations in MMPose's json layout (a list
            of persons).
        headbox_file (str): the ``.mat`` file with ``headboxes_src``.
    """
    from scipy.io import loadmat
    with open(ann_file) as f:
        num_persons = len(json.load(f))
    boxes = loadmat(headbox_file).get('headboxes_src')
    if boxes is None or boxes.ndim != 3 or boxes.shape[:2] != (2, 2):
        shape = None if boxes is None else boxes.shape
        raise ValueError(f'{headbox_file}: headboxes_src must have shape '
                         f'(2, 2, N), got {shape}')
    if boxes.shape[2] != num_persons:
        raise ValueError(
            f'{headbox_file}: {boxes.shape[2]} head boxes for '
            f'{num_persons} persons in {ann_file}: every person needs its '
            'own head box, in the same order')
    boxes = np.transpose(boxes, (2, 0, 1)).astype(np.float64)
    sizes = np.linalg.norm(boxes[:, 1] - boxes[:, 0], axis=1)
    bad = np.flatnonzero(~np.isfinite(sizes) | (sizes <= 0))
    if len(bad):
        raise ValueError(
            f'{headbox_file}: the head box of person {int(bad[0])} '
            f'({ann_file}) has size {sizes[bad[0]]}: PCKh divides by it '
            f'({len(bad)} such box(es))')
