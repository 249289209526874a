# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS decoder head, Fusion-and-Enhancement and the estimator."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.structures import PoseDataSample

from pose_nas.models.posenas import PoseNASHead, ScaleAdaptiveDecoder
from pose_nas.nas.arch import named_arch_parameters
from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
PUBLISHED = osp.join(REPO, 'configs/posenas/genotypes/posenas_published.json')
C = 4
CH = [2 * C, 4 * C, 8 * C, 16 * C]
CODEC = dict(type='MSRAHeatmap', input_size=(32, 32), heatmap_size=(8, 8),
             sigma=1)


def _feats(n=2):
    return tuple(torch.randn(n, c, 8 // 2**i, 8 // 2**i)
                 for i, c in enumerate(CH))


def _head(**kw):
    kw.setdefault('stage2_channels', 4)
    kw.setdefault('stage2_layers', 4)
    return PoseNASHead(CH, 5, decoder=CODEC, **kw)


def _model(num_stages=2, genotype=None):
    return MODELS.build(dict(
        type='PoseNASEstimator', genotype=genotype,
        backbone=dict(type='PoseNASBackbone', channels=C, num_layers=4),
        head=dict(type='PoseNASHead', in_channels=CH, out_channels=5,
                  num_stages=num_stages, stage2_channels=4, stage2_layers=4,
                  decoder=CODEC)))


def _samples(n=2):
    out = []
    for _ in range(n):
        d = PoseDataSample()
        d.gt_fields = PixelData(heatmaps=torch.rand(5, 8, 8))
        d.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, 5))
        out.append(d)
    return out


def test_decoder_shapes_and_widths():
    dec = ScaleAdaptiveDecoder(CH, ['conv_3x3', 'squeeze_excitation'])
    alphas = [torch.zeros(14, 2, requires_grad=True) for _ in range(3)]
    outs = dec(list(_feats()), alphas)
    assert [tuple(o.shape) for o in outs] == [(2, 8, 8, 8), (2, 16, 4, 4),
                                             (2, 32, 2, 2)]
    # node width = lateral / 4; s0 (deeper, upsampled) and s1 (lateral)
    # both ReLU-conv1x1-BN'd
    assert [c.channels for c in dec.cells] == [8, 4, 2]
    assert all(type(p).__name__ == 'ReLUConvBN' for c in dec.cells
               for p in c.preprocess)
    sum(o.mean() for o in outs).backward()
    assert all(a.grad.abs().sum() > 0 for a in alphas)
    with pytest.raises(ValueError, match='divisible by 4'):
        ScaleAdaptiveDecoder([6, 16, 32, 64], ['conv_3x3'])


@pytest.mark.parametrize('stages', [1, 2])
def test_fe_switch(stages):
    head = _head(num_stages=stages)
    preds = head.forward_stages(_feats())
    assert len(preds) == stages and all(
        tuple(p.shape) == (2, 5, 8, 8) for p in preds)
    assert hasattr(head, 'encoder2') == (stages == 2)
    assert len(head.decoders) == stages
    losses = head.loss(_feats(), _samples())
    keys = {k for k in losses if k.startswith('loss')}
    assert keys == ({'loss_kpt'} if stages == 1 else
                    {'loss_kpt_stage1', 'loss_kpt_stage2'})
    head.eval()  # test uses the last stage
    feats = _feats()
    assert torch.equal(head.forward(feats), head.forward_stages(feats)[-1])


def test_both_stage_losses_reach_their_weights():
    head = _head()
    losses = head.loss(_feats(), _samples())
    losses['loss_kpt_stage1'].backward(retain_graph=True)
    assert head.final_layers[0][1].weight.grad is not None
    assert head.final_layers[1][1].weight.grad is None  # stage 2 only
    head.zero_grad()
    losses['loss_kpt_stage2'].backward()
    assert head.final_layers[1][1].weight.grad.abs().sum() > 0
    assert all(p.grad is not None
               for n, p in head.encoder2.named_parameters()
               if 'arch_' not in n)


def test_estimator_grads_reach_encoder_and_decoder_alphas():
    model = _model()
    names = [n for n, _ in named_arch_parameters(model)]
    # the stage-2 encoder's alphas are the encoder's (tied, listed once)
    assert names == ['backbone.arch_alpha_normal',
                     'backbone.arch_alpha_reduce',
                     'head.arch_alpha_decoder1', 'head.arch_alpha_decoder2',
                     'head.arch_alpha_decoder3']
    assert model.head.encoder2.arch_alpha_normal is \
        model.backbone.arch_alpha_normal
    losses = model.loss(torch.randn(2, 3, 32, 32), _samples())
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    for n, p in named_arch_parameters(model):
        assert p.grad is not None and p.grad.abs().sum() > 0, n
    # one searchable module: one genotype with encoder + decoder cells
    mut = ArchMutator(model)
    assert list(mut.searchable) == ['']
    g = mut.derive_genotypes()['']
    assert g.space == 'PoseNASEstimator'
    assert sorted(g.components) == ['decoder1', 'decoder2', 'decoder3',
                                    'normal', 'reduce']
    for comp in g.components.values():
        assert len(comp['nodes']) == 4
        assert all(len(n) == 2 for n in comp['nodes'])
    derived = _model(genotype=g)
    assert not list(named_arch_parameters(derived))


def test_loss_falls_and_predict_with_flip():
    torch.manual_seed(0)
    model = _model(num_stages=2, genotype=PUBLISHED)
    x, samples = torch.randn(2, 3, 32, 32), _samples()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(6):
        losses = model.loss(x, samples)
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        first = first if first is not None else float(total.detach())
        opt.zero_grad()
        total.backward()
        opt.step()
    assert float(total) < first
    model.eval()
    for d in samples:
        d.set_metainfo(dict(flip_indices=list(range(5)), input_size=(32, 32),
                            input_center=np.array([16., 16.]),
                            input_scale=np.array([32., 32.])))
        d.gt_instances = InstanceData(bboxes=torch.zeros(1, 4),
                                      bbox_scores=torch.ones(1))
    model.test_cfg = dict(flip_test=True, flip_mode='heatmap',
                          shift_heatmap=True)
    with torch.no_grad():
        out = model.predict(x, samples)
    assert out[0].pred_instances.keypoints.shape == (1, 5, 2)
