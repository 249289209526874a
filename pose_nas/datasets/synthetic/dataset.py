# Copyright (c) pose_nas contributors. All rights reserved.
"""Write a complete synthetic dataset (COCO and / or MPII layout) to disk.

On-disk layout under ``root``::

    root/
    ├── synthetic_manifest.json              # arguments + content hash
    ├── coco/
    │   ├── annotations/person_keypoints_{split}.json
    │   └── {split}/{image_id}.png           # data_prefix=dict(img='{split}/')
    └── mpii/
        ├── annotations/mpii_{split}.json
        ├── annotations/mpii_gt_{split}.mat  # head boxes for PCKh
        └── images/{image_id}.png            # shared by all splits

Image ids are ``code * 10**6 + index`` with ``code`` in [100, 999] derived
from the split name (CRC-32), so ids and file names are unique across splits
and the MPII file stems are integers, as ``MpiiDataset`` requires.

Reproducibility: image ``i`` of split ``s`` is drawn from
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(crc32(s), i)))``,
so a split does not depend on which other splits are generated, and the same
arguments give byte-identical files (on the same platform and library
versions). Images are PNG.
"""
import hashlib
import json
import os
import os.path as osp
import re
import warnings
import zlib
from typing import Dict, Iterable, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .generator import SyntheticPoseGenerator, _is_int, check_image_size
from .presets import get_preset
from .writers import (coco_annotation_entry, coco_dataset_dict,
                      coco_image_entry, json_bytes, mat_bytes,
                      mpii_entry, mpii_headbox_arrays, write_bytes)

#: Bumped whenever the generated content changes for the same arguments.
GENERATOR_VERSION = 1
MANIFEST_NAME = 'synthetic_manifest.json'
SUPPORTED_FORMATS = ('coco', 'mpii')
_MAX_IMAGES_PER_SPLIT = 999_999
_SPLIT_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_\-]*$')
_PNG_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 3]


def split_code(split: str) -> int:
    """Id prefix of a split, in [100, 999].

    Args:
        split (str): Split name.

    Returns:
        int: ``crc32(split) % 900 + 100``.
    """
    return zlib.crc32(split.encode('utf-8')) % 900 + 100


def image_id(split: str, index: int) -> int:
    """Image id (and file stem) of image ``index`` of ``split``.

    Args:
        split (str): Split name.
        index (int): 0-based image index in the split.

    Returns:
        int: ``split_code(split) * 10**6 + index``.
    """
    return split_code(split) * 1_000_000 + index


def image_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """Random generator of one image.

    Args:
        seed (int): Dataset seed.
        split (str): Split name.
        index (int): Image index in the split.

    Returns:
        np.random.Generator: Independent stream for this image.
    """
    key = (zlib.crc32(split.encode('utf-8')), index)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


# --------------------------------------------------------------------------
# argument checks and paths
# --------------------------------------------------------------------------
def _check_args(splits, seed, formats, image_size,
                max_figures) -> Tuple[Dict[str, int], Tuple[str, ...]]:
    if not isinstance(splits, dict) or not splits:
        raise ValueError(f'splits must be a non-empty dict name -> count, '
                         f'got {splits!r}')
    for name, count in splits.items():
        if not isinstance(name, str) or not _SPLIT_NAME.match(name):
            raise ValueError(f'invalid split name {name!r} (use letters, '
                             'digits, "_" and "-")')
        if not _is_int(count) or not 1 <= count <= _MAX_IMAGES_PER_SPLIT:
            raise ValueError(f'split {name!r}: the image count must be an int '
                             f'in [1, {_MAX_IMAGES_PER_SPLIT}], got {count!r}')
    codes = {}
    for name in splits:
        other = codes.setdefault(split_code(name), name)
        if other != name:
            raise ValueError(f'split names {other!r} and {name!r} map to the '
                             'same image-id prefix; rename one of them')
    if not _is_int(seed) or seed < 0:
        raise ValueError(f'seed must be a non-negative int, got {seed!r}')
    if isinstance(formats, str):
        formats = (formats, )
    formats = tuple(formats)
    unknown = [f for f in formats if f not in SUPPORTED_FORMATS]
    if not formats or unknown:
        raise ValueError(f'formats must be a non-empty subset of '
                         f'{SUPPORTED_FORMATS}, got {formats!r}')
    check_image_size(image_size)
    if not _is_int(max_figures) or not 1 <= max_figures <= 20:
        raise ValueError(
            f'max_figures must be an int in [1, 20], got {max_figures!r}')
    return ({k: int(v) for k, v in splits.items()},
            tuple(f for f in SUPPORTED_FORMATS if f in formats))


