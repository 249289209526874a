# Copyright (c) pose_nas contributors. All rights reserved.
"""A small 3D articulated body model for the synthetic pose data.

The model lives in a *body frame*: ``x`` points to the person's left,
``y`` up and ``z`` forward (out of the chest). Each limb is posed with
anatomical joint angles (degrees) that are sampled inside
:data:`~.pose_prior.JOINT_LIMITS`; left and right limbs are built by one
routine and the right one is mirrored (``x -> -x``), so the model has no
chirality of its own. An orthographic camera (:func:`project_to_image`)
turns the posed body into image coordinates: with ``yaw == 0`` the person
faces the camera and their left side appears on the image's right side, as
for a real person.

Landmark names and the COCO / MPII keypoint sets live in :mod:`.landmarks`,
joint-angle limits and pose sampling in :mod:`.pose_prior`.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

from .landmarks import LANDMARK_INDEX, LANDMARKS

# Segment lengths and limb thicknesses in units of the torso length.
_LENGTHS = {
    'torso': 1.0, 'shoulder_half_width': 0.36, 'hip_half_width': 0.17,
    'upper_arm': 0.58, 'forearm': 0.52, 'hand': 0.12, 'thigh': 0.85,
    'shin': 0.82, 'foot': 0.25, 'neck': 0.2, 'head_radius': 0.26
}
_THICKNESS = {
    'upper_arm': 0.16, 'forearm': 0.13, 'thigh': 0.24, 'shin': 0.17,
    'neck': 0.14, 'torso_depth': 0.36, 'foot': 0.1, 'hand': 0.16
}


@dataclass
class BodyShape:
    """Proportions of one figure, in units of its torso length.

    Attributes:
        lengths (dict): Segment lengths, keys as in ``_LENGTHS``.
        thickness (dict): Limb thicknesses (diameters), keys as in
            ``_THICKNESS``.
    """
    lengths: Dict[str, float]
    thickness: Dict[str, float]


@dataclass
class Pose3D:
    """A posed body in the body frame.

    Attributes:
        points (np.ndarray): Landmark positions, shape (L, 3), ordered as
            :data:`LANDMARKS`, in torso-length units.
        normals (np.ndarray): Outward surface normals of the landmarks, shape
            (L, 3); only face landmarks have non-zero normals.
        head_axes (np.ndarray): Head rotation matrix, shape (3, 3); its
            columns are the head's left, up and forward axes.
    """
    points: np.ndarray
    normals: np.ndarray
    head_axes: np.ndarray


def rot_x(deg: float) -> np.ndarray:
    """Rotation about the x axis; positive angles turn ``+y`` to ``+z``.

    Args:
        deg (float): Angle in degrees.

    Returns:
        np.ndarray: Rotation matrix, shape (3, 3).
    """
    c, s = np.cos(np.deg2rad(deg)), np.sin(np.deg2rad(deg))
    return np.array([[1., 0., 0.], [0., c, -s], [0., s, c]])


def rot_y(deg: float) -> np.ndarray:
    """Rotation about the vertical y axis; positive angles turn ``+z`` to
    ``+x``.

    Args:
        deg (float): Angle in degrees.

    Returns:
        np.ndarray: Rotation matrix, shape (3, 3).
    """
    c, s = np.cos(np.deg2rad(deg)), np.sin(np.deg2rad(deg))
    return np.array([[c, 0., s], [0., 1., 0.], [-s, 0., c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about the z axis; positive angles turn ``-y`` to ``+x``.

    Args:
        deg (float): Angle in degrees.

    Returns:
        np.ndarray: Rotation matrix, shape (3, 3).
    """
    c, s = np.cos(np.deg2rad(deg)), np.sin(np.deg2rad(deg))
    return np.array([[c, -s, 0.], [s, c, 0.], [0., 0., 1.]])


_MIRROR = np.diag([-1., 1., 1.])
_DOWN = np.array([0., -1., 0.])
_UP = np.array([0., 1., 0.])


