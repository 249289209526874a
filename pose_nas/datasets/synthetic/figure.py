# Copyright (c) pose_nas contributors. All rights reserved.
"""Drawing of one figure into its own layer and part map.

Figures are drawn without anti-aliasing into their own layer together with
a *part map* (one id per body part, 0 = empty), so the silhouette of every
figure and the body part seen at every pixel are known exactly. Everything
here is a pure function of its inputs and of the ``numpy`` generator passed
in, which keeps the whole dataset reproducible from one seed.

Figures carry no chiral cue: the appearance of the left and right limbs is
identical and their drawing order follows their depth only, so a mirrored
figure looks like a plausible figure with its sides swapped.
"""
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from .appearance import Appearance
from .body_model import BodyShape
from .drawing import (FIXED_ONE, FIXED_SHIFT, Color, pixel_of, shade,
                      to_fixed)
from .landmarks import FACE_VISIBILITY_THR, LANDMARK_INDEX

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
        a, b = to_fixed(p1), to_fixed(p2)
        edge = shade(color, 0.6) if outline and t >= 5 else color
        cv2.line(self.image, a, b, edge, t, cv2.LINE_8, FIXED_SHIFT)
        cv2.line(self.part_map, a, b, PART_IDS[part], t, cv2.LINE_8,
                 FIXED_SHIFT)
        if edge != color:
            cv2.line(self.image, a, b, color, t - 2, cv2.LINE_8, FIXED_SHIFT)

    def disc(self, center: np.ndarray, radius: float, color: Color,
             part: str, outline: bool = True) -> None:
        r = max(1, int(round(radius * FIXED_ONE)))
        c = to_fixed(center)
        edge = shade(color, 0.6) if outline and radius >= 4 else color
        cv2.circle(self.image, c, r, edge, -1, cv2.LINE_8, FIXED_SHIFT)
        cv2.circle(self.part_map, c, r, PART_IDS[part], -1, cv2.LINE_8,
                   FIXED_SHIFT)
        if edge != color:
            cv2.circle(self.image, c, r - FIXED_ONE, color, -1, cv2.LINE_8,
                       FIXED_SHIFT)

    def ellipse(self, center: np.ndarray, axes: Tuple[float, float],
                angle: float, color: Color, part: str) -> None:
        ax = (max(1, int(round(axes[0] * FIXED_ONE))),
              max(1, int(round(axes[1] * FIXED_ONE))))
        c = to_fixed(center)
        edge = shade(color, 0.6) if min(axes) >= 3 else color
        cv2.ellipse(self.image, c, ax, angle, 0., 360., edge, -1, cv2.LINE_8,
                    FIXED_SHIFT)
        cv2.ellipse(self.part_map, c, ax, angle, 0., 360., PART_IDS[part], -1,
                    cv2.LINE_8, FIXED_SHIFT)
        if edge != color:
            inner = (ax[0] - FIXED_ONE, ax[1] - FIXED_ONE)
            cv2.ellipse(self.image, c, inner, angle, 0., 360., color, -1,
                        cv2.LINE_8, FIXED_SHIFT)

    def polygon(self, pts: np.ndarray, color: Color, part: str) -> None:
        fixed = np.round(pts * FIXED_ONE).astype(np.int32)
        cv2.fillPoly(self.image, [fixed], color, cv2.LINE_8, FIXED_SHIFT)
        cv2.fillPoly(self.part_map, [fixed], PART_IDS[part], cv2.LINE_8,
                     FIXED_SHIFT)
        cv2.polylines(self.image, [fixed], True, shade(color, 0.6), 1,
                      cv2.LINE_8, FIXED_SHIFT)


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



__all__ = [
    'PART_IDS', 'LANDMARK_PARTS', 'FigureLayer', 'render_figure'
]
