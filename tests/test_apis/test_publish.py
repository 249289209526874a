# Copyright (c) pose_nas contributors. All rights reserved.
"""Releases (``pose_nas.apis.publish_model``, ``tools/publish_model.py``).

The non-slow tests publish MMEngine-style checkpoints of freshly built
models (an optimizer, a message hub with HistoryBuffers, LR schedulers, a
numpy ``dataset_meta``: what a training run writes). The slow test trains
EfficientPose-A for one epoch on 16 synthetic images and checks that MMPose's
``tools/test.py`` gives exactly the same metrics and predictions with the
release as with the training checkpoint.
"""
import hashlib
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EP_A = osp.join(REPO, 'configs/efficientpose/'
                'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')
PNFS_SEARCH = osp.join(REPO, 'configs/pnfs/'
                       'pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py')
PNFS_TRAIN = osp.join(REPO, 'configs/pnfs/'
                      'td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py')


def training_checkpoint(config: str, path: str) -> torch.nn.Module:
    """Save a freshly built model of ``config`` the way MMEngine's runner
    saves a training checkpoint."""
    from mmpose.registry import MODELS

    import pose_nas  # noqa: F401
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    buf = HistoryBuffer()
    buf.update(0.5)
    torch.save(dict(
        meta=dict(epoch=1, iter=2, seed=0, cfg='work_dir = "/tmp/x"',
                  dataset_meta=dict(
                      dataset_name='coco', num_keypoints=17,
                      sigmas=np.full(17, 0.05, dtype=np.float32),
                      flip_indices=list(range(17)))),
        state_dict=model.state_dict(),
        message_hub=dict(log_scalars={'train/loss': buf}),
        optimizer=optim.state_dict(),
        param_schedulers=[dict(last_epoch=1)]), path)
    return model


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    from pose_nas.apis import publish_model
    root = tmp_path_factory.mktemp('publish')
    ckpt = str(root / 'work' / 'epoch_1.pth')
    (root / 'work').mkdir()
    model = training_checkpoint(EP_A, ckpt)
    first = publish_model(EP_A, ckpt, str(root / 'a'), name='ep-a')
    second = publish_model(EP_A, ckpt, str(root / 'b'), name='ep-a')
    return dict(first=first, second=second, model=model, ckpt=ckpt)


def test_release_bytes_are_deterministic_and_named_by_hash(released):
    first, second = released['first'], released['second']
    with open(first['checkpoint'], 'rb') as f:
        data = f.read()
    with open(second['checkpoint'], 'rb') as f:
        assert f.read() == data
    sha = hashlib.sha256(data).hexdigest()
    assert first['sha256'] == sha
    assert osp.basename(first['checkpoint']) == f'ep-a-{sha[:8]}.pth'
    assert open(first['config']).read() == open(second['config']).read()


def test_release_holds_weights_and_plain_meta_only(released):
    ckpt = torch.load(released['first']['checkpoint'], weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    for name, value in released['model'].state_dict().items():
        assert torch.equal(ckpt['state_dict'][name], value), name
    meta = ckpt['meta']
    assert meta['dataset_meta']['sigmas'] == pytest.approx([0.05] * 17)
    assert meta['release']['name'] == 'ep-a'
    genotype = meta['genotypes']['model.backbone.genotype']
    assert genotype['space'] == 'EfficientPoseBackbone'
    assert len(genotype['components']['blocks']['ops']) == 26
    assert meta['epoch'] == 1 and meta['iter'] == 2
    assert '/tmp/x' not in meta['cfg']  # the training run's config text


def test_release_loads_with_torch_defaults_in_a_fresh_process(released):
    """No pose_nas import (no allow-list change): torch's own safe loading."""
    code = ('import sys, torch; p = sys.argv[1]; '
            'assert not torch.serialization.get_unsafe_globals_in_checkpoint(p)'
            "; c = torch.load(p, weights_only=True); print(sorted(c['meta']))")
    out = subprocess.run([sys.executable, '-c', code,
                          released['first']['checkpoint']],
                         capture_output=True, text=True, check=True)
    assert "'genotypes'" in out.stdout


def test_release_config_is_self_contained(released):
    from mmpose.apis import init_model
    text = open(released['first']['config']).read()
    assert '_base_' not in text and 'genotypes/efficientpose_a.json' not in text
    assert osp.dirname(released['ckpt']) not in text
    assert 'pose_nas.apis.publish_check' in text
    cfg = Config.fromfile(released['first']['config'])
    assert isinstance(cfg.model.backbone.genotype, dict)
    model = init_model(released['first']['config'],
                       released['first']['checkpoint'], device='cpu')
    for name, value in released['model'].state_dict().items():
        assert torch.equal(model.state_dict()[name], value), name
    assert model.dataset_meta['num_keypoints'] == 17


def test_search_checkpoint_release_carries_derived_genotypes(tmp_path):
    """A PNFS synchronous search keeps its searched weights (the paper does
    not retrain): its release records the genotype derived from them."""
    from pose_nas.apis import load_release, publish_model
    ckpt = str(tmp_path / 'epoch_1.pth')
    training_checkpoint(PNFS_SEARCH, ckpt)
    out = publish_model(PNFS_SEARCH, ckpt, str(tmp_path / 'rel'))
    meta = load_release(out['checkpoint'])['meta']
    assert meta['release']['searchable'] is True
    assert meta['genotypes']['head']['space'] == 'PartFabricHead'


def test_derived_pnfs_release_inlines_the_head_genotype(tmp_path):
    """A derived net's genotype file (here derived from an untrained
    supernet) is inlined into the release config and recorded in meta."""
    from mmpose.apis import init_model
    from mmpose.registry import MODELS

    from pose_nas.apis import load_release, publish_model
    from pose_nas.nas.mutator import ArchMutator
    init_default_scope('mmpose')
    supernet = MODELS.build(Config.fromfile(PNFS_SEARCH).model)
    genotype = ArchMutator(supernet).derive_genotypes()['head'].dump(
        str(tmp_path / 'genotype_head.json'))
    cfg = Config.fromfile(PNFS_TRAIN)
    cfg.model.head.genotype = genotype
    cfg.dump(str(tmp_path / 'derived.py'))
    ckpt = str(tmp_path / 'work' / 'epoch_1.pth')
    (tmp_path / 'work').mkdir()
    model = training_checkpoint(str(tmp_path / 'derived.py'), ckpt)
    out = publish_model(str(tmp_path / 'derived.py'), ckpt,
                        str(tmp_path / 'rel'))
    meta = load_release(out['checkpoint'])['meta']
    assert meta['genotypes']['model.head.genotype']['space'] == \
        'PartFabricHead'
    assert 'genotype_head.json' not in open(out['config']).read()
    loaded = init_model(out['config'], out['checkpoint'], device='cpu')
    for name, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value), name


