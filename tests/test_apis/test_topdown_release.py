# Copyright (c) pose_nas contributors. All rights reserved.
"""A release through MMPose's own inferencer, on images and on a video.

``MMPoseInferencer(pose2d=<release config>, pose2d_weights=<release>,
det_model=<mmdet config>, det_weights=<local checkpoint>)`` and
``tools/topdown_demo.py`` on an image folder and on a short synthetic clip
(frames of the synthetic generator written with ``images_to_video``). The
models are freshly built (no training: the plumbing is under test, the
e2e workflow test checks accuracy); the detector's score threshold is 0 and
it keeps 2 boxes per image, so every pose comes from a detector box.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EP_A = osp.join(REPO, 'configs/efficientpose/'
                'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
DET = osp.join(REPO, 'configs/detectors/'
               'rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py')
NUM_FRAMES = 4


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from mmdet.registry import MODELS as DET_MODELS
    from mmpose.registry import MODELS

    from pose_nas.apis import images_to_video, publish_model
    from pose_nas.datasets import generate_synthetic_dataset
    root = str(tmp_path_factory.mktemp('topdown_release'))
    paths = generate_synthetic_dataset(
        osp.join(root, 'data'), splits={'train': 1, 'val': NUM_FRAMES},
        seed=0, formats=('coco', ))['coco']
    images = sorted(glob.glob(osp.join(paths['val']['img_dir'], '*.png')))
    torch.manual_seed(0)
    init_default_scope('mmpose')
    pose = MODELS.build(Config.fromfile(EP_A).model)
    torch.save(dict(state_dict=pose.state_dict(), meta=dict(epoch=1)),
               osp.join(root, 'epoch_1.pth'))
    release = publish_model(EP_A, osp.join(root, 'epoch_1.pth'),
                            osp.join(root, 'release'))
    det_cfg = Config.fromfile(DET)
    det_cfg.model.test_cfg.update(score_thr=0.0, max_per_img=2)
    det_cfg.dump(osp.join(root, 'det.py'))
    init_default_scope('mmdet')
    det = DET_MODELS.build(det_cfg.model)
    torch.save(dict(state_dict=det.state_dict(), meta=dict(epoch=1)),
               osp.join(root, 'det.pth'))
    init_default_scope('mmpose')
    return dict(
        root=root, images=images, img_dir=paths['val']['img_dir'],
        pose_cfg=release['config'], pose_ckpt=release['checkpoint'],
        det_cfg=osp.join(root, 'det.py'), det_ckpt=osp.join(root, 'det.pth'),
        mp4=images_to_video(images, osp.join(root, 'clip.mp4')),
        avi=images_to_video(images, osp.join(root, 'clip.avi')))


def _frames(path: str) -> int:
    cap, n = cv2.VideoCapture(path), 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_synthetic_clip_is_a_readable_video(setup):
    from pose_nas.apis import check_video, is_video_file
    for key in ('mp4', 'avi'):
        assert is_video_file(setup[key]) and _frames(setup[key]) == NUM_FRAMES
        assert check_video(setup[key]) == NUM_FRAMES


def _inferencer(setup):
    from mmpose.apis import MMPoseInferencer
    return MMPoseInferencer(
        pose2d=setup['pose_cfg'], pose2d_weights=setup['pose_ckpt'],
        det_model=setup['det_cfg'], det_weights=setup['det_ckpt'],
        det_cat_ids=[0], device='cpu')


def _check_instances(instances, width, height):
    assert 1 <= len(instances) <= 2  # the detector's boxes, not the image
    for inst in instances:
        assert np.asarray(inst['keypoints']).shape == (17, 2)
        box = np.asarray(inst['bbox']).reshape(-1)
        assert not np.allclose(box, [0, 0, width, height])


def test_mmpose_inferencer_on_images(setup, tmp_path):
    inferencer = _inferencer(setup)
    assert inferencer.inferencer.model.backbone.genotype is not None
    results = list(inferencer(
        setup['img_dir'], bbox_thr=0.0, vis_out_dir=str(tmp_path / 'vis'),
        pred_out_dir=str(tmp_path / 'pred')))
    assert len(results) == NUM_FRAMES
    h, w = cv2.imread(setup['images'][0]).shape[:2]
    for result in results:
        _check_instances(result['predictions'][0], w, h)
    assert len(os.listdir(tmp_path / 'vis')) == NUM_FRAMES
    preds = sorted(glob.glob(str(tmp_path / 'pred' / '*.json')))
    assert len(preds) == NUM_FRAMES
    with open(preds[0]) as f:
        _check_instances(json.load(f), w, h)


def test_mmpose_inferencer_on_a_video(setup, tmp_path):
    inferencer = _inferencer(setup)
    results = list(inferencer(
        setup['mp4'], bbox_thr=0.0, vis_out_dir=str(tmp_path / 'vis'),
        pred_out_dir=str(tmp_path / 'pred')))
    assert len(results) == NUM_FRAMES
    assert _frames(str(tmp_path / 'vis' / 'clip.mp4')) == NUM_FRAMES
    with open(tmp_path / 'pred' / 'clip.json') as f:
        frames = json.load(f)
    assert [f['frame_id'] for f in frames] == list(range(NUM_FRAMES))
    h, w = cv2.imread(setup['images'][0]).shape[:2]
    for frame in frames:
        _check_instances(frame['instances'], w, h)


def _demo(setup, inputs, out):
    return subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'topdown_demo.py'),
         setup['det_cfg'], setup['det_ckpt'], setup['pose_cfg'],
         setup['pose_ckpt'], '--input', inputs, '--out-dir', out,
         '--bbox-thr', '0'], cwd=REPO, capture_output=True, text=True,
        env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore'))


@pytest.mark.slow
def test_topdown_demo_on_a_video_and_a_bad_video(setup, tmp_path):
    out = tmp_path / 'demo'
    proc = _demo(setup, setup['avi'], str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'{NUM_FRAMES} frame(s) of the video' in proc.stdout
    assert _frames(str(out / 'visualizations' / 'clip.avi')) == NUM_FRAMES
    assert osp.isfile(out / 'predictions' / 'clip.json')
    bad = tmp_path / 'broken.mp4'
    bad.write_bytes(b'not a video' * 10)
    proc = _demo(setup, str(bad), str(tmp_path / 'bad'))
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(
        'topdown_demo.py: error: cannot read video')
