# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose's slim deconv head with SIC."""
import pytest
import torch
import torch.nn as nn
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from pose_nas.models.efficientpose import SlimDeconvHead

CODEC = dict(type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16),
             sigma=2)


def _head(**kw):
    return SlimDeconvHead(in_channels=24, out_channels=17, decoder=CODEC,
                          **kw)


def test_structure_and_shapes():
    head = _head()
    deconvs = [m for m in head.deconv_layers
               if isinstance(m, nn.ConvTranspose2d)]
    assert [d.out_channels for d in deconvs] == [64, 32]
    assert all(d.kernel_size == (4, 4) and d.stride == (2, 2)
               for d in deconvs)
    assert sum(isinstance(m, nn.BatchNorm2d)
               for m in head.deconv_layers) == 2
    sic = head.conv_layers[0]
    assert sic.groups == sic.in_channels == 32 and sic.kernel_size == (3, 3)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in head.conv_layers)
    assert head.final_layer.kernel_size == (1, 1)
    out = head.forward((torch.randn(2, 24, 4, 3), ))
    assert out.shape == (2, 17, 16, 12)
    plain = _head(sic=False)
    assert isinstance(plain.conv_layers, nn.Identity)
    n = sum(p.numel() for p in head.parameters())
    assert n - sum(p.numel() for p in plain.parameters()) == 32 * 9


def test_loss_backward_reaches_sic_and_predict_with_flip():
    torch.manual_seed(0)
    head = _head()
    feats = (torch.randn(2, 24, 4, 3), )
    samples = []
    for _ in range(2):
        s = PoseDataSample()
        s.gt_fields = s.gt_fields if hasattr(s, 'gt_fields') else None
        from mmengine.structures import PixelData
        s.gt_fields = PixelData(heatmaps=torch.rand(17, 16, 12))
        s.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, 17))
        s.set_metainfo(dict(flip_indices=list(range(17)),
                            input_size=(48, 64), input_center=[24, 32],
                            input_scale=[48, 64]))
        samples.append(s)
    losses = head.loss(feats, samples)
    losses['loss_kpt'].backward()
    assert head.conv_layers[0].weight.grad.abs().sum() > 0
    preds = head.predict([feats, feats], samples,
                         test_cfg=dict(flip_test=True))
    assert len(preds) == 2 and preds[0].keypoints.shape == (1, 17, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match='deconv'):
        _head(deconv_out_channels=())
    with pytest.raises(ValueError, match='odd'):
        _head(sic_kernel_size=4)