def sample_body_shape(rng: np.random.Generator) -> BodyShape:
    """Sample the proportions and limb thicknesses of one figure.

    Left and right limbs share their proportions.

    Args:
        rng (np.random.Generator): Random generator.

    Returns:
        BodyShape: The sampled proportions.
    """
    lengths = {
        k: float(v * np.clip(rng.normal(1., 0.06), 0.85, 1.15))
        for k, v in _LENGTHS.items()
    }
    lengths['torso'] = 1.0
    build = rng.uniform(0.7, 1.35)
    thickness = {
        k: float(v * build * np.clip(rng.normal(1., 0.08), 0.8, 1.2))
        for k, v in _THICKNESS.items()
    }
    return BodyShape(lengths=lengths, thickness=thickness)


def _limb(root: np.ndarray, frame: np.ndarray, mirror: bool,
          proximal: np.ndarray, hinge: np.ndarray, len1: float, len2: float,
          len3: float, end_dir: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Chain of two segments plus an end effector, built for the left side.

    Args:
        root (np.ndarray): Position of the proximal joint, shape (3,).
        frame (np.ndarray): Rotation of the parent body part, shape (3, 3).
        mirror (bool): Mirror the limb to the right side.
        proximal (np.ndarray): Local rotation of the first segment (3, 3).
        hinge (np.ndarray): Local rotation of the second segment (3, 3).
        len1 (float): Length of the first segment.
        len2 (float): Length of the second segment.
        len3 (float): Length of the end effector (hand / foot).
        end_dir (np.ndarray): Direction of the end effector in the frame of
            the second segment, shape (3,).

    Returns:
        tuple[np.ndarray]: Middle joint, end joint and effector tip, each of
        shape (3,).
    """
    m = _MIRROR if mirror else np.eye(3)
    r1 = frame @ m @ proximal
    mid = root + len1 * (r1 @ _DOWN)
    r2 = r1 @ hinge
    end = mid + len2 * (r2 @ _DOWN)
    tip = end + len3 * (r2 @ end_dir)
    return mid, end, tip


def forward_kinematics(shape: BodyShape,
                       angles: Dict[str, np.ndarray]) -> Pose3D:
    """Pose the body model.

    Args:
        shape (BodyShape): Figure proportions.
        angles (dict): Joint angles as returned by
            :func:`~.pose_prior.sample_pose_angles`.

    Returns:
        Pose3D: Landmarks (pelvis at the origin) and face normals.
    """
    ln, pts = shape.lengths, {}
    pts['pelvis'] = np.zeros(3)
    spine = (rot_y(angles['spine_twist']) @ rot_z(angles['spine_side'])
             @ rot_x(angles['spine_lean']))
    pts['thorax'] = spine @ (ln['torso'] * _UP)
    neck = spine @ rot_x(angles['neck_flexion']) @ rot_z(angles['neck_side'])
    head = neck @ rot_y(angles['neck_yaw'])
    pts['upper_neck'] = pts['thorax'] + neck @ (ln['neck'] * _UP)
    r = ln['head_radius']
    pts['head_center'] = pts['upper_neck'] + head @ np.array([0., .9 * r, .1 * r])
    pts['head_top'] = pts['head_center'] + head @ (r * _UP)

    normals = {
        'nose': np.array([0., -0.1, 1.]),
        'left_eye': np.array([0.38, 0.2, 0.9]),
        'left_ear': np.array([1., 0.05, -0.1]),
    }
    normals['right_eye'] = _MIRROR @ normals['left_eye']
    normals['right_ear'] = _MIRROR @ normals['left_ear']
    for name, n in normals.items():
        n = n / np.linalg.norm(n)
        normals[name] = head @ n
        pts[name] = pts['head_center'] + r * normals[name] * (
            1.05 if 'ear' not in name else 0.95)

    for side, mirror in (('left', False), ('right', True)):
        k = 1 if mirror else 0
        sx = -1. if mirror else 1.
        pts[f'{side}_shoulder'] = pts['thorax'] + spine @ np.array(
            [sx * ln['shoulder_half_width'], -0.05, 0.])
        pts[f'{side}_torso_top'] = pts['thorax'] + spine @ np.array(
            [sx * (ln['shoulder_half_width'] + 0.06), -0.02, 0.])
        arm = (rot_z(angles['shoulder_abduction'][k])
               @ rot_x(-angles['shoulder_flexion'][k])
               @ rot_y(angles['shoulder_rotation'][k]))
        elbow = rot_x(-angles['elbow_flexion'][k])
        (pts[f'{side}_elbow'], pts[f'{side}_wrist'],
         pts[f'{side}_hand']) = _limb(
             pts[f'{side}_shoulder'], spine, mirror, arm, elbow,
             ln['upper_arm'], ln['forearm'], ln['hand'], _DOWN)

        pts[f'{side}_hip'] = np.array([sx * ln['hip_half_width'], 0., 0.])
        pts[f'{side}_torso_bottom'] = np.array(
            [sx * (ln['hip_half_width'] + 0.08), -0.06, 0.])
        leg = (rot_z(angles['hip_abduction'][k])
               @ rot_x(-angles['hip_flexion'][k])
               @ rot_y(angles['hip_rotation'][k]))
        knee = rot_x(angles['knee_flexion'][k])
        (pts[f'{side}_knee'], pts[f'{side}_ankle'],
         pts[f'{side}_toe']) = _limb(
             pts[f'{side}_hip'], np.eye(3), mirror, leg, knee, ln['thigh'],
             ln['shin'], ln['foot'], np.array([0., -0.25, 0.97]))

    points = np.stack([pts[n] for n in LANDMARKS])
    norm_arr = np.zeros_like(points)
    for name, n in normals.items():
        norm_arr[LANDMARK_INDEX[name]] = n
    return Pose3D(points=points, normals=norm_arr, head_axes=head)


def project_to_image(pose: Pose3D, yaw: float, roll: float, scale: float,
                     center: Tuple[float, float]) -> Dict[str, np.ndarray]:
    """Orthographic projection of a posed body into the image.

    Args:
        pose (Pose3D): The posed body.
        yaw (float): Rotation of the body about the vertical axis, degrees.
            ``0`` faces the camera, ``180`` shows the back.
        roll (float): In-plane rotation of the figure, degrees.
        scale (float): Torso length in pixels.
        center (tuple[float, float]): Image position (x, y) of the centre of
            the figure's landmark bounding box.

    Returns:
        dict: ``'xy'`` landmark image coordinates (L, 2) (pixel-centre
        convention, ``(0, 0)`` is the centre of the top-left pixel),
        ``'depth'`` distance towards the camera in pixels (L,),
        ``'normals_z'`` camera-facing component of the landmark normals (L,)
        and ``'head_axes'`` the head axes in image space (3, 3); its columns
        are the 2D+depth images of the head's left, up and forward axes.
    """
    cam_rot = rot_y(yaw)
    cam = pose.points @ cam_rot.T
    c, s = np.cos(np.deg2rad(roll)), np.sin(np.deg2rad(roll))
    # camera (x right, y up, z to viewer) -> image (x right, y down, depth)
    to_img = np.array([[c, s, 0.], [-s, c, 0.], [0., 0., 1.]]) @ np.diag(
        [1., -1., 1.])
    img = cam @ to_img.T * scale
    xy = img[:, :2]
    offset = np.asarray(center, dtype=np.float64) - 0.5 * (
        xy.min(axis=0) + xy.max(axis=0))
    normals_cam = pose.normals @ cam_rot.T
    head_axes = to_img @ cam_rot @ pose.head_axes
    return dict(xy=xy + offset, depth=img[:, 2], normals_z=normals_cam[:, 2],
                head_axes=head_axes)


__all__ = [
    'BodyShape', 'Pose3D', 'rot_x', 'rot_y', 'rot_z', 'sample_body_shape',
    'forward_kinematics', 'project_to_image'
]
