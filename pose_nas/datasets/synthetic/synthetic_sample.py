# Copyright (c) pose_nas contributors. All rights reserved.
"""Ground truth of one synthetic image: :class:`SyntheticSample` and its
per-figure :class:`FigureAnnotation`.

Coordinate and visibility conventions are those of :mod:`.generator`.
"""
from dataclasses import dataclass, field
from typing import List, Tuple

import numpy as np

from .landmarks import COCO_INDICES, MPII_INDICES


@dataclass
class FigureAnnotation:
    """Ground truth of one rendered figure.

    Attributes:
        keypoints (np.ndarray): Image coordinates of all model landmarks
            (:data:`~.landmarks.LANDMARKS`), shape (L, 2), rounded to 0.01.
        in_image (np.ndarray): Landmark inside the image, shape (L,), bool.
        visible (np.ndarray): Landmark visible (see :mod:`.generator`),
            shape (L,), bool; implies ``in_image``.
        self_occluded (np.ndarray): In-image landmark hidden by the figure
            itself, shape (L,), bool.
        bbox (np.ndarray): Tight box ``[x, y, w, h]`` of the visible pixels
            (pixel-centre convention, clipped to ``[0, W-1] x [0, H-1]``),
            shape (4,).
        area (int): Number of visible pixels (> 0).
        full_box (np.ndarray): Tight box ``[x1, y1, x2, y2]`` of the figure's
            in-image silhouette, occluded parts included, shape (4,).
        head_box (np.ndarray): Axis-aligned head box ``[[x1, y1], [x2, y2]]``
            (may extend beyond the image), shape (2, 2).
        facing (str): ``'front'`` (faces the camera) or ``'back'``.
        silhouette (np.ndarray): Pixels drawn for the figure, (H, W), bool.
        visible_mask (np.ndarray): ``silhouette`` minus later figures and
            occluders, shape (H, W), bool.
        part_map (np.ndarray): Body part id per pixel of the figure's own
            layer (:data:`~.figure.PART_IDS`), shape (H, W), uint8.
    """
    keypoints: np.ndarray
    in_image: np.ndarray
    visible: np.ndarray
    self_occluded: np.ndarray
    bbox: np.ndarray
    area: int
    full_box: np.ndarray
    head_box: np.ndarray
    facing: str
    silhouette: np.ndarray = field(repr=False)
    visible_mask: np.ndarray = field(repr=False)
    part_map: np.ndarray = field(repr=False)

    @property
    def coco_keypoints(self) -> np.ndarray:
        """np.ndarray: COCO-17 ``[x, y, v]`` rows, shape (17, 3); ``v`` is 2
        (visible), 1 (in the image, occluded) or 0 (outside the image, then
        ``x = y = 0``)."""
        idx = COCO_INDICES
        v = np.where(self.visible[idx], 2, np.where(self.in_image[idx], 1, 0))
        xy = np.where(v[:, None] > 0, self.keypoints[idx], 0.)
        return np.concatenate([xy, v[:, None]], axis=1)

    @property
    def mpii_joints(self) -> Tuple[np.ndarray, np.ndarray]:
        """tuple[np.ndarray, np.ndarray]: MPII-16 joints (16, 2) in 0-based
        pixel-centre coordinates and their ``joints_vis`` flags (16,) (1
        inside the image, occluded or not, 0 outside)."""
        idx = MPII_INDICES
        return self.keypoints[idx].copy(), self.in_image[idx].astype(int)


@dataclass
class SyntheticSample:
    """One generated image and its ground truth.

    Attributes:
        image (np.ndarray): BGR image, shape (H, W, 3), uint8.
        figures (list[FigureAnnotation]): Figures in drawing order (later
            figures are nearer and may hide earlier ones).
        occluder_mask (np.ndarray): Pixels covered by occluders, (H, W),
            bool.
    """
    image: np.ndarray
    figures: List[FigureAnnotation]
    occluder_mask: np.ndarray = field(repr=False)


__all__ = ['FigureAnnotation', 'SyntheticSample']
