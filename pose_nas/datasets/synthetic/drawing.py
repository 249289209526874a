# Copyright (c) pose_nas contributors. All rights reserved.
"""OpenCV drawing helpers shared by backgrounds, figures and occluders.

Points use the pixel-centre convention (``(0, 0)`` is the centre of the
top-left pixel) and are passed to OpenCV in fixed point with
:data:`FIXED_SHIFT` fractional bits. Everything here is a pure function of
its inputs and of the ``numpy`` generator passed in, which keeps the whole
dataset reproducible from one seed.
"""
import colorsys
from typing import Tuple

import cv2
import numpy as np

Color = Tuple[int, int, int]
FIXED_SHIFT = 4  # sub-pixel bits of the OpenCV drawing calls
FIXED_ONE = 1 << FIXED_SHIFT


def clip_color(c: np.ndarray) -> Color:
    """Round and clip a colour array to a BGR tuple of ints in [0, 255]."""
    c = np.clip(np.round(c), 0, 255).astype(int)
    return int(c[0]), int(c[1]), int(c[2])


def random_color(rng: np.random.Generator, sat: Tuple[float, float] = (0., 1.),
                 val: Tuple[float, float] = (0.1, 1.)) -> Color:
    """Sample a BGR colour in HSV space.

    Args:
        rng (np.random.Generator): Random generator.
        sat (tuple[float, float]): Range of the saturation.
        val (tuple[float, float]): Range of the value (brightness).

    Returns:
        Color: ``(b, g, r)`` integers in [0, 255].
    """
    h = rng.uniform()
    s = rng.uniform(*sat)
    v = rng.uniform(*val)
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return clip_color(np.array([b, g, r]) * 255.)


def shade(color: Color, factor: float) -> Color:
    """Scale a colour's brightness.

    Args:
        color (Color): BGR colour.
        factor (float): Multiplier (< 1 darkens).

    Returns:
        Color: The shaded colour.
    """
    return clip_color(np.array(color, dtype=np.float64) * factor)


def to_fixed(pt: np.ndarray) -> Tuple[int, int]:
    """Point in pixel-centre coordinates -> OpenCV fixed-point point."""
    return (int(round(float(pt[0]) * FIXED_ONE)),
            int(round(float(pt[1]) * FIXED_ONE)))


def texture(rng: np.random.Generator, width: int, height: int,
             amplitude: float) -> np.ndarray:
    """Low-frequency blotches or stripes, shape (H, W, 1), zero mean."""
    if rng.uniform() < 0.7:
        cells = int(rng.integers(3, 24))
        small = rng.integers(0, 256, (max(2, cells * height // width), cells),
                             dtype=np.uint8)
        tex = cv2.resize(small, (width, height),
                         interpolation=cv2.INTER_CUBIC).astype(np.float32)
        tex = (tex - 127.5) / 127.5
    else:
        period = rng.uniform(4, 40)
        ang = rng.uniform(0, np.pi)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        phase = (xs * np.cos(ang) + ys * np.sin(ang)) / period
        tex = np.where((phase % 1.) < 0.5, 1., -1.).astype(np.float32)
    return tex[..., None] * np.float32(amplitude)


def pixel_of(pt: np.ndarray) -> Tuple[int, int]:
    """Pixel (column, row) containing a point in pixel-centre coordinates.

    Args:
        pt (np.ndarray): Point (x, y), shape (2,).

    Returns:
        tuple[int, int]: ``(floor(x + 0.5), floor(y + 0.5))``.
    """
    return int(np.floor(pt[0] + 0.5)), int(np.floor(pt[1] + 0.5))


def composite(canvas: np.ndarray, layer: np.ndarray,
              mask: np.ndarray) -> None:
    """Paste ``layer`` onto ``canvas`` where ``mask`` is set (in place).

    Args:
        canvas (np.ndarray): Image, shape (H, W, 3).
        layer (np.ndarray): Image to paste, shape (H, W, 3).
        mask (np.ndarray): Where to paste, shape (H, W), bool.
    """
    canvas[mask] = layer[mask]


def post_process(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Photometric jitter of the whole image: contrast/brightness, optional
    blur and Gaussian pixel noise. Geometry is left unchanged.

    Args:
        rng (np.random.Generator): Random generator.
        img (np.ndarray): BGR image, shape (H, W, 3), uint8.

    Returns:
        np.ndarray: The processed image, same shape and dtype.
    """
    if rng.uniform() < 0.3:
        img = cv2.GaussianBlur(img, (3, 3), 0)
    out = img.astype(np.float32) * np.float32(rng.uniform(0.8, 1.2))
    out += np.float32(rng.uniform(-20, 20))
    sigma = rng.uniform(0, 10)
    if sigma > 1:
        out += rng.normal(0, sigma, img.shape).astype(np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


__all__ = [
    'Color', 'FIXED_SHIFT', 'FIXED_ONE', 'clip_color', 'random_color',
    'shade', 'to_fixed', 'texture', 'pixel_of', 'composite', 'post_process'
]
