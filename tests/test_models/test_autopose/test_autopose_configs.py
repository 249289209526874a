# Copyright (c) pose_nas contributors. All rights reserved.
"""AutoPose configs: every one builds, heads fit the backbones, the search
configs expand into the engine's strategies, and a derived net predicts
through MMPose's codec with flip test."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.engine.strategies.expand_search_config import resolve_search
from pose_nas.registry import MODELS

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CFG_DIR = osp.join(REPO, 'configs/autopose')
CONFIGS = sorted(c for c in glob.glob(osp.join(CFG_DIR, '*.py'))
                 if not osp.basename(c).startswith('_base_'))
SYNTH = [c for c in CONFIGS if 'synthcoco' in c]


def test_config_set_is_complete():
    names = [osp.basename(c) for c in CONFIGS]
    for needle in ('_coco-256x192', '_mpii-256x256', 'autopose-single_',
                   'autopose-concat_', 'autopose-allon_', 'synthcoco-64x48'):
        assert any(needle in n for n in names), needle
    retrain = Config.fromfile(osp.join(
        CFG_DIR, 'td-hm_autopose_hm_1xb128-210e_coco-256x192.py'))
    assert retrain.train_cfg.max_epochs == 210
    assert retrain.optim_wrapper.optimizer == dict(type='Adam', lr=1e-3)
    step = [s for s in retrain.param_scheduler if s.type == 'MultiStepLR']
    assert step[0].milestones == [170, 200] and step[0].gamma == 0.1
    assert retrain.train_dataloader.batch_size == 128
    types = [t['type'] for t in retrain.train_pipeline]
    assert 'RandomFlip' in types and 'RandomBBoxTransform' in types
    assert retrain.model.backbone.channel_multiplier == 2.0


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    init_default_scope('mmpose')
    bb = cfg.model.backbone
    # the head's 1x1 conv reads the concatenated branches (x multiplier in
    # a derived net)
    scale = bb.channel_multiplier if bb.get('genotype') else 1
    assert sum(bb.channels) * scale == cfg.model.head.in_channels
    # built narrow (full-width COCO supernets take seconds to build)
    backbone = MODELS.build(dict(bb, channels=(2, 2, 2, 2), stem_channels=4))
    search = (cfg.get('train_cfg') or {}).get('search')
    if search is None:
        assert backbone.genotype is not None  # a derived net
        return
    assert backbone.genotype is None
    strategies, routing, mode = resolve_search(search)
    names = [s.name for s in strategies]
    if 'darts1' in names:  # the cell level: first order on the held-out
        assert routing == 'separate' and mode == 'gumbel'
        assert search.darts.arch_dataloader.dataset.part == 'heldout'
    if 'reinforce' in names:
        reward = search.reinforce.reward
        if reward.type == 'EvaluatorReward':
            ds = reward.dataloader.dataset
            # held-out TRAIN images, never the split results are reported on
            assert ds.part == 'heldout' and 'train' in ds.dataset.ann_file
            # the metric is one the reward's evaluator writes: COCO AP
            # (the paper's), or PCK@0.2 on the benchmark's short searches
            expected = {'CocoMetric': 'coco/AP', 'PCKAccuracy': 'pck/PCK'}
            assert reward.metric == expected[reward.evaluator.type]
            if 'bench' in osp.basename(path):
                assert reward.metric == 'pck/PCK'
            assert search.reinforce.derive_samples >= 1
        assert backbone.decision_space()
    else:
        assert not backbone.decision_space()


@pytest.mark.parametrize('path', [
    c for c in SYNTH if osp.basename(c).startswith('td-hm_autopose_hm')
], ids=osp.basename)
def test_derived_net_predicts_through_codec(path):
    from mmpose.apis import inference_topdown, init_model
    cfg = Config.fromfile(path)
    model = init_model(cfg, device='cpu')
    assert model.test_cfg['flip_test']
    img = np.random.RandomState(0).randint(0, 255, (80, 60, 3), np.uint8)
    result = inference_topdown(model, img, np.array([[0, 0, 60, 80]]))
    kpts = result[0].pred_instances.keypoints
    assert kpts.shape == (1, 17, 2) and np.isfinite(kpts).all()
    # and the training loss runs
    data = model.data_preprocessor(dict(
        inputs=[torch.zeros(3, 64, 48, dtype=torch.uint8)],
        data_samples=[result[0]]), training=False)
    feats = model.extract_feat(data['inputs'])
    assert feats[0].shape[1] == cfg.model.head.in_channels


def test_gumbel_combines_with_darts1_and_keeps_its_own_routing():
    # 'gumbel' alone trains the alphas jointly with the weights (as before);
    # with 'darts1' the first-order steps on the held-out split train them
    # and 'gumbel' only sets the mode and the temperature schedule
    alone = resolve_search(dict(strategy='gumbel'))
    assert alone[1:] == ('joint', 'gumbel')
    both = resolve_search(dict(strategy='darts1+gumbel',
                               darts=dict(arch_dataloader={})))
    assert both[1:] == ('separate', 'gumbel')
    hooks = [h['type'] for s in both[0] for h in s.hooks()]
    assert hooks == ['DartsArchHook', 'GumbelTemperatureHook']