def _paths(root: str, splits: Iterable[str],
           formats: Sequence[str]) -> Dict[str, Dict[str, Dict[str, str]]]:
    out: Dict[str, Dict[str, Dict[str, str]]] = {}
    for split in splits:
        if 'coco' in formats:
            base = osp.join(root, 'coco')
            out.setdefault('coco', {})[split] = dict(
                data_root=base,
                ann_file=osp.join(base, 'annotations',
                                  f'person_keypoints_{split}.json'),
                img_dir=osp.join(base, split))
        if 'mpii' in formats:
            base = osp.join(root, 'mpii')
            out.setdefault('mpii', {})[split] = dict(
                data_root=base,
                ann_file=osp.join(base, 'annotations', f'mpii_{split}.json'),
                img_dir=osp.join(base, 'images'),
                headbox_file=osp.join(base, 'annotations',
                                      f'mpii_gt_{split}.mat'))
    return out


def _planned_files(root: str, splits: Dict[str, int],
                   paths: dict) -> list:
    """All files a run writes, relative to ``root``, sorted."""
    files = []
    for fmt, per_split in paths.items():
        for split, p in per_split.items():
            files.append(p['ann_file'])
            if fmt == 'mpii':
                files.append(p['headbox_file'])
            files += [
                osp.join(p['img_dir'], f'{image_id(split, i)}.png')
                for i in range(splits[split])
            ]
    return sorted(osp.relpath(f, root) for f in files)


# --------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------
def _hash_files(root: str, files: Sequence[str]) -> Optional[str]:
    """sha256 over (name, content) of ``files``; ``None`` if one is
    missing."""
    digest = hashlib.sha256()
    for rel in files:
        path = osp.join(root, rel)
        if not osp.isfile(path):
            return None
        digest.update(rel.encode('utf-8') + b'\0')
        with open(path, 'rb') as f:
            digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def _read_manifest(root: str) -> Optional[dict]:
    path = osp.join(root, MANIFEST_NAME)
    if not osp.isfile(path):
        return None
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or 'args' not in manifest:
        return None
    return manifest


def _write_manifest(root: str, args: dict, files: Sequence[str],
                    content_hash: Optional[str]) -> None:
    manifest = dict(generator='pose_nas.datasets.synthetic',
                    version=GENERATOR_VERSION, args=args,
                    complete=content_hash is not None,
                    content_sha256=content_hash, files=list(files))
    write_bytes(osp.join(root, MANIFEST_NAME),
                json.dumps(manifest, indent=1).encode('utf-8'))


def _remove_files(root: str, files: Sequence[str]) -> None:
    """Delete previously generated files, then the folders left empty."""
    dirs = set()
    for rel in files:
        path = osp.normpath(osp.join(root, rel))
        if not path.startswith(osp.normpath(root) + os.sep):
            continue  # never touch anything outside root
        if osp.isfile(path):
            os.remove(path)
        dirs.add(osp.dirname(path))
    for d in sorted(dirs, key=len, reverse=True):
        while d.startswith(osp.normpath(root) + os.sep) and osp.isdir(d) \
                and not os.listdir(d):
            os.rmdir(d)
            d = osp.dirname(d)


def _prepare_root(root: str, args: dict, files: Sequence[str],
                  overwrite: bool) -> bool:
    """Decide whether to generate; clean up a previous run if needed.

    Returns:
        bool: ``False`` if a complete, unchanged dataset with the same
        arguments already exists (nothing to do).

    Raises:
        FileExistsError: If ``root`` holds a dataset made with other
            arguments, or files this run would overwrite that were not
            written by this generator, and ``overwrite`` is False.
    """
    manifest = _read_manifest(root)
    if manifest is not None:
        same = (manifest.get('args') == args
                and manifest.get('version') == GENERATOR_VERSION)
        if not overwrite and same and manifest.get('complete'):
            if _hash_files(root, files) == manifest.get('content_sha256'):
                return False
            warnings.warn(f'synthetic dataset in {root} was modified or is '
                          'incomplete; regenerating it')
        elif not overwrite and manifest.get('complete'):
            raise FileExistsError(
                f'{root} holds a synthetic dataset made with other arguments '
                f'({manifest.get("args")}); pass overwrite=True (CLI: '
                '--overwrite) to replace it or choose another root')
        # ours (incomplete, modified or to be overwritten): remove it
        _remove_files(root, manifest.get('files', []))
    elif not overwrite:
        clash = [f for f in files if osp.exists(osp.join(root, f))]
        if clash:
            raise FileExistsError(
                f'{root} already contains {len(clash)} of the files to write '
                f'(e.g. {clash[0]}) but no {MANIFEST_NAME}; pass '
                'overwrite=True to replace them')
    return True


