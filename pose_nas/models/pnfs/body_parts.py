# Copyright (c) pose_nas contributors. All rights reserved.
"""Body-part groupings of PNFS (Table I of the paper), defined by joint name.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068; journal
version: "Searching part-specific neural fabrics for human pose
estimation", Pattern Recognition 2022), Sec. III-E and Table I.

PNFS splits the K keypoints into P body parts and gives every part its own
subnetwork. The paper's Table I lists the parts for P in {1, 3, 5, 8} as
keypoint *indices* in the paper's own orders:

- COCO: the standard order (nose 0 ... right_ankle 16), which is also
  MMPose's;
- MPII: ``0 head_top, 1 upper_neck, 2 thorax, 3 left_shoulder,
  4 right_shoulder, 5 left_elbow, 6 right_elbow, 7 left_wrist,
  8 right_wrist, 9 left_hip, 10 right_hip, 11 left_knee, 12 right_knee,
  13 left_ankle, 14 right_ankle, 15 pelvis``, which is *not* MMPose's MPII
  order (``right_ankle, right_knee, ... left_wrist``).

This module keeps Table I verbatim (:data:`TABLE_I`), translates it through
joint *names* (:data:`PAPER_KEYPOINT_ORDER`) into name-based presets
(:data:`BODY_PART_PRESETS`), and :func:`resolve_parts` turns a preset or an
explicit list of parts into keypoint indices of a given dataset, in the
dataset's own order (MMPose's ``keypoint_id2name``). A joint may belong to
several parts (e.g. an elbow in P=8): the head sums those parts'
predictions.

Example:
    >>> from pose_nas.models.pnfs.body_parts import resolve_parts
    >>> resolve_parts(3, MPII_KEYPOINTS, 'mpii')[0]
    ('head', [9, 8, 7])
"""
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

#: MMPose's COCO keypoint names, in MMPose's order (= the paper's).
COCO_KEYPOINTS: Tuple[str, ...] = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')

#: MMPose's MPII keypoint names, in MMPose's order
#: (``configs/_base_/datasets/mpii.py``).
MPII_KEYPOINTS: Tuple[str, ...] = (
    'right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee',
    'left_ankle', 'pelvis', 'thorax', 'upper_neck', 'head_top',
    'right_wrist', 'right_elbow', 'right_shoulder', 'left_shoulder',
    'left_elbow', 'left_wrist')

#: The keypoint orders in which the paper's Table I is written.
PAPER_KEYPOINT_ORDER: Dict[str, Tuple[str, ...]] = {
    'coco': COCO_KEYPOINTS,
    'mpii': ('head_top', 'upper_neck', 'thorax', 'left_shoulder',
             'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist',
             'right_wrist', 'left_hip', 'right_hip', 'left_knee',
             'right_knee', 'left_ankle', 'right_ankle', 'pelvis'),
}

#: Table I of the paper, verbatim: P -> [(part name, MPII indices, COCO
#: indices)], indices in :data:`PAPER_KEYPOINT_ORDER`. Part names are the
#: table's group names as identifiers.
TABLE_I: Dict[int, List[Tuple[str, str, str]]] = {
    1: [('whole_body', '0-15', '0-16')],
    3: [('head', '0-2', '0-4'),
        ('upper_limb', '3-8', '5-10'),
        ('lower_limb', '9-15', '11-16')],
    5: [('head_shoulder', '0-4', '0-6'),
        ('left_lower_arm', '5,7', '7,9'),
        ('right_lower_arm', '6,8', '8,10'),
        ('thigh', '9,10,15', '11,12'),
        ('lower_limb', '11-14', '13-16')],
    8: [('head_shoulder', '0-4', '0-6'),
        ('left_upper_arm', '3,5', '5,7'),
        ('left_lower_arm', '5,7', '7,9'),
        ('right_upper_arm', '4,6', '6,8'),
        ('right_lower_arm', '6,8', '8,10'),
        ('thigh', '9-12,15', '11-14'),
        ('left_lower_leg', '11,13', '13,15'),
        ('right_lower_leg', '12,14', '14,16')],
}

_PART_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')

PartsType = Union[int, str, Sequence[Union[dict, Tuple[str, Sequence[str]]]]]


def _expand(spec: str) -> List[int]:
    """``'9-12,15'`` -> ``[9, 10, 11, 12, 15]``."""
    out: List[int] = []
    for piece in spec.split(','):
        if '-' in piece:
            a, b = piece.split('-')
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(piece))
    return out


def _build_presets() -> Dict[str, Dict[int, List[dict]]]:
    presets: Dict[str, Dict[int, List[dict]]] = {}
    for col, dataset in ((1, 'mpii'), (2, 'coco')):
        order = PAPER_KEYPOINT_ORDER[dataset]
        presets[dataset] = {
            p: [
                dict(name=row[0],
                     keypoints=[order[i] for i in _expand(row[col])])
                for row in rows
            ]
            for p, rows in TABLE_I.items()
        }
    return presets


