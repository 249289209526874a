# Copyright (c) pose_nas contributors. All rights reserved.
"""Three splits used as in a paper: nothing that trains or searches reads
the split results are reported on (test)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from pose_nas.datasets.heldout_split import (HeldOutLeakError,
                                             check_search_never_reads)
from pose_nas.workflows import retarget_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ROOT = '/data/synth/coco'
REPORT = [f'{ROOT}/annotations/person_keypoints_test.json']


def _search_configs():
    found = []
    for path in sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                 recursive=True)):
        if '_base_' in path or '/studies/' in path or '/genotypes/' in path:
            continue
        if 'search=' in open(path).read():
            found.append(osp.relpath(path, REPO))
    return found


SEARCH_CONFIGS = _search_configs()


def test_there_are_search_configs_to_check():
    assert len(SEARCH_CONFIGS) >= 8, SEARCH_CONFIGS


@pytest.mark.parametrize('rel', SEARCH_CONFIGS)
def test_no_search_config_reads_the_report_split(rel):
    cfg = Config.fromfile(osp.join(REPO, rel))
    if 'synth' not in rel:  # real-data configs: their own files, as shipped
        check_search_never_reads(
            cfg, ['data/coco/annotations/person_keypoints_val2017.json'], rel)
        return
    retarget_config(cfg, ROOT, 2, test_split='test')
    check_search_never_reads(cfg, REPORT, rel)
    assert cfg.test_dataloader.dataset.ann_file.endswith('keypoints_test.json')
    assert cfg.val_dataloader.dataset.ann_file.endswith('keypoints_val.json')
    assert cfg.test_evaluator.ann_file == REPORT[0]


def test_retarget_splits_val_and_test():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/baselines/'
        'td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py'))
    retarget_config(cfg, ROOT, 2, test_split='test')
    assert cfg.val_dataloader.dataset.data_prefix == dict(img='val/')
    assert cfg.test_dataloader.dataset.data_prefix == dict(img='test/')
    assert cfg.val_evaluator.ann_file.endswith('person_keypoints_val.json')
    # without test_split: the old behaviour, test = val
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/baselines/'
        'td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py'))
    retarget_config(cfg, ROOT, 2)
    assert cfg.test_dataloader.dataset.data_prefix == dict(img='val/')


@pytest.mark.parametrize('where, value', [
    ('reward', REPORT[0]),
    ('reward', 'annotations/person_keypoints_test.json'),
    ('arch', 'annotations/person_keypoints_test.json'),
    ('hook', REPORT[0]),
    ('train', 'annotations/person_keypoints_test.json'),
])
def test_a_search_reading_the_report_split_is_refused(where, value):
    cfg = dict(
        train_dataloader=dict(dataset=dict(
            ann_file='annotations/person_keypoints_train.json')),
        train_cfg=dict(search=dict(
            darts=dict(arch_dataloader=dict(dataset=dict(
                ann_file='annotations/person_keypoints_train.json'))),
            reinforce=dict(reward=dict(evaluator=dict(
                ann_file=f'{ROOT}/annotations/person_keypoints_val.json'))))),
        custom_hooks=[dict(type='X', ann_file='a.json')])
    check_search_never_reads(cfg, REPORT)  # as built: fine
    if where == 'reward':
        cfg['train_cfg']['search']['reinforce']['reward']['evaluator'][
            'ann_file'] = value
        key = 'search.reinforce.reward.evaluator.ann_file'
    elif where == 'arch':
        cfg['train_cfg']['search']['darts']['arch_dataloader']['dataset'][
            'ann_file'] = value
        key = 'search.darts.arch_dataloader.dataset.ann_file'
    elif where == 'hook':
        cfg['custom_hooks'][0]['ann_file'] = value
        key = r'custom_hooks\[0\].ann_file'
    else:
        cfg['train_dataloader']['dataset']['ann_file'] = value
        key = 'train_dataloader.dataset.ann_file'
    with pytest.raises(HeldOutLeakError, match=key):
        check_search_never_reads(cfg, REPORT, 'my search')
