# Copyright (c) pose_nas contributors. All rights reserved.
"""A deterministic split of a dataset's images into a weight part and a
held-out (architecture) part."""
import copy
from typing import Any, List, Optional, Union

import numpy as np
from torch.utils.data import Dataset

from pose_nas.registry import DATASETS


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
    dataset with that ``ann_file``.

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
        if not 0 < heldout_ratio < 1:
            raise ValueError(f'heldout_ratio must be in (0, 1), got '
                             f'{heldout_ratio}')
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
        img_ids = [self._img_id(i) for i in range(len(dataset))]
        unique = sorted(set(img_ids), key=lambda v: (str(type(v)), v))
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

    def _img_id(self, idx: int) -> Any:
        info = self.dataset.get_data_info(idx) if hasattr(
            self.dataset, 'get_data_info') else None
        if not info or 'img_id' not in info:
            raise KeyError('HeldOutSplitDataset needs items with an '
                           '`img_id` (MMPose datasets have one)')
        return info['img_id']

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
