# Copyright (c) pose_nas contributors. All rights reserved.
"""Deterministic image-level held-out split of MMPose datasets."""
import pytest
from mmengine.registry import init_default_scope

from pose_nas.datasets import HeldOutSplitDataset, generate_synthetic_dataset


@pytest.fixture(scope='module')
def coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('split')
    info = generate_synthetic_dataset(str(root), splits={'train': 24},
                                      seed=0, formats=('coco', ))
    return info['coco']['train']


def _ds(coco, part, **kw):
    # other tests may leave another default scope (e.g. mmdet) behind
    init_default_scope('mmpose')
    return HeldOutSplitDataset(
        dict(type='CocoDataset', data_root=coco['data_root'],
             data_mode='topdown', ann_file=coco['ann_file'],
             data_prefix=dict(img=coco['img_dir']), pipeline=[]),
        part=part, **kw)


def test_split_is_disjoint_complete_and_deterministic(coco):
    train = _ds(coco, 'train')
    held = _ds(coco, 'heldout')
    assert set(train.img_ids).isdisjoint(held.img_ids)
    assert len(set(train.img_ids) | set(held.img_ids)) == 24
    assert len(held.img_ids) == 8  # 1/3 of the images (2:1 as in PNFS)
    assert len(train) + len(held) == len(train.dataset)
    assert _ds(coco, 'heldout').indices == held.indices
    assert _ds(coco, 'heldout', seed=1).indices != held.indices
    # items come from the wrapped dataset, metainfo is MMPose's
    assert held[0]['img_id'] in held.img_ids
    assert held.metainfo['dataset_name'] == 'coco'


def test_bad_arguments(coco):
    with pytest.raises(ValueError, match='part'):
        _ds(coco, 'val')
    with pytest.raises(ValueError, match='heldout_ratio'):
        _ds(coco, 'train', heldout_ratio=1.5)


def test_metainfo_argument_is_checked_against_the_wrapped_dataset(tmp_path):
    import os.path as osp
    from mmengine.registry import init_default_scope
    from pose_nas.datasets import HeldOutSplitDataset, generate_synthetic_dataset
    init_default_scope('mmpose')
    paths = generate_synthetic_dataset(str(tmp_path), splits={'train': 4},
                                       seed=0, formats=('coco', ))
    inner = dict(type='CocoDataset', data_root=osp.dirname(osp.dirname(
        paths['coco']['train']['ann_file'])), data_mode='topdown',
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'), pipeline=[])
    ok = HeldOutSplitDataset(
        inner, metainfo=dict(from_file='configs/_base_/datasets/coco.py'))
    assert ok.metainfo['num_keypoints'] == 17
    with pytest.raises(ValueError, match="dataset_name='mpii'"):
        HeldOutSplitDataset(
            inner, metainfo=dict(from_file='configs/_base_/datasets/mpii.py'))