def test_a_config_pointing_into_the_work_dir_is_refused(tmp_path):
    from pose_nas.apis import publish_model
    (tmp_path / 'work').mkdir()
    ckpt = str(tmp_path / 'work' / 'epoch_1.pth')
    training_checkpoint(EP_A, ckpt)
    cfg = Config.fromfile(EP_A)
    cfg.model.backbone.init_cfg = dict(
        type='Pretrained', checkpoint=str(tmp_path / 'work' / 'best.pth'))
    cfg.dump(str(tmp_path / 'cfg.py'))
    with pytest.raises(ValueError, match=r'work dir .*model\.backbone\.'
                       r'init_cfg\.checkpoint'):
        publish_model(str(tmp_path / 'cfg.py'), ckpt, str(tmp_path / 'rel'))


def test_a_checkpoint_of_another_model_is_not_published(tmp_path):
    from pose_nas.apis import publish_model
    from pose_nas.nas.checkpoint_check import CheckpointMismatchError
    ckpt = str(tmp_path / 'epoch_1.pth')
    training_checkpoint(PNFS_SEARCH, ckpt)
    with pytest.raises(CheckpointMismatchError, match='epoch_1.pth'):
        publish_model(EP_A, ckpt, str(tmp_path / 'rel'))
    assert not osp.exists(tmp_path / 'rel')


def _train_one_epoch(root: str, config: str) -> str:
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.workflows import retarget_config
    paths = generate_synthetic_dataset(
        osp.join(root, 'data'), splits={'train': 16, 'val': 4}, seed=0,
        formats=('coco', ))['coco']
    cfg = Config.fromfile(config)
    retarget_config(cfg, osp.dirname(osp.dirname(paths['train']['ann_file'])),
                    max_epochs=1, num_workers=0)
    cfg.train_dataloader.batch_size = 8
    cfg.randomness = dict(seed=0)
    cfg_file = osp.join(root, 'train_config.py')
    cfg.dump(cfg_file)
    _tool('train.py', cfg_file, '--work-dir', osp.join(root, 'work'))
    return cfg_file


def _tool(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', script), *args], cwd=REPO,
        capture_output=True, text=True, env=dict(
            __import__('os').environ, OMP_NUM_THREADS='1',
            PYTHONWARNINGS='ignore'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _test_run(cfg: str, ckpt: str, out: str) -> tuple:
    from pose_nas.workflows import latest_metrics
    _tool('test.py', cfg, ckpt, '--work-dir', out, '--dump',
          osp.join(out, 'preds.pkl'))
    with open(osp.join(out, 'preds.pkl'), 'rb') as f:
        preds = pickle.load(f)
    return latest_metrics(out), preds


@pytest.mark.slow
def test_release_reproduces_the_trained_models_test_run(tmp_path):
    """Train 1 epoch, publish with the tool, then MMPose's tools/test.py:
    the same metrics and bit-identical predictions."""
    cfg = _train_one_epoch(str(tmp_path), EP_A)
    ckpt = osp.join(tmp_path, 'work', 'epoch_1.pth')
    printed = _tool('publish_model.py', cfg, ckpt, '--out-dir',
                    str(tmp_path / 'release'), '--name', 'ep-a-synth')
    rel_ckpt = printed.split('release:')[1].split()[0]
    rel_cfg = printed.split('config:')[1].split()[0]
    assert osp.basename(rel_ckpt).startswith('ep-a-synth-')
    metrics, preds = _test_run(cfg, ckpt, str(tmp_path / 'test_orig'))
    rel_metrics, rel_preds = _test_run(rel_cfg, rel_ckpt,
                                       str(tmp_path / 'test_release'))
    assert 'coco/AP' in metrics and rel_metrics == metrics
    assert len(preds) == len(rel_preds) > 0
    for a, b in zip(preds, rel_preds):
        assert a['img_id'] == b['img_id']
        np.testing.assert_array_equal(a['pred_instances']['keypoints'],
                                      b['pred_instances']['keypoints'])
        np.testing.assert_array_equal(
            a['pred_instances']['keypoint_scores'],
            b['pred_instances']['keypoint_scores'])
