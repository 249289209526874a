# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose's searchable backbone (the released A/B/C nets:
test_efficientpose_released.py)."""
import pytest
import torch
import torch.nn as nn

from pose_nas.models.efficientpose import EfficientPoseBackbone
from pose_nas.nas import GenotypeError

SMALL = ((8, 2, 2), (16, 2, 2), (24, 2, 2), (32, 2, 1))


def test_search_space_shapes_and_skip_rules():
    net = EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                                stem_out_channels=8)
    y = net(torch.randn(1, 3, 64, 48))[0]
    assert y.shape == (1, 32, 4, 3)  # stride 16
    # skip is a candidate only where shape is kept
    for (ci, co, s), cands in zip(net.block_shapes, net.block_candidates):
        assert ('skip_connect' in cands) == (s == 1 and ci == co)
    assert len(net.arch_alpha) == net.num_blocks == 8
    # gradient reaches every block's logits
    y.sum().backward()
    assert all(a.grad is not None and a.grad.abs().sum() > 0
               for a in net.arch_alpha)


def test_derive_and_build():
    torch.manual_seed(0)
    sup = EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                                stem_out_channels=8)
    with torch.no_grad():
        for a in sup.arch_alpha:
            a.normal_()
    g = sup.derive_genotype()
    assert len(g['blocks']['ops']) == 8
    net = EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                                stem_out_channels=8, genotype=g.to_dict())
    assert not any('arch_' in n for n, _ in net.named_parameters())
    assert net(torch.randn(1, 3, 64, 48))[0].shape == (1, 32, 4, 3)
    bad = g.to_dict()
    bad['components']['blocks']['ops'][0] = 'skip_connect'
    with pytest.raises(GenotypeError, match='not allowed at block 0'):
        EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                              stem_out_channels=8, genotype=bad)
    bad['components']['blocks']['ops'] = ['ir_k3_e3'] * 7
    with pytest.raises(GenotypeError, match='7 blocks, the model has 8'):
        EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                              stem_out_channels=8, genotype=bad)



def test_stem_norm_and_act_cfg():
    """``norm_cfg`` / ``act_cfg`` build the stem's layers without changing
    the parameter names."""
    default = EfficientPoseBackbone(stages=SMALL, stem_channels=8,
                                    stem_out_channels=8)
    assert [type(m) for m in default.stem] == [
        nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.Conv2d, nn.BatchNorm2d,
        nn.ReLU, nn.Conv2d, nn.BatchNorm2d
    ]
    assert default.stem[2].inplace and default.stem[5].inplace
    gn = EfficientPoseBackbone(
        stages=SMALL, stem_channels=8, stem_out_channels=8,
        norm_cfg=dict(type='GN', num_groups=4), act_cfg=dict(type='ReLU6'))
    assert [type(m) for m in gn.stem] == [
        nn.Conv2d, nn.GroupNorm, nn.ReLU6, nn.Conv2d, nn.GroupNorm,
        nn.ReLU6, nn.Conv2d, nn.GroupNorm
    ]
    stem_keys = {k for k in gn.state_dict() if k.startswith('stem.')}
    assert stem_keys == {
        'stem.0.weight', 'stem.1.weight', 'stem.1.bias', 'stem.3.weight',
        'stem.4.weight', 'stem.4.bias', 'stem.6.weight', 'stem.7.weight',
        'stem.7.bias'
    }
    assert stem_keys < set(default.state_dict())
    assert gn(torch.randn(1, 3, 64, 48))[0].shape == (1, 32, 4, 3)
