# Copyright (c) pose_nas contributors. All rights reserved.
"""Drawing of backgrounds, figures and occluders with OpenCV.

Figures are drawn without anti-aliasing into their own layer together with
a *part map* (one id per body part, 0 = empty), so the silhouette of every
figure and the body part seen at every pixel are known exactly. Everything
here is a pure function of its inputs and of the ``numpy`` generator passed
in, which keeps the whole dataset reproducible from one seed.

Figures carry no chiral cue: the appearance of the left and right limbs is
identical and their drawing order follows their depth only, so a mirrored
figure looks like a plausible figure with its sides swapped.
"""
import colorsys
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from .body_model import FACE_VISIBILITY_THR, LANDMARK_INDEX, BodyShape

Color = Tuple[int, int, int]
_SHIFT = 4  # sub-pixel bits of the OpenCV drawing calls
_ONE = 1 << _SHIFT

#: Ids of the body parts in a figure's part map (0 means no part).
PART_IDS: Dict[str, int] = {
    name: i + 1
    for i, name in enumerate((
        'torso', 'neck', 'head', 'face', 'left_ear', 'right_ear',
        'left_upper_arm', 'right_upper_arm', 'left_forearm', 'right_forearm',
        'left_thigh', 'right_thigh', 'left_shin', 'right_shin'))
}


def _sided(parts: Sequence[str], side: str) -> Tuple[str, ...]:
    return tuple(p if p in PART_IDS else f'{side}_{p}' for p in parts)


#: Body parts on which a landmark may be seen. A landmark whose pixel shows
#: another part of the same figure is hidden by that part (self-occlusion).
LANDMARK_PARTS: Dict[str, Tuple[str, ...]] = {
    'pelvis': ('torso', 'left_thigh', 'right_thigh'),
    'thorax': ('torso', 'neck'),
    'upper_neck': ('neck', 'head', 'face'),
    'head_top': ('head', 'face'),
    'nose': ('face', 'head'),
    'left_eye': ('face', 'head'),
    'right_eye': ('face', 'head'),
    'left_ear': ('left_ear', 'head', 'face'),
    'right_ear': ('right_ear', 'head', 'face'),
}
for _side in ('left', 'right'):
    LANDMARK_PARTS.update({
        f'{_side}_shoulder': _sided(('torso', 'upper_arm'), _side),
        f'{_side}_elbow': _sided(('upper_arm', 'forearm'), _side),
        f'{_side}_wrist': _sided(('forearm', ), _side),
        f'{_side}_hip': _sided(('torso', 'thigh'), _side),
        f'{_side}_knee': _sided(('thigh', 'shin'), _side),
        f'{_side}_ankle': _sided(('shin', ), _side),
    })

_SKIN_TONES = np.array([[197, 224, 255], [160, 196, 241], [125, 170, 224],
                        [96, 138, 198], [66, 105, 161], [45, 72, 118],
                        [33, 52, 87], [150, 180, 220]], dtype=np.float64)
_HAIR_TONES = np.array([[20, 20, 25], [25, 40, 60], [40, 70, 110],
                        [90, 160, 210], [160, 160, 165], [30, 60, 150]],
                       dtype=np.float64)


@dataclass
class Appearance:
    """Colours (BGR) and clothing of one figure.

    Attributes:
        skin (Color): Skin colour.
        hair (Color): Hair colour (equal to a darker skin for bald heads).
        shirt (Color): Colour of the torso and sleeves.
        pants (Color): Colour of the legs' clothing.
        shoes (Color): Colour of the feet.
        eyes (Color): Colour of the pupils.
        long_sleeves (bool): Forearms in ``shirt`` rather than ``skin``.
        sleeveless (bool): Upper arms in ``skin``.
        shorts (bool): Shins in ``skin``.
    """
    skin: Color
    hair: Color
    shirt: Color
    pants: Color
    shoes: Color
    eyes: Color
    long_sleeves: bool
    sleeveless: bool
    shorts: bool


def _clip_color(c: np.ndarray) -> Color:
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
    return _clip_color(np.array([b, g, r]) * 255.)