#: dataset name -> P -> ``[dict(name=part, keypoints=[joint names])]``
#: (Table I translated through joint names).
BODY_PART_PRESETS: Dict[str, Dict[int, List[dict]]] = _build_presets()

#: the keypoint names each preset table is written for.
PRESET_KEYPOINTS: Dict[str, Tuple[str, ...]] = {
    'coco': COCO_KEYPOINTS,
    'mpii': MPII_KEYPOINTS,
}


def load_pose_metainfo(metainfo: dict) -> dict:
    """Parse a dataset's metainfo the way MMPose's datasets do.

    Args:
        metainfo (dict): ``dict(from_file='configs/_base_/datasets/coco.py')``
            (a path; if it does not exist, the file of the same name among
            MMPose's installed configs ``mmpose/.mim/configs/_base_/datasets``
            is used, as :func:`mmpose.datasets.datasets.utils.
            parse_pose_metainfo` does, without its warning), a raw
            ``dataset_info`` dict, or an already parsed metainfo (with
            ``keypoint_id2name``).

    Returns:
        dict: MMPose's parsed metainfo (``dataset_name``, ``num_keypoints``,
        ``keypoint_id2name``, ``flip_indices`` ...).
    """
    import os.path as osp

    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    if not isinstance(metainfo, dict):
        raise TypeError(
            f'metainfo must be a dict, got {type(metainfo).__name__}')
    if 'keypoint_id2name' in metainfo:
        return metainfo
    metainfo = dict(metainfo)
    if 'from_file' in metainfo:
        path = metainfo['from_file']
        if not osp.isfile(path):
            import mmpose
            candidate = osp.join(
                osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_',
                'datasets', osp.basename(path))
            if not osp.isfile(candidate):
                raise FileNotFoundError(
                    f'metainfo file {path!r} not found (nor {candidate})')
            metainfo['from_file'] = candidate
    return parse_pose_metainfo(metainfo)


def keypoint_names_from_metainfo(metainfo: dict) -> Tuple[List[str], str]:
    """``(keypoint names in index order, dataset_name)`` of a metainfo
    accepted by :func:`load_pose_metainfo`."""
    parsed = load_pose_metainfo(metainfo)
    id2name = parsed['keypoint_id2name']
    names = [id2name[i] for i in range(len(id2name))]
    return names, parsed.get('dataset_name')


def resolve_keypoint_names(
        metainfo: Optional[dict] = None,
        keypoint_names: Optional[Sequence[str]] = None,
        dataset_name: Optional[str] = None
) -> Tuple[List[str], Optional[str]]:
    """``(keypoint names, dataset_name)`` from a metainfo and / or explicit
    names (checked against each other); ``dataset_name`` defaults to the
    metainfo's. This is how :class:`~pose_nas.models.pnfs.PartFabricHead`
    learns the dataset's keypoints."""
    if metainfo is None and keypoint_names is None:
        raise ValueError(
            'PartFabricHead needs the dataset\'s keypoint names: give '
            "metainfo=dict(from_file='configs/_base_/datasets/coco.py') "
            'or keypoint_names=[...]')
    names = None if keypoint_names is None else list(keypoint_names)
    if metainfo is not None:
        meta_names, meta_dataset = keypoint_names_from_metainfo(metainfo)
        if names is not None and names != meta_names:
            raise ValueError(
                f'keypoint_names {names} differ from the metainfo\'s '
                f'{meta_names}')
        names = meta_names
        if dataset_name is None:
            dataset_name = meta_dataset
    return names, dataset_name


def available_presets() -> Dict[str, List[int]]:
    """Dataset name -> the P values with a preset."""
    return {d: sorted(p) for d, p in BODY_PART_PRESETS.items()}


def _preset_dataset(dataset_name: Optional[str],
                    keypoint_names: Sequence[str]) -> str:
    """Which preset table fits: by dataset name, else by the exact set of
    keypoint names (a COCO-format dataset with COCO's 17 names uses the
    COCO presets whatever it is called)."""
    if dataset_name is not None and dataset_name in BODY_PART_PRESETS:
        return dataset_name
    for name, kpts in PRESET_KEYPOINTS.items():
        if set(kpts) == set(keypoint_names) and \
                len(kpts) == len(keypoint_names):
            return name
    raise ValueError(
        f'no body-part preset for dataset {dataset_name!r} (presets exist '
        f'for {sorted(BODY_PART_PRESETS)}, and its {len(keypoint_names)} '
        'keypoint names match none of them); give the parts explicitly as '
        "a list of dict(name=..., keypoints=[joint names])")


