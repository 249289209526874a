# Copyright (c) pose_nas contributors. All rights reserved.
"""Composition of one synthetic image: background, figures, occluders.

:class:`SyntheticPoseGenerator` turns a ``numpy`` random generator into one
:class:`SyntheticSample` (image + per-figure annotations + masks).

Conventions (shared by all annotation writers):

* Coordinates use the pixel-centre convention: ``(0, 0)`` is the centre of
  the top-left pixel, a point ``(x, y)`` lies on pixel
  ``(floor(x + .5), floor(y + .5))`` and is *inside the image* iff
  ``0 <= x <= W - 1`` and ``0 <= y <= H - 1``. Coordinates are rounded to
  two decimals before anything is derived from them.
* A landmark is *visible* iff it is inside the image, its pixel belongs to
  the figure's visible mask (the silhouette minus later figures and
  occluders), that pixel shows a body part the landmark belongs to
  (:data:`~.figure.LANDMARK_PARTS`) and, for face landmarks, the face side
  carrying it is turned to the camera. Otherwise an in-image landmark is
  *occluded*: by an occluder, by a later (nearer) figure, or by the figure
  itself (another body part in front of it, or e.g. the eyes of a figure
  seen from behind).
* Every figure that is drawn is annotated; placements are rejected unless
  each figure keeps at least ``min_joints`` COCO and MPII joints inside the
  image, ``min_visible_joints`` visible COCO joints and a visible area of at
  least ``min_area_frac * W * H`` pixels and ``min_visible_frac`` of its
  in-image silhouette.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .appearance import sample_appearance
from .background import draw_background
from .body_model import (forward_kinematics, project_to_image,
                         sample_body_shape)
from .drawing import composite, pixel_of, post_process
from .figure import LANDMARK_PARTS, PART_IDS, FigureLayer, render_figure
from .landmarks import (COCO_INDICES, FACE_LANDMARKS, FACE_VISIBILITY_THR,
                        LANDMARK_INDEX, LANDMARKS, MPII_INDICES)
from .occluder import draw_occluder
from .pose_prior import sample_pose_angles
from .synthetic_sample import FigureAnnotation, SyntheticSample

#: Smallest supported image side, in pixels.
MIN_IMAGE_SIDE = 64
_MAX_ATTEMPTS = 40


@dataclass
class _Placed:
    """A figure placed in the image, before visibility is resolved."""
    xy: np.ndarray  # (L, 2)
    in_image: np.ndarray  # (L,) bool
    face_hidden: np.ndarray  # (L,) bool
    layer: FigureLayer
    radius: float
    facing: str


class SyntheticPoseGenerator:
    """Random generator of synthetic multi-person pose images.

    Args:
        image_size (tuple[int, int]): ``(width, height)`` of the images.
        max_figures (int): Maximum number of figures per image (>= 1).
        min_joints (int): Minimal number of in-image joints of each figure,
            in both the COCO-17 and the MPII-16 layout.
        min_visible_joints (int): Minimal number of visible COCO joints.
        min_area_frac (float): Minimal visible area of a figure as a
            fraction of the image area.
        min_visible_frac (float): Minimal visible fraction of a figure's
            in-image silhouette.
        back_prob (float): Probability that a figure shows its back.
        max_occluders (int): Maximum number of occluders per image.
        size_range (tuple[float, float]): Torso length of a lone figure as a
            fraction of ``height / 3.3`` (log-uniform in the range).
        crowd_size_range (tuple[float, float]): The same for the figures of
            an image with several.
        crowd_prob (float): Probability that an image has more than one
            figure (when ``max_figures > 1``).
        overlap_prob (float): Probability that a further figure is placed
            over an earlier one rather than anywhere.
        center_range (tuple[float, float]): Range of a freely placed
            figure's centre, as a fraction of the image width and height
            (beyond ``[0, 1]``: figures cut by the border).
        upright_prob (float): Probability of a nearly upright figure
            (image roll ~ N(0, 6 deg)).
        tilt_prob (float): Probability of a roll uniform in +-45 deg; the
            rest (``1 - upright_prob - tilt_prob``) is any roll.

    Example:
        >>> gen = SyntheticPoseGenerator((320, 256), max_figures=3)
        >>> sample = gen.generate(np.random.default_rng(0))
        >>> sample.image.shape, len(sample.figures) >= 1
        ((256, 320, 3), True)
    """

    def __init__(self,
                 image_size: Tuple[int, int] = (320, 256),
                 max_figures: int = 3,
                 min_joints: int = 5,
                 min_visible_joints: int = 3,
                 min_area_frac: float = 0.002,
                 min_visible_frac: float = 0.25,
                 back_prob: float = 0.25,
                 max_occluders: int = 4,
                 size_range: Tuple[float, float] = (0.3, 1.2),
                 crowd_size_range: Tuple[float, float] = (0.22, 1.0),
                 crowd_prob: float = 0.55,
                 overlap_prob: float = 0.45,
                 center_range: Tuple[float, float] = (-0.15, 1.15),
                 upright_prob: float = 0.75,
                 tilt_prob: float = 0.21):
        check_image_size(image_size)
        if not _is_int(max_figures) or not 1 <= max_figures <= 20:
            raise ValueError(
                f'max_figures must be an int in [1, 20], got {max_figures!r}')
        self.width, self.height = int(image_size[0]), int(image_size[1])
        self.max_figures = int(max_figures)
        self.min_joints = min_joints
        self.min_visible_joints = min_visible_joints
        self.min_area = max(30., min_area_frac * self.width * self.height)
        self.min_visible_frac = min_visible_frac
        self.back_prob = back_prob
        self.max_occluders = max_occluders
        self.size_range = _check_range('size_range', size_range)
        self.crowd_size_range = _check_range('crowd_size_range',
                                             crowd_size_range)
        for name, p in (('back_prob', back_prob), ('crowd_prob', crowd_prob),
                        ('overlap_prob', overlap_prob),
                        ('upright_prob', upright_prob),
                        ('tilt_prob', tilt_prob),
                        ('upright_prob + tilt_prob',
                         upright_prob + tilt_prob)):
            if not 0 <= p <= 1:
                raise ValueError(f'{name} must be in [0, 1], got {p!r}')
        self.crowd_prob = float(crowd_prob)
        self.overlap_prob = float(overlap_prob)
        self.center_range = tuple(float(v) for v in center_range)
        if len(self.center_range) != 2 or not (
                self.center_range[0] < self.center_range[1]):
            raise ValueError(f'center_range must be (low, high) with low < '
                             f'high, got {center_range!r}')
        self.upright_prob = float(upright_prob)
        self.tilt_prob = float(tilt_prob)

    # ------------------------------------------------------------------
    # public
    # ------------------------------------------------------------------
    def generate(self, rng: np.random.Generator) -> SyntheticSample:
        """Generate one image with its annotations.

        Args:
            rng (np.random.Generator): Source of all randomness.

        Returns:
            SyntheticSample: The image, its figures and the occluder mask.
        """
        w, h = self.width, self.height
        canvas = draw_background(rng, w, h)
        placed: List[_Placed] = []
        for size in self._sample_sizes(rng):
            fig = self._place_figure(rng, size, placed)
            if fig is None and not placed:
                fig = self._fallback_figure(rng)
            if fig is not None:
                placed.append(fig)
                composite(canvas, fig.layer.image, fig.layer.mask)

        occ = np.zeros((h, w), bool)
        n_occ = int(rng.choice(self.max_occluders + 1,
                               p=_occluder_probs(self.max_occluders)))
        for _ in range(n_occ):
            for _attempt in range(4):
                layer, mask = self._sample_occluder(rng, placed)
                if self._all_valid(placed, occ | mask):
                    occ |= mask
                    composite(canvas, layer, mask)
                    break
        image = post_process(rng, canvas)
        figures = [self._annotate(placed, k, occ) for k in range(len(placed))]
        return SyntheticSample(image=image, figures=figures,
                               occluder_mask=occ)

    # ------------------------------------------------------------------
    # figures
    # ------------------------------------------------------------------
    def _sample_sizes(self, rng: np.random.Generator) -> List[float]:
        """Torso lengths (pixels) of the figures, far (small) ones first."""
        n = 1
        if self.max_figures > 1 and rng.uniform() < self.crowd_prob:
            n = int(rng.integers(2, self.max_figures + 1))
        lo, hi = self.size_range if n == 1 else self.crowd_size_range
        frac = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
        return sorted((frac * self.height / 3.3).tolist())

    def _sample_view(self, rng: np.random.Generator) -> Tuple[float, float]:
        """Body yaw (0: facing the camera, 180: back) and image roll."""
        yaw = float(np.clip(rng.normal(0, 20), -55, 55))
        if rng.uniform() < self.back_prob:
            yaw += 180.
        u = rng.uniform()
        if u < self.upright_prob:
            roll = rng.normal(0, 6)
        elif u < self.upright_prob + self.tilt_prob:
            roll = rng.uniform(-45, 45)
        else:
            roll = rng.uniform(-180, 180)
        return yaw, float(roll)

    def _sample_center(self, rng: np.random.Generator,
                       placed: Sequence[_Placed]) -> np.ndarray:
        w, h = self.width, self.height
        if placed and rng.uniform() < self.overlap_prob:  # overlap an existing figure
            other = placed[int(rng.integers(len(placed)))].xy
            lo, hi = other.min(0), other.max(0)
            return 0.5 * (lo + hi) + rng.normal(0, 0.35, 2) * (hi - lo + 1)
        return rng.uniform(*self.center_range, 2) * (w, h)

    def _make_figure(self, rng: np.random.Generator, size: float,
                     center: np.ndarray, yaw: float, roll: float,
                     style: Optional[str] = None) -> Optional[_Placed]:
        """Pose, project and draw one figure; ``None`` if it has too few
        joints in the image."""
        shape = sample_body_shape(rng)
        pose = forward_kinematics(shape, sample_pose_angles(rng, style))
        app = sample_appearance(rng)
        proj = project_to_image(pose, yaw, roll, size, center)
        xy = np.round(proj['xy'], 2)
        proj['xy'] = xy
        in_image = ((xy[:, 0] >= 0) & (xy[:, 0] <= self.width - 1)
                    & (xy[:, 1] >= 0) & (xy[:, 1] <= self.height - 1))
        if (in_image[COCO_INDICES].sum() < self.min_joints
                or in_image[MPII_INDICES].sum() < self.min_joints):
            return None
        face_hidden = np.zeros(len(LANDMARKS), bool)
        for name in FACE_LANDMARKS:
            i = LANDMARK_INDEX[name]
            face_hidden[i] = proj['normals_z'][i] <= FACE_VISIBILITY_THR[name]
        layer = render_figure(proj, shape, size, app, self.width, self.height)
        return _Placed(
            xy=xy, in_image=in_image, face_hidden=face_hidden, layer=layer,
            radius=shape.lengths['head_radius'] * size,
            facing='front' if np.cos(np.deg2rad(yaw)) > 0 else 'back')

    def _place_figure(self, rng: np.random.Generator, size: float,
                      placed: List[_Placed]) -> Optional[_Placed]:
        occ = np.zeros((self.height, self.width), bool)
        for attempt in range(_MAX_ATTEMPTS):
            # shrink the figure a little after repeated failures
            s = size * (0.97**attempt)
            yaw, roll = self._sample_view(rng)
            fig = self._make_figure(rng, s, self._sample_center(rng, placed),
                                    yaw, roll)
            if fig is not None and self._all_valid(placed + [fig], occ):
                return fig
        return None

    def _fallback_figure(self, rng: np.random.Generator) -> _Placed:
        """A centred, upright, standing figure (used if random placements
        keep failing, so that every image shows at least one figure)."""
        occ = np.zeros((self.height, self.width), bool)
        center = np.array([self.width - 1, self.height - 1]) / 2.
        size = 0.6 * min(self.height, 1.2 * self.width) / 3.3
        for _ in range(200):
            fig = self._make_figure(rng, size, center, 0., 0., 'stand')
            if fig is not None and self._all_valid([fig], occ):
                return fig
            size *= 1.02
        raise RuntimeError('could not place a figure; image too small?')

    # ------------------------------------------------------------------
    # occluders
    # ------------------------------------------------------------------
    def _sample_occluder(
            self, rng: np.random.Generator,
            placed: Sequence[_Placed]) -> Tuple[np.ndarray, np.ndarray]:
        if placed and rng.uniform() < 0.75:
            fig = placed[int(rng.integers(len(placed)))]
            inside = np.flatnonzero(fig.in_image[COCO_INDICES])
            anchor = fig.xy[COCO_INDICES[inside[rng.integers(len(inside))]]]
            size = fig.radius * rng.uniform(1.2, 5.)
        else:
            anchor = rng.uniform(0, 1, 2) * (self.width, self.height)
            size = min(self.width, self.height) * rng.uniform(0.05, 0.3)
        return draw_occluder(rng, self.width, self.height, anchor, size)

    # ------------------------------------------------------------------
    # visibility
    # ------------------------------------------------------------------
    @staticmethod
    def _cover_masks(placed: Sequence[_Placed],
                     occ: np.ndarray) -> List[np.ndarray]:
        """Mask of what is drawn over each figure, list of (H, W) bool."""
        covers, cover = [], occ.copy()
        for fig in reversed(placed):
            covers.append(cover.copy())
            cover |= fig.layer.mask
        return covers[::-1]

    def _visibility(self, fig: _Placed,
                    visible_mask: np.ndarray) -> Tuple[np.ndarray, ...]:
        """Per-landmark ``(visible, self_occluded)`` flags, each (L,)."""
        visible = np.zeros(len(LANDMARKS), bool)
        self_occ = np.zeros(len(LANDMARKS), bool)
        for name, parts in LANDMARK_PARTS.items():
            i = LANDMARK_INDEX[name]
            if not fig.in_image[i]:
                continue
            col, row = pixel_of(fig.xy[i])
            part = fig.layer.part_map[row, col]
            own = part in [PART_IDS[p] for p in parts]
            self_occ[i] = fig.face_hidden[i] or not own
            visible[i] = visible_mask[row, col] and not self_occ[i]
        return visible, self_occ

    def _all_valid(self, placed: Sequence[_Placed], occ: np.ndarray) -> bool:
        """Check the placement rules for every figure (see module doc)."""
        for fig, cover in zip(placed, self._cover_masks(placed, occ)):
            sil = fig.layer.mask
            vis_mask = sil & ~cover
            area = int(vis_mask.sum())
            if area < self.min_area or area < self.min_visible_frac * int(
                    sil.sum()):
                return False
            visible, _ = self._visibility(fig, vis_mask)
            if visible[COCO_INDICES].sum() < self.min_visible_joints:
                return False
        return True

    def _annotate(self, placed: Sequence[_Placed], k: int,
                  occ: np.ndarray) -> FigureAnnotation:
        fig = placed[k]
        cover = self._cover_masks(placed, occ)[k]
        sil = fig.layer.mask
        vis_mask = sil & ~cover
        visible, self_occ = self._visibility(fig, vis_mask)
        head = fig.xy[LANDMARK_INDEX['head_top']]
        neck = fig.xy[LANDMARK_INDEX['upper_neck']]
        side = max(float(np.linalg.norm(head - neck)), 2. * fig.radius)
        mid = 0.5 * (head + neck)
        head_box = np.round(np.stack([mid - side / 2, mid + side / 2]), 2)
        box = _mask_box(vis_mask, self.width, self.height)
        return FigureAnnotation(
            keypoints=fig.xy,
            in_image=fig.in_image,
            visible=visible,
            self_occluded=self_occ,
            bbox=np.array([box[0], box[1], box[2] - box[0], box[3] - box[1]]),
            area=int(vis_mask.sum()),
            full_box=_mask_box(sil, self.width, self.height),
            head_box=head_box,
            facing=fig.facing,
            silhouette=sil,
            visible_mask=vis_mask,
            part_map=fig.layer.part_map)


def _mask_box(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """Tight box ``[x1, y1, x2, y2]`` of a non-empty mask in pixel-centre
    coordinates (pixel edges), clipped to ``[0, W-1] x [0, H-1]``."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return np.array([
        max(0., cols[0] - 0.5), max(0., rows[0] - 0.5),
        min(width - 1., cols[-1] + 0.5), min(height - 1., rows[-1] + 0.5)
    ])


