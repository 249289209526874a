# Copyright (c) pose_nas contributors. All rights reserved.
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from pose_nas.workflows import (box_iou, latest_metrics,
                                match_topdown_results, retarget_config)

BASELINE = 'configs/baselines/td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py'


def test_retarget_config_points_every_loader_and_evaluator(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, BASELINE))
    retarget_config(cfg, str(tmp_path), max_epochs=4, num_workers=0)
    root = str(tmp_path) + '/'
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.data_root == root
        assert cfg[key].num_workers == 0
        assert cfg[key].persistent_workers is False
    assert cfg.val_dataloader.dataset.ann_file == 'annotations/person_keypoints_val.json'
    assert cfg.val_evaluator.ann_file == root + 'annotations/person_keypoints_val.json'
    assert cfg.test_evaluator.ann_file == cfg.val_evaluator.ann_file
    assert cfg.train_cfg.max_epochs == 4 and cfg.train_cfg.val_interval == 4
    # the epoch-based cosine schedule is stretched to the new length,
    # the iteration-based warm-up is left alone
    warmup, cosine = cfg.param_scheduler
    assert warmup.end == 100 and warmup.by_epoch is False
    assert cosine.end == 4 and cosine.T_max == 4
    assert cfg.default_hooks.checkpoint.interval == 4


def test_box_iou():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(box_iou(a, b)[0], [1.0, 50 / 150, 0.0])


def _coco_file(tmp_path):
    kpts = [10, 20, 2, 30, 40, 2, 0, 0, 0]
    coco = dict(
        images=[dict(id=1, file_name='a.png', width=64, height=64)],
        annotations=[dict(id=1, image_id=1, bbox=[5, 5, 40, 40], keypoints=kpts,
                          num_keypoints=2, category_id=1, iscrowd=0, area=10)],
        categories=[dict(id=1, name='person')])
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(coco))
    return str(path)


def test_match_topdown_results_perfect_and_wrong(tmp_path):
    gt = _coco_file(tmp_path)
    perfect = [[dict(bbox=np.array([5, 5, 45, 45.]), keypoints=np.array(
        [[10, 20], [30, 40], [0, 0]], dtype=np.float32))]]
    stats = match_topdown_results(perfect, gt, ['a.png'])
    assert stats['num_gt'] == 1
    assert stats['recall@0.5'] == 1.0
    assert stats['median_kpt_error'] == pytest.approx(0.0)
    assert stats['pck@0.1'] == 1.0

    off = [[dict(bbox=np.array([5, 5, 45, 45.]), keypoints=np.array(
        [[40, 40], [5, 5], [0, 0]], dtype=np.float32))]]
    assert match_topdown_results(off, gt, ['a.png'])['pck@0.1'] == 0.0
    missed = [[]]
    stats = match_topdown_results(missed, gt, ['a.png'])
    assert stats['recall@0.5'] == 0.0


def test_latest_metrics_reads_test_dump_and_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        latest_metrics(str(tmp_path))
    run = tmp_path / '20260101_000000'
    run.mkdir()
    (run / '20260101_000000.json').write_text(
        json.dumps({'coco/AP': 0.5, 'coco/AR': 0.6}))
    assert latest_metrics(str(tmp_path)) == {'coco/AP': 0.5, 'coco/AR': 0.6}


def test_retarget_config_handles_the_mpii_layout(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(
        repo_root,
        'configs/efficientpose/td-hm_efficientpose-a_slimdeconv_1xb64-200e_mpii-256x256.py'))
    retarget_config(cfg, str(tmp_path), max_epochs=2, num_workers=0)
    root = str(tmp_path) + '/'
    train, val = cfg.train_dataloader.dataset, cfg.val_dataloader.dataset
    assert train.data_root == val.data_root == root
    assert train.ann_file == 'annotations/mpii_train.json'
    assert train.data_prefix == dict(img='images/')
    assert val.ann_file == 'annotations/mpii_val.json'
    assert val.headbox_file == root + 'annotations/mpii_gt_val.mat'
    assert val.data_prefix == dict(img='images/')
    # the MPII schedule (steps at 150/170 of 200) is rescaled to 2 epochs
    assert cfg.param_scheduler[1].milestones == [2, 2]
    assert cfg.val_evaluator == dict(type='MpiiPCKAccuracy')


def _script(tmp_path, body):
    path = tmp_path / 'tool.py'
    path.write_text(body)
    return str(path)


def test_background_tool_streams_new_lines_and_reports_failure(tmp_path):
    from pose_nas.workflows.tool_runner import BackgroundTool
    script = _script(tmp_path, (
        'import sys, time\n'
        'for i in range(3):\n'
        '    print(f"line {i}", flush=True)\n'
        '    time.sleep(0.2)\n'
        'sys.exit(int(sys.argv[1]))\n'))
    seen = []
    with BackgroundTool(script, ['0'], str(tmp_path / 'ok' / 'log')) as job:
        job.wait(on_line=seen.append, poll_s=0.05)
    assert job.proc.returncode == 0
    assert seen and set(seen) <= {'line 0', 'line 1', 'line 2'}
    assert seen[-1] == 'line 2'  # every line up to the end reaches on_line
    assert (tmp_path / 'ok' / 'log').read_text().count('line') == 3
    with BackgroundTool(script, ['3'], str(tmp_path / 'bad.log')) as job:
        with pytest.raises(RuntimeError, match=r'(?s)failed \(3\).*line 2'):
            job.wait(poll_s=0.05)


def test_background_tool_is_stopped_when_the_caller_fails(tmp_path):
    from pose_nas.workflows.tool_runner import BackgroundTool
    script = _script(tmp_path, 'import time\ntime.sleep(60)\n')
    with pytest.raises(ValueError):
        with BackgroundTool(script, [], str(tmp_path / 'log')) as job:
            raise ValueError('the search failed')
    assert job.proc.returncode is not None  # terminated, not left running


def test_thread_env_sets_openmp_and_mkl_threads_or_inherits():
    from pose_nas.workflows.tool_runner import thread_env
    assert thread_env(None) is None and thread_env(0) is None
    env = thread_env(3)
    assert env['OMP_NUM_THREADS'] == env['MKL_NUM_THREADS'] == '3'
    assert env['PATH'] == os.environ['PATH']  # the rest is inherited


def test_last_checkpoint_names_the_missing_file(tmp_path):
    from pose_nas.workflows.tool_runner import last_checkpoint
    with pytest.raises(FileNotFoundError, match='epoch_4.pth'):
        last_checkpoint(str(tmp_path), 4)
    (tmp_path / 'epoch_4.pth').write_bytes(b'')
    assert last_checkpoint(str(tmp_path), 4) == str(tmp_path / 'epoch_4.pth')
