# Copyright (c) pose_nas contributors. All rights reserved.
"""Cluttered backgrounds of the synthetic images."""
import cv2
import numpy as np

from .appearance import SKIN_TONES
from .drawing import (FIXED_ONE, FIXED_SHIFT, clip_color, random_color,
                      texture, to_fixed)


def _gradient(rng: np.random.Generator, width: int,
              height: int) -> np.ndarray:
    c1 = np.array(random_color(rng), dtype=np.float32)
    c2 = np.array(random_color(rng), dtype=np.float32)
    if rng.uniform() < 0.2:
        return np.full((height, width, 3), c1, dtype=np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if rng.uniform() < 0.7:  # linear
        ang = rng.uniform(0, 2 * np.pi)
        t = xs * np.float32(np.cos(ang)) + ys * np.float32(np.sin(ang))
    else:  # radial
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        t = np.sqrt((xs - cx)**2 + (ys - cy)**2)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1.)
    return c1 * (1 - t[..., None]) + c2 * t[..., None]


def _draw_clutter(rng: np.random.Generator, img: np.ndarray,
                  count: int) -> None:
    h, w = img.shape[:2]
    scale = min(w, h)
    for _ in range(count):
        kind = rng.choice(6, p=[0.25, 0.2, 0.15, 0.2, 0.1, 0.1])
        color = random_color(rng)
        p1 = (rng.uniform(-0.1, 1.1, 2) * (w, h))
        size = scale * rng.uniform(0.03, 0.4)
        thick = -1 if rng.uniform() < 0.6 else int(rng.integers(1, 4))
        line_type = cv2.LINE_AA if rng.uniform() < 0.5 else cv2.LINE_8
        if kind == 0:  # rectangle
            p2 = p1 + rng.uniform(0.2, 1., 2) * size
            cv2.rectangle(img, to_fixed(p1), to_fixed(p2), color, thick,
                          line_type, FIXED_SHIFT)
        elif kind == 1:  # ellipse
            axes = (rng.uniform(0.1, 0.5, 2) * size * FIXED_ONE).astype(int)
            cv2.ellipse(img, to_fixed(p1), (int(axes[0]), int(axes[1])),
                        float(rng.uniform(0, 180)), 0., 360., color, thick,
                        line_type, FIXED_SHIFT)
        elif kind == 2:  # polygon
            pts = p1 + rng.normal(0, 0.4 * size, (int(rng.integers(3, 7)), 2))
            pts = np.round(pts * FIXED_ONE).astype(np.int32)
            if thick < 0:
                cv2.fillPoly(img, [pts], color, line_type, FIXED_SHIFT)
            else:
                cv2.polylines(img, [pts], True, color, thick, line_type,
                              FIXED_SHIFT)
        elif kind == 3:  # straight line
            p2 = p1 + rng.normal(0, size, 2)
            cv2.line(img, to_fixed(p1), to_fixed(p2), color,
                     int(rng.integers(1, 4)), line_type, FIXED_SHIFT)
        elif kind == 4:  # limb-like distractor (hard negative)
            p2 = p1 + rng.normal(0, 0.5 * size, 2)
            skin = SKIN_TONES[rng.integers(len(SKIN_TONES))]
            col = clip_color(skin) if rng.uniform() < 0.5 else color
            cv2.line(img, to_fixed(p1), to_fixed(p2), col,
                     max(2, int(scale * rng.uniform(0.02, 0.06))), cv2.LINE_8,
                     FIXED_SHIFT)
        else:  # small blob / dot cluster
            for _ in range(int(rng.integers(2, 8))):
                q = p1 + rng.normal(0, 0.3 * size, 2)
                cv2.circle(img, to_fixed(q),
                           int(rng.uniform(1, 0.08 * scale + 2) * FIXED_ONE),
                           color, -1, line_type, FIXED_SHIFT)


def draw_background(rng: np.random.Generator, width: int,
                    height: int) -> np.ndarray:
    """Draw a cluttered background.

    A linear / radial gradient or flat colour, optionally textured with
    blotches or stripes, overlaid with random shapes, lines and limb-like
    distractors.

    Args:
        rng (np.random.Generator): Random generator.
        width (int): Image width W.
        height (int): Image height H.

    Returns:
        np.ndarray: BGR image, shape (H, W, 3), dtype uint8.
    """
    img = _gradient(rng, width, height)
    if rng.uniform() < 0.6:
        img = img + texture(rng, width, height, rng.uniform(10, 60))
    img = np.ascontiguousarray(np.clip(np.round(img), 0, 255), np.uint8)
    _draw_clutter(rng, img, int(rng.integers(3, 30)))
    return img


__all__ = ['draw_background']
