# Copyright (c) pose_nas contributors. All rights reserved.
"""A deterministic split of a dataset's images into a weight part and a
held-out (architecture) part."""
import copy
import os.path as osp
from typing import Any, List, Optional, Sequence, Set, Tuple, Union

import numpy as np
from torch.utils.data import Dataset

from pose_nas.registry import DATASETS
from pose_nas.utils.checks import check_int, check_real


class HeldOutLeakError(ValueError):
    """The held-out (architecture) side of a search shares images with the
    train (weight) side."""


@DATASETS.register_module()
class HeldOutSplitDataset(Dataset):
    """One side of a deterministic image-level split of ``dataset``.

    DARTS-style searches update the architecture on batches that never feed
    the weight step. This wrapper splits the *images* of a dataset (so two
    instances of one image never land on both sides) with a seeded
    permutation: the first ``round(heldout_ratio * num_images)`` images form
    the ``'heldout'`` part, the rest the ``'train'`` part. Both sides built
    with the same arguments are disjoint and cover the dataset.

    PNFS split the train annotations 2:1 (``heldout_ratio=1/3``). To use a
    separate annotation file instead, give the held-out loader an ordinary
    dataset with that ``ann_file``. Define the split once and use it on both
    sides; :func:`check_split_integrity` (run by ``DartsArchHook`` before
    training) rejects two sides that disagree.

    Args:
        dataset (dict | Dataset): the dataset to split (MMPose top-down
            datasets: items carry ``img_id``).
        part (str): ``'train'`` or ``'heldout'``.
        heldout_ratio (float): fraction of images in the held-out part.
        seed (int): permutation seed.
        metainfo (dict, optional): the wrapped dataset's metainfo, e.g.
            ``dict(from_file='configs/_base_/datasets/mpii.py')``. Not
            needed for training (the wrapped dataset's is used); give it so
            that tools reading the metainfo from the config (MMPose's
            ``init_model``, the inferencer) see the right keypoints.
            Checked against the wrapped dataset's.
    """

    def __init__(self,
                 dataset: Union[dict, Dataset],
                 part: str = 'train',
                 heldout_ratio: float = 1 / 3,
                 seed: int = 0,
                 metainfo: Optional[dict] = None) -> None:
        if part not in ('train', 'heldout'):
            raise ValueError(f"part must be 'train' or 'heldout', got "
                             f'{part!r}')
        check_real(heldout_ratio, 'HeldOutSplitDataset: heldout_ratio')
        if not 0 < heldout_ratio < 1:
            raise ValueError(f'heldout_ratio must be in (0, 1), got '
                             f'{heldout_ratio}')
        seed = check_int(seed, 'HeldOutSplitDataset: seed', 0)
        if isinstance(dataset, dict):
            dataset = DATASETS.build(copy.deepcopy(dataset))
        self.dataset = dataset
        if metainfo is not None:
            self._check_metainfo(metainfo)
        self.part = part
        self.heldout_ratio = heldout_ratio
        self.seed = seed
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        infos = [self._image_of(i) for i in range(len(dataset))]
        img_ids = [img for img, _ in infos]
        unique = sorted(set(img_ids), key=lambda v: (str(type(v)), v))
        # what the split is over (compared by check_split_integrity)
        self.all_img_ids: Tuple[Any, ...] = tuple(unique)
        if len(unique) < 2:
            raise ValueError('cannot split a dataset with fewer than 2 '
                             'images')
        perm = np.random.default_rng(seed).permutation(len(unique))
        n_held = min(max(1, int(round(heldout_ratio * len(unique)))),
                     len(unique) - 1)
        held = {unique[i] for i in perm[:n_held]}
        keep_held = part == 'heldout'
        self.indices: List[int] = [
            i for i, img in enumerate(img_ids) if (img in held) == keep_held
        ]
        self.img_ids = sorted({img_ids[i] for i in self.indices},
                              key=lambda v: (str(type(v)), v))
        paths = {infos[i][1] for i in self.indices}
        self.img_paths: Optional[Set[str]] = (
            None if None in paths else paths)

    def _check_metainfo(self, metainfo: dict) -> None:
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        given = parse_pose_metainfo(copy.deepcopy(metainfo))
        inner = getattr(self.dataset, 'metainfo', {}) or {}
        for key in ('dataset_name', 'num_keypoints'):
            if key in inner and given.get(key) != inner[key]:
                raise ValueError(
                    f'HeldOutSplitDataset: metainfo says {key}='
                    f'{given.get(key)!r}, the wrapped dataset has '
                    f'{inner[key]!r}')

    def _image_of(self, idx: int) -> Tuple[Any, Optional[str]]:
        info = _data_info(self.dataset, idx)
        if not info or 'img_id' not in info:
            raise KeyError('HeldOutSplitDataset needs items with an '
                           '`img_id` (MMPose datasets have one)')
        return info['img_id'], _norm_path(info.get('img_path'))

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(getattr(self.dataset, 'metainfo', {}))

    def full_init(self) -> None:
        """Already initialised (for MMEngine's lazy-init protocol)."""

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(self.indices[idx])

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx: int) -> Any:
        return self.dataset[self.indices[idx]]


def _data_info(dataset: Any, idx: int) -> Optional[dict]:
    """The annotation of item ``idx``, or None for datasets without."""
    if hasattr(dataset, 'get_data_info'):
        return dataset.get_data_info(idx)
    return None


def _norm_path(path: Any) -> Optional[str]:
    if not isinstance(path, str) or not path:
        return None
    return osp.normpath(osp.abspath(path))


