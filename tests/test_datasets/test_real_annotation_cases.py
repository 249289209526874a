# Copyright (c) pose_nas contributors. All rights reserved.
"""Annotation files with what real COCO / MPII data has and our generator
does not write: persons with no labelled keypoint, crowd regions, grayscale
and RGBA images, keypoints outside the image, a missing MPII head box.

Every method's synthetic config trains one epoch (2 iterations) and is
evaluated on them with MMPose's CocoMetric / MpiiPCKAccuracy, in process.
"""
import json
import math
import os.path as osp

import cv2
import numpy as np
import pytest
import scipy.io as sio
from mmengine.config import Config
from mmengine.runner import Runner

from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.workflows import retarget_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = [
    'configs/baselines/td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py',
    'configs/efficientpose/'
    'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py',
    'configs/pnfs/td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
]


def _gray(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).ndim == 2


def _rgba(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    alpha = np.full(img.shape[:2], 200, np.uint8)
    cv2.imwrite(path, np.dstack([img, alpha]))
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[2] == 4


def _edit_coco(paths):
    for split in ('train', 'val'):
        ann_file = paths[split]['ann_file']
        coco = json.load(open(ann_file))
        images = coco['images']
        _gray(osp.join(paths[split]['img_dir'], images[0]['file_name']))
        _rgba(osp.join(paths[split]['img_dir'], images[1]['file_name']))
        next_id = max(a['id'] for a in coco['annotations']) + 1
        w, h = images[0]['width'], images[0]['height']
        # a person with a box but no labelled keypoint (COCO has ~30 %)
        coco['annotations'].append(dict(
            id=next_id, image_id=images[0]['id'], category_id=1,
            keypoints=[0] * 51, num_keypoints=0, bbox=[10, 10, 40, 80],
            area=2400.0, iscrowd=0, segmentation=[]))
        # a crowd region (uncompressed RLE, as COCO stores crowds)
        coco['annotations'].append(dict(
            id=next_id + 1, image_id=images[1]['id'], category_id=1,
            keypoints=[0] * 51, num_keypoints=0, bbox=[0, 0, 60, 60],
            area=3600.0, iscrowd=1,
            segmentation=dict(counts=[0, w * h], size=[h, w])))
        # a labelled keypoint outside the image
        ann = next(a for a in coco['annotations']
                   if a['image_id'] == images[-1]['id'] and a['iscrowd'] == 0
                   and a['num_keypoints'] > 3)
        ann['keypoints'][0:3] = [w + 15.0, -7.0, 2]
        json.dump(coco, open(ann_file, 'w'))


def _edit_mpii(paths):
    for split in ('train', 'val'):
        anns = json.load(open(paths[split]['ann_file']))
        _gray(osp.join(paths[split]['img_dir'], anns[0]['image']))
        _rgba(osp.join(paths[split]['img_dir'], anns[-1]['image']))
        # joints outside the image, one person with none labelled
        anns[0]['joints'][0] = [-25.0, 3.0]
        anns[-1]['joints'] = [[-1.0, -1.0]] * 16
        anns[-1]['joints_vis'] = [0] * 16
        json.dump(anns, open(paths[split]['ann_file'], 'w'))


@pytest.fixture(scope='module')
def roots(tmp_path_factory):
    root = tmp_path_factory.mktemp('real_like')
    paths = generate_synthetic_dataset(str(root), splits={'train': 4,
                                                          'val': 3}, seed=3)
    _edit_coco(paths['coco'])
    _edit_mpii(paths['mpii'])
    return {fmt: paths[fmt]['train']['data_root'] for fmt in paths}


def _to_mpii(cfg, base):
    mpii = Config.fromfile(osp.join(REPO, 'configs/_base_/datasets/'
                                    'synthetic_mpii.py'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pipeline = cfg[key]['dataset']['pipeline']
        cfg[key]['dataset'] = dict(mpii[key]['dataset'], pipeline=pipeline)
    cfg.val_evaluator = cfg.test_evaluator = dict(type='MpiiPCKAccuracy')
    cfg.model.head.out_channels = 16
    if 'metainfo' in cfg.model.head:
        cfg.model.head.metainfo = dict(
            from_file=osp.join(REPO, 'configs/_base_/datasets/mpii.py'))
    cfg.default_hooks.checkpoint.save_best = 'PCK'
    cfg.default_hooks.checkpoint.rule = 'greater'
    return cfg


def _run(rel, fmt, root, work_dir):
    cfg = Config.fromfile(osp.join(REPO, rel))
    if fmt == 'mpii':
        _to_mpii(cfg, root)
    retarget_config(cfg, root, 1, num_workers=0)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key]['batch_size'] = 2
    cfg.work_dir = str(work_dir)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=0)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.test()


@pytest.mark.slow
@pytest.mark.parametrize('fmt', ['coco', 'mpii'])
@pytest.mark.parametrize('rel', CONFIGS)
def test_train_and_evaluate_on_real_world_cases(rel, fmt, roots, tmp_path):
    metrics = _run(rel, fmt, roots[fmt], tmp_path)
    assert all(math.isfinite(v) for v in metrics.values()), metrics
    if fmt == 'coco':
        assert 0.0 <= metrics['coco/AP'] <= 1.0, metrics
    else:
        assert 0.0 <= metrics['PCK'] <= 100.0, metrics
        # per part, MMPose's -100 marks "no labelled joint of this kind in
        # the evaluated set" (3 persons here); the mean PCK weights it by 0
        assert all(0.0 <= v <= 100.0 or v == -100.0
                   for k, v in metrics.items() if k.endswith(' PCK'))


def test_a_missing_mpii_head_box_is_named(roots, tmp_path):
    """MMPose would index past the head boxes (IndexError) or divide by a
    zero head size; we name the file and the person."""
    from mmpose.datasets import MpiiDataset
    root = roots['mpii']
    mat = osp.join(root, 'annotations', 'mpii_gt_val.mat')
    short = str(tmp_path / 'mpii_gt_short.mat')
    gt = sio.loadmat(mat)
    sio.savemat(short, dict(gt, headboxes_src=gt['headboxes_src'][..., :-1]))
    kwargs = dict(data_root=root, ann_file='annotations/mpii_val.json',
                  data_prefix=dict(img='images/'), test_mode=True,
                  pipeline=[])
    with pytest.raises(ValueError,
                       match=r'mpii_gt_short\.mat: 2 head boxes for 3 '):
        MpiiDataset(headbox_file=short, **kwargs)
    boxes = gt['headboxes_src'].copy()
    boxes[1, :, 1] = boxes[0, :, 1]  # person 1: both corners the same
    sio.savemat(short, dict(gt, headboxes_src=boxes))
    with pytest.raises(ValueError, match='head box of person 1 .* size 0'):
        MpiiDataset(headbox_file=short, **kwargs)
    # the original loads; MMPose drops the person with no labelled joint
    assert len(MpiiDataset(headbox_file=mat, **kwargs)) == 2
