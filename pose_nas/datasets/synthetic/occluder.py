# Copyright (c) pose_nas contributors. All rights reserved.
"""Random occluders (boxes, ellipses, polygons, poles, textured boards)
pasted over the synthetic figures."""
from typing import Tuple

import cv2
import numpy as np

from .drawing import (FIXED_ONE, FIXED_SHIFT, random_color, texture,
                      to_fixed)


def draw_occluder(rng: np.random.Generator, width: int, height: int,
                  anchor: np.ndarray,
                  size: float) -> Tuple[np.ndarray, np.ndarray]:
    """Draw one random occluder (box, ellipse, polygon, pole, textured
    board) on an empty layer.

    Args:
        rng (np.random.Generator): Random generator.
        width (int): Image width W.
        height (int): Image height H.
        anchor (np.ndarray): A point (x, y) the occluder covers, shape (2,).
        size (float): Typical extent in pixels.

    Returns:
        tuple[np.ndarray, np.ndarray]: Colour layer (H, W, 3) uint8 and
        mask (H, W) bool of the occluder.
    """
    mask = np.zeros((height, width), np.uint8)
    kind = rng.choice(5, p=[0.25, 0.25, 0.2, 0.15, 0.15])
    center = anchor + rng.normal(0, 0.25 * size, 2)
    if kind in (0, 4):  # (textured) rotated box
        half = rng.uniform(0.25, 0.8, 2) * size
        ang = rng.uniform(0, np.pi) if rng.uniform() < 0.5 else 0.
        rot = np.array([[np.cos(ang), -np.sin(ang)],
                        [np.sin(ang), np.cos(ang)]])
        box = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
        pts = np.round((center + box @ rot.T) * FIXED_ONE).astype(np.int32)
        cv2.fillPoly(mask, [pts], 1, cv2.LINE_8, FIXED_SHIFT)
    elif kind == 1:
        axes = rng.uniform(0.25, 0.8, 2) * size * FIXED_ONE
        cv2.ellipse(mask, to_fixed(center), (int(axes[0]), int(axes[1])),
                    float(rng.uniform(0, 180)), 0., 360., 1, -1, cv2.LINE_8,
                    FIXED_SHIFT)
    elif kind == 2:
        n = int(rng.integers(3, 8))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.3, 0.9, n) * size
        pts = center + np.stack([np.cos(ang), np.sin(ang)], 1) * rad[:, None]
        cv2.fillPoly(mask, [np.round(pts * FIXED_ONE).astype(np.int32)], 1,
                     cv2.LINE_8, FIXED_SHIFT)
    else:  # pole
        direction = rng.normal(0, 1, 2)
        direction /= max(np.linalg.norm(direction), 1e-6)
        p1 = center - direction * size * 2
        p2 = center + direction * size * 2
        cv2.line(mask, to_fixed(p1), to_fixed(p2), 1,
                 max(2, int(size * rng.uniform(0.1, 0.35))), cv2.LINE_8,
                 FIXED_SHIFT)
    color = np.array(random_color(rng), dtype=np.float32)
    layer = np.full((height, width, 3), color, dtype=np.float32)
    if kind == 4 or rng.uniform() < 0.3:
        layer = layer + texture(rng, width, height, rng.uniform(15, 50))
    layer = np.clip(np.round(layer), 0, 255).astype(np.uint8)
    return layer, mask.astype(bool)


__all__ = ['draw_occluder']