def _occluder_probs(max_occluders: int) -> np.ndarray:
    p = np.array([0.25, 0.3, 0.25, 0.12, 0.08][:max_occluders + 1])
    p = np.concatenate([p, np.full(max(0, max_occluders - 4), 0.02)])
    return p / p.sum()


def _check_range(name: str, value: Sequence[float]) -> Tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be two numbers (low, high), got '
                         f'{value!r}') from None
    if not 0 < lo <= hi:
        raise ValueError(f'{name} must satisfy 0 < low <= high, got '
                         f'{value!r}')
    return lo, hi


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(
        value, bool)


def check_image_size(image_size: Sequence[int]) -> Tuple[int, int]:
    """Validate an image size.

    Args:
        image_size (Sequence[int]): ``(width, height)``.

    Returns:
        tuple[int, int]: The validated ``(width, height)``.

    Raises:
        ValueError: If it is not two ints of at least
            :data:`MIN_IMAGE_SIDE` (and at most 8192).
    """
    try:
        ok = len(image_size) == 2 and all(_is_int(v) for v in image_size)
    except TypeError:
        ok = False
    if not ok or not all(MIN_IMAGE_SIDE <= v <= 8192 for v in image_size):
        raise ValueError(
            f'image_size must be (width, height), two ints in '
            f'[{MIN_IMAGE_SIDE}, 8192], got {image_size!r}')
    return int(image_size[0]), int(image_size[1])
