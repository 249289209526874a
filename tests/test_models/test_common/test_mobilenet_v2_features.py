# Copyright (c) pose_nas contributors. All rights reserved.
"""MobileNetV2Features: MMPose's MobileNetV2 built only as far as read."""
import pytest
import torch
from mmpose.models.backbones import MobileNetV2

from pose_nas.models.common import MobileNetV2Features

PNFS_OUTS = (1, 2, 4, 5)  # 1/4 .. 1/32: 24, 32, 96, 160 channels


def test_same_outputs_without_the_unread_tail():
    torch.manual_seed(0)
    full = MobileNetV2(out_indices=PNFS_OUTS)
    mine = MobileNetV2Features(out_indices=PNFS_OUTS)
    full.eval()  # (MMPose's train() returns None, so no chaining)
    mine.eval()
    missing, unexpected = mine.load_state_dict(full.state_dict(),
                                               strict=False)
    # an MMPose / ImageNet checkpoint loads; only the dropped tail is extra
    assert missing == []
    assert {k.split('.')[0] for k in unexpected} == {'layer7', 'conv2'}
    assert mine.layers == ['layer1', 'layer2', 'layer3', 'layer4', 'layer5',
                           'layer6']
    dropped = sum(p.numel() for p in full.parameters()) - sum(
        p.numel() for p in mine.parameters())
    assert dropped == 473920 + 412160  # layer7 + conv2 at width 1
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        outs, ref = mine(x), full(x)
    assert [o.shape[1] for o in outs] == [24, 32, 96, 160]
    for o, r in zip(outs, ref):
        assert torch.equal(o, r)


def test_every_parameter_gets_a_gradient():
    """What made DDP need find_unused_parameters is gone."""
    mine = MobileNetV2Features(widen_factor=0.5, out_indices=PNFS_OUTS)
    sum(o.mean() for o in mine(torch.randn(2, 3, 64, 64))).backward()
    assert all(p.grad is not None for p in mine.parameters())


def test_last_output_keeps_everything():
    mine = MobileNetV2Features(out_indices=(7, ))
    assert mine.layers[-1] == 'conv2'


def test_freezing_blocks_that_are_not_built_is_an_error():
    MobileNetV2Features(out_indices=(1, 2), frozen_stages=3).train()
    with pytest.raises(ValueError, match='frozen_stages=4'):
        MobileNetV2Features(out_indices=(1, 2), frozen_stages=4)