def _preset_parts(parts: Union[int, str], dataset: str) -> List[dict]:
    p = parts
    if isinstance(p, str):
        m = re.fullmatch(r'[Pp]?(\d+)', p.strip())
        if m is None:
            raise ValueError(
                f'unknown body-part preset {parts!r}: use an int P or '
                f"'P<n>' (e.g. 'P3'), or an explicit list of parts")
        p = int(m.group(1))
    if p not in BODY_PART_PRESETS[dataset]:
        raise ValueError(
            f'no body-part preset P={p} for dataset {dataset!r}; available: '
            f'P in {sorted(BODY_PART_PRESETS[dataset])}')
    return BODY_PART_PRESETS[dataset][p]


def _normalise_part(i: int, part) -> Tuple[str, List[str]]:
    if isinstance(part, dict):
        unknown = set(part) - {'name', 'keypoints'}
        if unknown or 'name' not in part or 'keypoints' not in part:
            raise ValueError(
                f'part #{i} must be dict(name=..., keypoints=[...]), got '
                f'keys {sorted(part)}')
        name, kpts = part['name'], part['keypoints']
    elif isinstance(part, (tuple, list)) and len(part) == 2:
        name, kpts = part
    else:
        raise ValueError(f'part #{i} must be dict(name=..., keypoints=[...])'
                         f' or a (name, keypoints) pair, got {part!r}')
    if not isinstance(name, str) or not _PART_NAME.match(name):
        raise ValueError(
            f'part #{i} has an invalid name {name!r}: part names must be '
            'identifiers (letters, digits, underscores; used as module and '
            'genotype component names)')
    if isinstance(kpts, str) or not isinstance(kpts, (list, tuple)):
        raise ValueError(f'part {name!r}: keypoints must be a list of joint '
                         f'names, got {kpts!r}')
    for k in kpts:
        if not isinstance(k, str):
            raise ValueError(f'part {name!r}: joints are given by name, got '
                             f'{k!r} ({type(k).__name__})')
    return name, list(kpts)


def resolve_parts(parts: PartsType,
                  keypoint_names: Sequence[str],
                  dataset_name: Optional[str] = None
                  ) -> List[Tuple[str, List[int]]]:
    """Turn a body-part specification into keypoint indices.

    Args:
        parts (int | str | list): a preset, ``P`` as an int (``3``) or a
            string (``'P3'``), looked up for ``dataset_name``; or an explicit
            list of parts, each ``dict(name=..., keypoints=[joint names])``
            (or a ``(name, [joint names])`` pair).
        keypoint_names (Sequence[str]): the dataset's keypoint names in its
            own order (index = heatmap channel), e.g. MMPose's
            ``keypoint_id2name``.
        dataset_name (str, optional): selects the preset table (``'coco'``,
            ``'mpii'``). Without it (or for an unknown name) the table whose
            keypoint names equal ``keypoint_names`` is used.

    Returns:
        list[tuple[str, list[int]]]: ``(part name, keypoint indices)`` per
        part, in the given part order; indices follow the order in which the
        part lists its joints.

    Raises:
        ValueError: unknown preset for the dataset; a part naming a joint the
            dataset lacks (the message names the part and the joint and lists
            the dataset's names); a joint covered by no part (listed);
            duplicate part names; an empty part; a joint listed twice in one
            part; a malformed part.
    """
    names = list(keypoint_names)
    if not names:
        raise ValueError('keypoint_names is empty')
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f'keypoint_names has duplicates: {dup}')
    if isinstance(parts, bool):
        raise ValueError(f'invalid parts {parts!r}')
    if isinstance(parts, (int, str)):
        spec = _preset_parts(parts, _preset_dataset(dataset_name, names))
    elif isinstance(parts, (list, tuple)):
        spec = list(parts)
    else:
        raise ValueError(
            f'parts must be a preset (int P or "P<n>") or a list of parts, '
            f'got {type(parts).__name__}')
    if not spec:
        raise ValueError('no body parts given')

    index = {n: i for i, n in enumerate(names)}
    resolved: List[Tuple[str, List[int]]] = []
    seen_names = set()
    for i, part in enumerate(spec):
        name, kpts = _normalise_part(i, part)
        if name in seen_names:
            raise ValueError(f'duplicate part name {name!r}')
        seen_names.add(name)
        if not kpts:
            raise ValueError(f'part {name!r} has no keypoints')
        dup = sorted({k for k in kpts if kpts.count(k) > 1})
        if dup:
            raise ValueError(f'part {name!r} lists {dup} more than once')
        for k in kpts:
            if k not in index:
                dataset = f'dataset {dataset_name!r}' if dataset_name \
                    else 'dataset'
                raise ValueError(
                    f'part {name!r} names joint {k!r}, which the {dataset} '
                    f'does not have; its keypoints are: {names}')
        resolved.append((name, [index[k] for k in kpts]))

    covered = {i for _, idx in resolved for i in idx}
    uncovered = [n for i, n in enumerate(names) if i not in covered]
    if uncovered:
        raise ValueError(
            f'keypoints covered by no body part (they would never be '
            f'predicted): {uncovered}')
    return resolved
