# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose's searchable backbone and the released A/B/C nets."""
import pytest
import torch

from pose_nas.models.backbones import EfficientPoseBackbone
from pose_nas.models.backbones.efficientpose_archs import (RELEASED,
                                                           released_arch)
from pose_nas.nas import GenotypeError
from pose_nas.nas.ops import InvertedResidual

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


@pytest.mark.parametrize('name', ['A', 'B', 'C'])
def test_released_architectures_build(name):
    kwargs = released_arch(name)
    net = EfficientPoseBackbone(**kwargs)
    assert net.num_blocks == len(RELEASED[name]['blocks'])
    ops = kwargs['genotype']['components']['blocks']['ops']
    irs = [b.ops[0] for b in net.blocks
           if isinstance(b.ops[0], InvertedResidual)]
    assert len(irs) == sum(op != 'skip_connect' for op in ops)
    first = irs[0]
    k, e = int(ops[0][4]), int(ops[0][7])
    assert first.kernel_size == k and first.expand_ratio == e
    with torch.no_grad():
        y = net(torch.randn(1, 3, 256, 192))[0]
    assert y.shape == (1, net.out_channels, 16, 12)


def test_unknown_release():
    with pytest.raises(KeyError, match='released'):
        released_arch('D')