def _source(dataset: Any) -> Optional[str]:
    """The annotation file a dataset (or the dataset it wraps) reads."""
    while dataset is not None:
        ann_file = getattr(dataset, 'ann_file', None)
        if isinstance(ann_file, str) and ann_file:
            return _norm_path(ann_file)
        dataset = getattr(dataset, 'dataset', None)
    return None


def _images(dataset: Any) -> Tuple[Optional[Set[Any]], Optional[Set[str]]]:
    """``(image ids, image paths)`` of a dataset's items; None where the
    items do not say."""
    if isinstance(dataset, HeldOutSplitDataset):
        return set(dataset.img_ids), dataset.img_paths
    ids: Set[Any] = set()
    paths: Set[Optional[str]] = set()
    for idx in range(len(dataset)):
        info = _data_info(dataset, idx)
        if not isinstance(info, dict):
            return None, None
        ids.add(info.get('img_id'))
        paths.add(_norm_path(info.get('img_path')))
    return (None if None in ids else ids,
            None if None in paths else paths)  # type: ignore


def _split_disagreement(train: HeldOutSplitDataset,
                        arch: HeldOutSplitDataset) -> Optional[str]:
    for key in ('heldout_ratio', 'seed'):
        a, b = getattr(train, key), getattr(arch, key)
        if a != b:
            return (f'the train split has {key}={a!r}, the held-out split '
                    f'{key}={b!r}')
    src_t, src_a = _source(train), _source(arch)
    if src_t != src_a or train.all_img_ids != arch.all_img_ids:
        where = (f'ann_file {src_t} vs {src_a}' if src_t != src_a else
                 f'{len(train.all_img_ids)} vs {len(arch.all_img_ids)} '
                 f'images (indices / filters differ)')
        return f'the two splits wrap different datasets: {where}'
    if train.part == arch.part:
        return f"both sides are part={train.part!r}"
    return None


def check_split_integrity(train: Dataset, arch: Dataset,
                          arch_name: str = 'the held-out loader') -> None:
    """Make sure no image of ``arch`` (the architecture side of a search)
    feeds the weight step, i.e. is in ``train``.

    Two :class:`HeldOutSplitDataset` sides must split the same dataset with
    the same ``heldout_ratio`` and ``seed`` into complementary parts. An
    ordinary dataset on one side must read another annotation file than the
    other side. Then the two sides' image ids (same annotation file) and
    image paths must not intersect. Datasets whose items carry neither
    (no ``get_data_info``) are not compared.

    Args:
        train (Dataset): the dataset of the train (weight) loader.
        arch (Dataset): the dataset of the architecture loader.
        arch_name (str): how the error names the architecture loader.

    Raises:
        HeldOutLeakError: (a ``ValueError``) if the two sides can share
            images.
    """
    fix = ('define the split once (e.g. split = dict(heldout_ratio=..., '
           "seed=...)) and use it on both sides (part='train' / "
           "part='heldout'), or read another annotation file")
    t_split = isinstance(train, HeldOutSplitDataset)
    a_split = isinstance(arch, HeldOutSplitDataset)
    src_t, src_a = _source(train), _source(arch)
    problem = None
    if t_split and a_split:
        problem = _split_disagreement(train, arch)
    elif src_t is not None and src_t == src_a:
        unsplit = 'the train loader' if not t_split else arch_name
        problem = (f'{unsplit} reads all of {src_t} (not a '
                   f'HeldOutSplitDataset part)')
    if problem is None:
        ids_t, paths_t = _images(train)
        ids_a, paths_a = _images(arch)
        shared: Set[Any] = set()
        if (src_t is not None and src_t == src_a and ids_t is not None
                and ids_a is not None):
            shared = ids_t & ids_a
        if not shared and paths_t is not None and paths_a is not None:
            shared = paths_t & paths_a
        if shared:
            example = sorted(map(str, shared))[0]
            problem = (f'{len(shared)} image(s) are on both sides, e.g. '
                       f'{example}')
    if problem is not None:
        raise HeldOutLeakError(
            f'held-out leak: the train loader can see images of '
            f'{arch_name}: {problem}.\nFix: {fix}.')


def _strings(obj: Any, path: str = ''):
    """Yield ``(path, value)`` for every string inside nested dicts/lists."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(value, f'{path}.{key}' if path else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _strings(value, f'{path}[{i}]')


def check_search_never_reads(cfg: Any, report_files: Sequence[str],
                             what: str = 'the config') -> None:
    """Make sure nothing that trains or searches (the train loader, the
    search section with its held-out loaders and rewards, custom hooks)
    names a file of the split results are reported on.

    Args:
        cfg (dict | Config): a train / search config.
        report_files (Sequence[str]): annotation files of the report
            split (absolute); a config string equal to one, or a relative
            path (``annotations/x.json``) it ends with, is a read.
        what (str): how the error names ``cfg``.

    Raises:
        HeldOutLeakError: naming the config key that reads the split.
    """
    report = [osp.normpath(f) for f in report_files]
    sections = dict(train_dataloader=cfg.get('train_dataloader'),
                    custom_hooks=cfg.get('custom_hooks'),
                    search=(cfg.get('train_cfg') or {}).get('search'))
    for name, section in sections.items():
        for key, value in _strings(section, name):
            norm = osp.normpath(value)
            for r in report:
                if norm == r or norm.endswith(osp.sep + r) or (
                        osp.sep in norm and r.endswith(osp.sep + norm)):
                    raise HeldOutLeakError(
                        f'{what}: {key} = {value!r} reads the split results '
                        f'are reported on ({r}): training and search may '
                        'use train (or a held-out part of it) and val only')