def shade(color: Color, factor: float) -> Color:
    """Scale a colour's brightness.

    Args:
        color (Color): BGR colour.
        factor (float): Multiplier (< 1 darkens).

    Returns:
        Color: The shaded colour.
    """
    return _clip_color(np.array(color, dtype=np.float64) * factor)


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Sample skin, hair and clothing of one figure.

    Args:
        rng (np.random.Generator): Random generator.

    Returns:
        Appearance: The figure's appearance.
    """
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] + rng.normal(0, 8, 3)
    if rng.uniform() < 0.08:
        hair = skin * 0.85
    else:
        hair = _HAIR_TONES[rng.integers(len(_HAIR_TONES))] + rng.normal(
            0, 8, 3)
    return Appearance(
        skin=_clip_color(skin),
        hair=_clip_color(hair),
        shirt=random_color(rng, val=(0.15, 1.)),
        pants=random_color(rng, sat=(0., 0.8), val=(0.1, 0.8)),
        shoes=random_color(rng, sat=(0., 0.5), val=(0.05, 0.5)),
        eyes=random_color(rng, sat=(0.2, 0.8), val=(0.05, 0.35)),
        long_sleeves=bool(rng.uniform() < 0.5),
        sleeveless=bool(rng.uniform() < 0.1),
        shorts=bool(rng.uniform() < 0.3))


def _fix(pt: np.ndarray) -> Tuple[int, int]:
    """Point in pixel-centre coordinates -> OpenCV fixed-point point."""
    return int(round(float(pt[0]) * _ONE)), int(round(float(pt[1]) * _ONE))


# --------------------------------------------------------------------------
# Background
# --------------------------------------------------------------------------
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


def _texture(rng: np.random.Generator, width: int, height: int,
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
            cv2.rectangle(img, _fix(p1), _fix(p2), color, thick, line_type,
                          _SHIFT)
        elif kind == 1:  # ellipse
            axes = (rng.uniform(0.1, 0.5, 2) * size * _ONE).astype(int)
            cv2.ellipse(img, _fix(p1), (int(axes[0]), int(axes[1])),
                        float(rng.uniform(0, 180)), 0., 360., color, thick,
                        line_type, _SHIFT)
        elif kind == 2:  # polygon
            pts = p1 + rng.normal(0, 0.4 * size, (int(rng.integers(3, 7)), 2))
            pts = np.round(pts * _ONE).astype(np.int32)
            if thick < 0:
                cv2.fillPoly(img, [pts], color, line_type, _SHIFT)
            else:
                cv2.polylines(img, [pts], True, color, thick, line_type,
                              _SHIFT)
        elif kind == 3:  # straight line
            p2 = p1 + rng.normal(0, size, 2)
            cv2.line(img, _fix(p1), _fix(p2), color,
                     int(rng.integers(1, 4)), line_type, _SHIFT)
        elif kind == 4:  # limb-like distractor (hard negative)
            p2 = p1 + rng.normal(0, 0.5 * size, 2)
            skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))]
            col = _clip_color(skin) if rng.uniform() < 0.5 else color
            cv2.line(img, _fix(p1), _fix(p2), col,
                     max(2, int(scale * rng.uniform(0.02, 0.06))), cv2.LINE_8,
                     _SHIFT)
        else:  # small blob / dot cluster
            for _ in range(int(rng.integers(2, 8))):
                q = p1 + rng.normal(0, 0.3 * size, 2)
                cv2.circle(img, _fix(q),
                           int(rng.uniform(1, 0.08 * scale + 2) * _ONE),
                           color, -1, line_type, _SHIFT)


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
        img = img + _texture(rng, width, height, rng.uniform(10, 60))
    img = np.ascontiguousarray(np.clip(np.round(img), 0, 255), np.uint8)
    _draw_clutter(rng, img, int(rng.integers(3, 30)))
    return img


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------
@dataclass
class FigureLayer:
    """A figure drawn on an empty layer.

    Attributes:
        image (np.ndarray): Colours, shape (H, W, 3), uint8 (BGR).
        part_map (np.ndarray): Body part id per pixel (see
            :data:`PART_IDS`), shape (H, W), uint8; 0 outside the figure.
    """
    image: np.ndarray
    part_map: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        """np.ndarray: Silhouette of the figure, shape (H, W), bool."""
        return self.part_map > 0


class _Canvas:
    """Draws primitives into a colour layer and a part map at once."""

    def __init__(self, width: int, height: int):
        self.image = np.zeros((height, width, 3), np.uint8)
        self.part_map = np.zeros((height, width), np.uint8)

    def capsule(self, p1: np.ndarray, p2: np.ndarray, thick: float,
                color: Color, part: str, outline: bool = True) -> None:
        t = max(2, int(round(thick)))
        a, b = _fix(p1), _fix(p2)
        edge = shade(color, 0.6) if outline and t >= 5 else color
        cv2.line(self.image, a, b, edge, t, cv2.LINE_8, _SHIFT)
        cv2.line(self.part_map, a, b, PART_IDS[part], t, cv2.LINE_8, _SHIFT)
        if edge != color:
            cv2.line(self.image, a, b, color, t - 2, cv2.LINE_8, _SHIFT)

    def disc(self, center: np.ndarray, radius: float, color: Color,
             part: str, outline: bool = True) -> None:
        r = max(1, int(round(radius * _ONE)))
        c = _fix(center)
        edge = shade(color, 0.6) if outline and radius >= 4 else color
        cv2.circle(self.image, c, r, edge, -1, cv2.LINE_8, _SHIFT)
        cv2.circle(self.part_map, c, r, PART_IDS[part], -1, cv2.LINE_8,
                   _SHIFT)
        if edge != color:
            cv2.circle(self.image, c, r - _ONE, color, -1, cv2.LINE_8, _SHIFT)

    def ellipse(self, center: np.ndarray, axes: Tuple[float, float],
                angle: float, color: Color, part: str) -> None:
        ax = (max(1, int(round(axes[0] * _ONE))),
              max(1, int(round(axes[1] * _ONE))))
        c = _fix(center)
        edge = shade(color, 0.6) if min(axes) >= 3 else color
        cv2.ellipse(self.image, c, ax, angle, 0., 360., edge, -1, cv2.LINE_8,
                    _SHIFT)
        cv2.ellipse(self.part_map, c, ax, angle, 0., 360., PART_IDS[part], -1,
                    cv2.LINE_8, _SHIFT)
        if edge != color:
            inner = (ax[0] - _ONE, ax[1] - _ONE)
            cv2.ellipse(self.image, c, inner, angle, 0., 360., color, -1,
                        cv2.LINE_8, _SHIFT)

    def polygon(self, pts: np.ndarray, color: Color, part: str) -> None:
        fixed = np.round(pts * _ONE).astype(np.int32)
        cv2.fillPoly(self.image, [fixed], color, cv2.LINE_8, _SHIFT)
        cv2.fillPoly(self.part_map, [fixed], PART_IDS[part], cv2.LINE_8,
                     _SHIFT)
        cv2.polylines(self.image, [fixed], True, shade(color, 0.6), 1,
                      cv2.LINE_8, _SHIFT)


def _head_point(xy: np.ndarray, axes: np.ndarray, center: np.ndarray,
                radius: float, local: Sequence[float]) -> np.ndarray:
    """Image position of a point given in head coordinates (left, up,
    forward), in units of the head radius."""
    return center + radius * (axes[:2] @ np.asarray(local, dtype=np.float64))


def _draw_head(cv: _Canvas, xy: np.ndarray, proj: dict, radius: float,
               neck_thick: float, app: Appearance) -> None:
    li = LANDMARK_INDEX
    axes = proj['head_axes']
    center = xy[li['head_center']]
    cv.capsule(xy[li['thorax']], xy[li['upper_neck']], neck_thick, app.skin,
               'neck')
    cv.disc(center, 1.05 * radius, app.hair, 'head')
    facing = axes[2, 2]  # camera-facing component of the head's forward axis
    if facing > -0.1:
        face_c = _head_point(xy, axes, center, radius, (0., -0.15, 0.2))
        cv.disc(face_c, 0.82 * radius, app.skin, 'face', outline=False)
    nz = proj['normals_z']
    for eye in ('left_eye', 'right_eye'):
        if nz[li[eye]] > FACE_VISIBILITY_THR[eye]:
            p = xy[li[eye]]
            if radius >= 7:
                cv.disc(p, 0.2 * radius, (235, 235, 235), 'face',
                        outline=False)
            cv.disc(p, max(1., 0.1 * radius), app.eyes, 'face',
                    outline=False)
    if nz[li['nose']] > FACE_VISIBILITY_THR['nose']:
        cv.disc(xy[li['nose']], max(1., 0.12 * radius), shade(app.skin, 0.8),
                'face', outline=False)
    if facing > 0.2 and radius >= 5:
        m1 = _head_point(xy, axes, center, radius, (-0.25, -0.55, 0.75))
        m2 = _head_point(xy, axes, center, radius, (0.25, -0.55, 0.75))
        cv.capsule(m1, m2, max(2., 0.1 * radius), (60, 60, 150), 'face',
                   outline=False)
    for ear in ('left_ear', 'right_ear'):
        if nz[li[ear]] > FACE_VISIBILITY_THR[ear]:
            angle = float(np.degrees(np.arctan2(axes[1, 1], axes[0, 1])))
            cv.ellipse(xy[li[ear]], (0.3 * radius, 0.2 * radius), angle,
                       app.skin, ear)


def render_figure(proj: dict, shape: BodyShape, scale: float,
                  app: Appearance, width: int, height: int) -> FigureLayer:
    """Draw one projected figure on an empty layer.

    Body parts are drawn from back to front (by depth); left and right limbs
    look alike. Every landmark inside the image is guaranteed to lie on a
    pixel of the silhouette.

    Args:
        proj (dict): Output of
            :func:`~pose_nas.datasets.synthetic.body_model.project_to_image`
            with ``'xy'`` rounded as it will be annotated.
        shape (BodyShape): Figure proportions (limb thicknesses).
        scale (float): Torso length in pixels.
        app (Appearance): Colours and clothing.
        width (int): Image width W.
        height (int): Image height H.

    Returns:
        FigureLayer: The figure's colours and part map.
    """
    li, th = LANDMARK_INDEX, shape.thickness
    xy, depth = proj['xy'], proj['depth']
    cv = _Canvas(width, height)
    items = []  # (depth, order, callable)

    def add(d, fn):
        items.append((float(d), len(items), fn))

    def seg(a, b, thick, color, part):
        add(0.5 * (depth[li[a]] + depth[li[b]]),
            lambda: cv.capsule(xy[li[a]], xy[li[b]], thick * scale, color,
                               part))

    for side in ('left', 'right'):
        upper = app.skin if app.sleeveless else app.shirt
        fore = app.shirt if app.long_sleeves else app.skin
        seg(f'{side}_shoulder', f'{side}_elbow', th['upper_arm'], upper,
            f'{side}_upper_arm')

        def forearm(side=side, fore=fore):
            cv.capsule(xy[li[f'{side}_elbow']], xy[li[f'{side}_wrist']],
                       th['forearm'] * scale, fore, f'{side}_forearm')
            cv.capsule(xy[li[f'{side}_wrist']], xy[li[f'{side}_hand']],
                       th['hand'] * scale, app.skin, f'{side}_forearm')

        add(0.5 * (depth[li[f'{side}_elbow']] + depth[li[f'{side}_wrist']]),
            forearm)
        seg(f'{side}_hip', f'{side}_knee', th['thigh'], app.pants,
            f'{side}_thigh')
        shin = app.skin if app.shorts else app.pants

        def lower_leg(side=side, shin=shin):
            cv.capsule(xy[li[f'{side}_knee']], xy[li[f'{side}_ankle']],
                       th['shin'] * scale, shin, f'{side}_shin')
            cv.capsule(xy[li[f'{side}_ankle']], xy[li[f'{side}_toe']],
                       th['foot'] * scale, app.shoes, f'{side}_shin')

        add(0.5 * (depth[li[f'{side}_knee']] + depth[li[f'{side}_ankle']]),
            lower_leg)

    corners = [li[n] for n in ('left_torso_top', 'right_torso_top',
                               'right_torso_bottom', 'left_torso_bottom')]

    def torso():
        cv.capsule(xy[li['pelvis']], xy[li['thorax']],
                   th['torso_depth'] * scale, app.shirt, 'torso')
        cv.polygon(xy[corners], app.shirt, 'torso')

    add(depth[corners].mean() - 0.05 * scale, torso)
    radius = shape.lengths['head_radius'] * scale
    add(depth[li['head_center']],
        lambda: _draw_head(cv, xy, proj, radius, th['neck'] * scale, app))
    for _, _, fn in sorted(items, key=lambda it: (it[0], it[1])):
        fn()
    _ensure_landmarks_covered(cv, xy, app, width, height)
    return FigureLayer(image=cv.image, part_map=cv.part_map)


def _ensure_landmarks_covered(cv: _Canvas, xy: np.ndarray, app: Appearance,
                              width: int, height: int) -> None:
    """Paint a landmark's pixel if no part covers it (rare: e.g. a hidden
    eye projected just outside the head disc), so that every in-image
    landmark lies on the silhouette."""
    for name, parts in LANDMARK_PARTS.items():
        px = pixel_of(xy[LANDMARK_INDEX[name]])
        if not (0 <= px[0] < width and 0 <= px[1] < height):
            continue
        if cv.part_map[px[1], px[0]] == 0:
            cv.part_map[px[1], px[0]] = PART_IDS[parts[0]]
            cv.image[px[1], px[0]] = app.skin


def pixel_of(pt: np.ndarray) -> Tuple[int, int]:
    """Pixel (column, row) containing a point in pixel-centre coordinates.

    Args:
        pt (np.ndarray): Point (x, y), shape (2,).

    Returns:
        tuple[int, int]: ``(floor(x + 0.5), floor(y + 0.5))``.
    """
    return int(np.floor(pt[0] + 0.5)), int(np.floor(pt[1] + 0.5))


# --------------------------------------------------------------------------
# Occluders and post-processing
# --------------------------------------------------------------------------
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
        pts = np.round((center + box @ rot.T) * _ONE).astype(np.int32)
        cv2.fillPoly(mask, [pts], 1, cv2.LINE_8, _SHIFT)
    elif kind == 1:
        axes = rng.uniform(0.25, 0.8, 2) * size * _ONE
        cv2.ellipse(mask, _fix(center), (int(axes[0]), int(axes[1])),
                    float(rng.uniform(0, 180)), 0., 360., 1, -1, cv2.LINE_8,
                    _SHIFT)
    elif kind == 2:
        n = int(rng.integers(3, 8))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.3, 0.9, n) * size
        pts = center + np.stack([np.cos(ang), np.sin(ang)], 1) * rad[:, None]
        cv2.fillPoly(mask, [np.round(pts * _ONE).astype(np.int32)], 1,
                     cv2.LINE_8, _SHIFT)
    else:  # pole
        direction = rng.normal(0, 1, 2)
        direction /= max(np.linalg.norm(direction), 1e-6)
        p1 = center - direction * size * 2
        p2 = center + direction * size * 2
        cv2.line(mask, _fix(p1), _fix(p2), 1,
                 max(2, int(size * rng.uniform(0.1, 0.35))), cv2.LINE_8,
                 _SHIFT)
    color = np.array(random_color(rng), dtype=np.float32)
    layer = np.full((height, width, 3), color, dtype=np.float32)
    if kind == 4 or rng.uniform() < 0.3:
        layer = layer + _texture(rng, width, height, rng.uniform(15, 50))
    layer = np.clip(np.round(layer), 0, 255).astype(np.uint8)
    return layer, mask.astype(bool)


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


def composite(canvas: np.ndarray, layer: np.ndarray,
              mask: np.ndarray) -> None:
    """Paste ``layer`` onto ``canvas`` where ``mask`` is set (in place).

    Args:
        canvas (np.ndarray): Image, shape (H, W, 3).
        layer (np.ndarray): Image to paste, shape (H, W, 3).
        mask (np.ndarray): Where to paste, shape (H, W), bool.
    """
    canvas[mask] = layer[mask]


__all__ = [
    'PART_IDS', 'LANDMARK_PARTS', 'Appearance', 'FigureLayer',
    'sample_appearance', 'random_color', 'shade', 'draw_background',
    'render_figure', 'draw_occluder', 'post_process', 'composite',
    'pixel_of'
]