# --------------------------------------------------------------------------
# main entry
# --------------------------------------------------------------------------
def generate_synthetic_dataset(
        root: str,
        splits: Optional[Dict[str, int]] = None,
        seed: int = 0,
        formats: Union[str, Sequence[str]] = ('coco', 'mpii'),
        image_size: Optional[Tuple[int, int]] = None,
        max_figures: Optional[int] = None,
        overwrite: bool = False,
        preset: str = 'default') -> Dict[str, Dict[str, Dict[str, str]]]:
    """Generate (or reuse) a deterministic synthetic pose dataset.

    Calling it again with the same arguments on a complete, unmodified
    output is a cheap no-op (checked through ``synthetic_manifest.json``,
    which stores the arguments and a sha256 of every written file). An
    incomplete or modified output of this generator is regenerated. Output
    made with different arguments raises :class:`FileExistsError` unless
    ``overwrite=True``, which deletes the previously generated files first.

    Args:
        root (str): Output folder (created if needed).
        splits (dict[str, int], optional): Split name -> number of images.
            Defaults to the preset's (``{'train': 200, 'val': 50}`` for
            ``'default'``).
        seed (int): Dataset seed (>= 0). Each split uses its own sub-seed.
        formats (str | Sequence[str]): Any of ``'coco'``, ``'mpii'``.
        image_size (tuple[int, int], optional): ``(width, height)``, each
            >= 64. Defaults to the preset's (320x256 for ``'default'``).
        max_figures (int, optional): Maximum figures per image, in [1, 20].
            Defaults to the preset's (3 for ``'default'``).
        overwrite (bool): Replace existing output.
        preset (str): a named scene of
            :data:`~.presets.SYNTHETIC_PRESETS` (``'default'``,
            ``'synthcoco-bench-v1'``). A preset other than ``'default'``
            fixes image size and figures per image: passing other values is
            an error (the data would not be the preset's).

    Returns:
        dict: ``{fmt: {split: paths}}`` with absolute paths; ``paths`` has
        ``data_root``, ``ann_file`` and ``img_dir`` (image folder; the
        MMPose ``data_prefix`` is its path relative to ``data_root``), plus
        ``headbox_file`` for MPII.

    Raises:
        ValueError: On invalid arguments.
        FileExistsError: See above.
    """
    conf = get_preset(preset)
    for key, value in (('image_size', image_size),
                       ('max_figures', max_figures)):
        if value is None:
            continue
        if preset != 'default' and _as_list(value) != _as_list(conf[key]):
            raise ValueError(
                f'preset {preset!r} fixes {key}={conf[key]!r}; got '
                f'{value!r} (use preset="default" for a custom scene)')
        conf[key] = value
    image_size, max_figures = conf['image_size'], conf['max_figures']
    if splits is None:
        splits = dict(conf['splits'])
    splits, formats = _check_args(splits, seed, formats, image_size,
                                  max_figures)
    if not isinstance(root, (str, os.PathLike)) or not str(root):
        raise ValueError(f'root must be a path, got {root!r}')
    root = osp.abspath(os.fspath(root))
    width, height = int(image_size[0]), int(image_size[1])
    args = dict(splits=splits, seed=int(seed), formats=list(formats),
                image_size=[width, height], max_figures=int(max_figures))
    if preset != 'default':  # the default's manifest stays as it was
        args.update(preset=preset, scene=_as_list(conf['scene']))
    paths = _paths(root, splits, formats)
    files = _planned_files(root, splits, paths)
    os.makedirs(root, exist_ok=True)
    if not _prepare_root(root, args, files, bool(overwrite)):
        return paths

    _write_manifest(root, args, files, None)
    generator = SyntheticPoseGenerator((width, height), max_figures,
                                       **conf['scene'])
    for split, count in splits.items():
        _generate_split(generator, split, count, int(seed), paths)
    _write_manifest(root, args, files, _hash_files(root, files))
    return paths


def _as_list(value):
    """Tuples as lists, recursively (how the JSON manifest stores them)."""
    if isinstance(value, dict):
        return {k: _as_list(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_list(v) for v in value]
    return value


def _generate_split(generator: SyntheticPoseGenerator, split: str,
                    count: int, seed: int, paths: dict) -> None:
    coco_images, coco_anns, mpii_anns, head_boxes = [], [], [], []
    for index in range(count):
        sample = generator.generate(image_rng(seed, split, index))
        img_id = image_id(split, index)
        file_name = f'{img_id}.png'
        ok, png = cv2.imencode('.png', sample.image, _PNG_PARAMS)
        if not ok:
            raise RuntimeError(f'could not encode image {file_name}')
        png = png.tobytes()
        if 'coco' in paths:
            write_bytes(osp.join(paths['coco'][split]['img_dir'], file_name),
                        png)
            coco_images.append(
                coco_image_entry(img_id, file_name, generator.width,
                                 generator.height))
            for fig in sample.figures:
                coco_anns.append(
                    coco_annotation_entry(fig, len(coco_anns) + 1, img_id))
        if 'mpii' in paths:
            write_bytes(osp.join(paths['mpii'][split]['img_dir'], file_name),
                        png)
            for fig in sample.figures:
                mpii_anns.append(mpii_entry(fig, file_name))
                head_boxes.append(fig.head_box)
    if 'coco' in paths:
        content = coco_dataset_dict(
            coco_images, coco_anns,
            f'pose_nas synthetic pose data, split {split}')
        write_bytes(paths['coco'][split]['ann_file'], json_bytes(content))
    if 'mpii' in paths:
        p = paths['mpii'][split]
        write_bytes(p['ann_file'], json_bytes(mpii_anns))
        write_bytes(p['headbox_file'],
                    mat_bytes(mpii_headbox_arrays(mpii_anns, head_boxes)))
