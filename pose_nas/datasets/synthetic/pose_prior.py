# Copyright (c) pose_nas contributors. All rights reserved.
"""Joint-angle limits and pose priors of the synthetic body model.

A pose is a set of anatomical joint angles (degrees), always inside
:data:`JOINT_LIMITS`. :func:`sample_pose_angles` draws them around the
(mean, std) priors of a pose style (standing, walking, arms up, waving,
reaching, sitting, lunging) or uniformly inside the limits.
"""
from typing import Dict, Tuple

import numpy as np

#: Range of every joint angle. Per-side angles are defined for the left limb
#: and mirrored for the right one: abduction moves a limb away from the
#: body midline, flexion moves the arm / thigh forward, positive shoulder
#: rotation is external, elbows flex forward only and knees backward only.
JOINT_LIMITS: Dict[str, Tuple[float, float]] = {
    'shoulder_abduction': (-40., 175.),
    'shoulder_flexion': (-60., 175.),
    'shoulder_rotation': (-90., 90.),
    'elbow_flexion': (0., 150.),
    'hip_flexion': (-30., 125.),
    'hip_abduction': (-25., 60.),
    'hip_rotation': (-40., 45.),
    'knee_flexion': (0., 150.),
    'spine_lean': (-25., 60.),
    'spine_side': (-30., 30.),
    'spine_twist': (-35., 35.),
    'neck_flexion': (-40., 45.),
    'neck_side': (-35., 35.),
    'neck_yaw': (-60., 60.),
}
#: Angles that exist once per side (index 0: left, 1: right).
SIDED_ANGLES = ('shoulder_abduction', 'shoulder_flexion', 'shoulder_rotation',
                'elbow_flexion', 'hip_flexion', 'hip_abduction',
                'hip_rotation', 'knee_flexion')

_NEUTRAL_PRIOR = {
    'shoulder_abduction': (12., 10.), 'shoulder_flexion': (0., 15.),
    'shoulder_rotation': (-10., 20.), 'elbow_flexion': (15., 15.),
    'hip_flexion': (0., 8.), 'hip_abduction': (6., 5.),
    'hip_rotation': (5., 10.), 'knee_flexion': (5., 6.),
    'spine_lean': (0., 6.), 'spine_side': (0., 5.), 'spine_twist': (0., 8.),
    'neck_flexion': (0., 10.), 'neck_side': (0., 8.), 'neck_yaw': (0., 20.)
}
# A style overrides some (mean, std) priors of the neutral pose. A pair of
# (mean, std) tuples is asymmetric: its first entry goes to a random side.
_STYLES: Dict[str, dict] = {
    'stand': {},
    'walk': {
        'shoulder_flexion': ((28., 12.), (-25., 10.)),
        'elbow_flexion': (25., 15.),
        'hip_flexion': ((-18., 8.), (25., 10.)),
        'knee_flexion': ((35., 15.), (10., 8.)),
    },
    'arms_up': {
        'shoulder_abduction': (135., 30.),
        'shoulder_flexion': (20., 30.),
        'elbow_flexion': (25., 25.),
    },
    'wave': {
        'shoulder_abduction': ((95., 15.), (12., 8.)),
        'shoulder_rotation': ((60., 20.), (-10., 15.)),
        'elbow_flexion': ((100., 20.), (15., 10.)),
    },
    'reach': {
        'shoulder_flexion': ((85., 25.), (10., 15.)),
        'elbow_flexion': ((10., 10.), (35., 20.)),
    },
    'sit': {
        'hip_flexion': (85., 15.),
        'knee_flexion': (90., 15.),
        'hip_abduction': (12., 8.),
        'spine_lean': (10., 8.),
        'elbow_flexion': (50., 25.),
        'shoulder_flexion': (25., 15.),
    },
    'lunge': {
        'hip_flexion': ((70., 15.), (-20., 10.)),
        'knee_flexion': ((70., 20.), (30., 15.)),
        'spine_lean': (10., 8.),
        'shoulder_abduction': (30., 20.),
    },
    'random': None,  # uniform inside the joint limits
}
_STYLE_PROBS = {'stand': 0.22, 'walk': 0.18, 'arms_up': 0.1, 'wave': 0.08,
                'reach': 0.08, 'sit': 0.1, 'lunge': 0.08, 'random': 0.16}


def _sample_angle(rng: np.random.Generator, prior, name: str) -> float:
    lo, hi = JOINT_LIMITS[name]
    mean, std = prior
    return float(np.clip(rng.normal(mean, std), lo, hi))


def sample_pose_angles(rng: np.random.Generator,
                       style: str = None) -> Dict[str, np.ndarray]:
    """Sample plausible joint angles, always inside :data:`JOINT_LIMITS`.

    Args:
        rng (np.random.Generator): Random generator.
        style (str, optional): One of the keys of ``_STYLES``; a random one
            (weighted by ``_STYLE_PROBS``) if ``None``.

    Returns:
        dict: Angle name -> degrees. Sided angles (:data:`SIDED_ANGLES`) are
        arrays of shape (2,) (left, right); the others have shape ().
    """
    if style is None:
        names = list(_STYLE_PROBS)
        probs = np.array([_STYLE_PROBS[n] for n in names])
        style = names[rng.choice(len(names), p=probs / probs.sum())]
    if style not in _STYLES:
        raise ValueError(f'unknown pose style {style!r}')
    overrides = _STYLES[style]
    angles = {}
    for name in JOINT_LIMITS:
        sided = name in SIDED_ANGLES
        if overrides is None and sided:
            lo, hi = JOINT_LIMITS[name]
            values = rng.uniform(lo, hi, size=2)
        else:
            prior = (overrides or {}).get(name, _NEUTRAL_PRIOR[name])
            if not sided:
                values = np.array(_sample_angle(rng, prior, name))
            elif isinstance(prior[0], tuple):  # asymmetric (side A, side B)
                first = int(rng.integers(2))
                values = np.zeros(2)
                values[first] = _sample_angle(rng, prior[0], name)
                values[1 - first] = _sample_angle(rng, prior[1], name)
            else:
                values = np.array(
                    [_sample_angle(rng, prior, name) for _ in range(2)])
        angles[name] = values
    return angles


__all__ = ['JOINT_LIMITS', 'SIDED_ANGLES', 'sample_pose_angles']
