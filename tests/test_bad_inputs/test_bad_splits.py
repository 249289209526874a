# Copyright (c) pose_nas contributors. All rights reserved.
"""Held-out splits whose two sides disagree: clear errors before training.

Each case builds MMEngine's ``Runner`` from the first-order DARTS config of
the engine's reference space on tiny synthetic data, changes one side of
the weight / architecture split, and trains: ``DartsArchHook`` must refuse
before the first step if any held-out image could feed a weight step.
"""
import copy
import json
import os.path as osp
import uuid

import pytest
from bad_input_harness import REPO, Case, check, params, tool
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.datasets import generate_synthetic_dataset
from pose_nas.datasets.heldout_split import HeldOutLeakError
from pose_nas.workflows import retarget_config

SEARCH_CFG = osp.join(
    REPO, 'configs/nas_engine/'
    'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('split_data')
    generate_synthetic_dataset(str(root), splits={'train': 8, 'val': 4},
                               seed=0, formats=('coco', ))
    # the training annotations under another name (same images)
    ann = osp.join(str(root), 'coco/annotations')
    with open(osp.join(ann, 'person_keypoints_train.json')) as f:
        data = json.load(f)
    with open(osp.join(ann, 'person_keypoints_copy.json'), 'w') as f:
        json.dump(data, f)
    return str(root / 'coco')


_DATA_ROOT = {}


@pytest.fixture(autouse=True)
def _remember_root(data_root):
    _DATA_ROOT['root'] = data_root


def _search(edit):
    """A case: build the search with ``edit(cfg)`` applied, then train."""

    def run(tmp_path):
        from mmengine.runner import Runner
        cfg = Config.fromfile(SEARCH_CFG)
        retarget_config(cfg, _DATA_ROOT['root'], max_epochs=1,
                        num_workers=0)
        cfg.train_dataloader.batch_size = 4
        cfg.val_dataloader.batch_size = 4
        cfg.train_cfg.search.darts.warmup_epochs = 0
        cfg.train_cfg.search.darts.arch_dataloader.batch_size = 2
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                            interval=-1)
        cfg.work_dir = str(tmp_path / 'work')
        cfg.experiment_name = f'bad_split_{uuid.uuid4().hex[:8]}'
        edit(cfg)
        init_default_scope('mmpose')
        Runner.from_cfg(cfg).train()
        return 'trained'

    return run


def _search_tool(edit):
    """A case: the same search, run as a user runs it: ``tools/train.py``."""

    def run(tmp_path):
        cfg = Config.fromfile(SEARCH_CFG)
        retarget_config(cfg, _DATA_ROOT['root'], max_epochs=1,
                        num_workers=0)
        cfg.train_dataloader.batch_size = 4
        cfg.train_cfg.search.darts.arch_dataloader.batch_size = 2
        edit(cfg)
        path = str(tmp_path / 'search.py')
        cfg.dump(path)
        return tool('train.py', path, '--work-dir', str(tmp_path / 'work'))

    return run


def _arch_ds(cfg):
    return cfg.train_cfg.search.darts.arch_dataloader.dataset


def _set(getter, **values):
    def edit(cfg):
        getter(cfg).update(values)
    return edit


def _arch_inner(cfg):
    """The dataset the arch side splits, no longer shared with the train
    side's config."""
    arch = _arch_ds(cfg)
    arch.dataset = copy.deepcopy(arch.dataset)
    return arch.dataset


def _plain_arch(ann_file, img_dir):
    """The arch loader reads an ordinary (unsplit) dataset."""

    def edit(cfg):
        inner = copy.deepcopy(_arch_ds(cfg).dataset)
        inner.ann_file = ann_file
        inner.data_prefix = dict(img=img_dir)
        cfg.train_cfg.search.darts.arch_dataloader.dataset = inner
    return edit


def _plain_train(cfg):
    cfg.train_dataloader.dataset = copy.deepcopy(
        cfg.train_dataloader.dataset.dataset)


CASES = [
    Case('seed-only-on-arch-side-via-train-tool',
         _search_tool(lambda cfg: _arch_ds(cfg).update(seed=7)),
         match='held-out leak|Fix:'),
    Case('ratio-only-on-arch-side',
         _search(_set(_arch_ds, heldout_ratio=0.5)),
         match='held-out leak.*heldout_ratio', exc=HeldOutLeakError),
    Case('seed-only-on-train-side',
         _search(_set(lambda c: c.train_dataloader.dataset, seed=1)),
         match='held-out leak.*seed', exc=HeldOutLeakError),
    Case('different-wrapped-datasets',
         _search(_set(_arch_inner, indices=6)),
         match='wrap different datasets', exc=HeldOutLeakError),
    Case('arch-side-is-the-train-side',
         _search(_set(_arch_ds, part='train')),
         match="both sides are part='train'", exc=HeldOutLeakError),
    Case('arch-reads-the-whole-train-file',
         _search(_plain_arch('annotations/person_keypoints_train.json',
                             'train/')),
         match='arch_dataloader reads all of .*person_keypoints_train',
         exc=HeldOutLeakError),
    Case('train-reads-the-whole-file', _search(_plain_train),
         match='train loader reads all of', exc=HeldOutLeakError),
    Case('arch-file-is-a-copy-of-the-train-file',
         _search(_plain_arch('annotations/person_keypoints_copy.json',
                             'train/')),
         match='image\\(s\\) are on both sides', exc=HeldOutLeakError),
    Case('arch-reads-a-separate-annotation-file',
         _search(_plain_arch('annotations/person_keypoints_val.json',
                             'val/')),
         expect='handled', match='trained'),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_split(case, tmp_path):
    check(case, tmp_path)
