# Copyright (c) pose_nas contributors. All rights reserved.
"""HRNet stem..stage3 pyramid, and MMPose backbones as PNFS pyramids."""
import os.path as osp

import pytest
import torch
from mmpose.models.backbones import HRNet, MobileNetV2, ResNet

from pose_nas.models.common import HRNetPyramid
from pose_nas.models.common.hrnet_pyramid import HRNET_W32_EXTRA
from pose_nas.registry import MODELS

TINY_EXTRA = dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                num_blocks=(1, ), num_channels=(8, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                num_blocks=(1, 1), num_channels=(8, 16)),
    stage3=dict(num_modules=2, num_branches=3, block='BASIC',
                num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                num_blocks=(1, 1, 1, 1), num_channels=(8, 16, 32, 64)))



@pytest.fixture(autouse=True, scope='module')
def _single_thread():
    """These tensors are tiny: one intra-op thread is fastest and avoids
    thread contention slowing the tests by orders of magnitude on a busy
    2-core machine (measured: 0.02 s vs 5-13 s per step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

def _randomize_bn(model):
    """Non-trivial BN statistics so that weight copies are observable."""
    g = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + .5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + .5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g))


def _stage3_and_transition(hrnet, x):
    """What HRNet's stage 4 receives: (stage-3 outputs, transition3[3])."""
    got = {}
    h1 = hrnet.stage3.register_forward_hook(
        lambda m, i, o: got.__setitem__('s3', o))
    h2 = hrnet.transition3[3].register_forward_hook(
        lambda m, i, o: got.__setitem__('t3', o))
    hrnet(x)
    h1.remove()
    h2.remove()
    return list(got['s3']) + [got['t3']]


def test_w32_has_hrnet_names_without_stage4():
    pyr = HRNetPyramid()  # W32 by default
    full = HRNet(HRNET_W32_EXTRA)
    keys = set(pyr.state_dict())
    assert keys == {k for k in full.state_dict()
                    if not k.startswith('stage4.')}
    assert not hasattr(pyr, 'stage4')
    assert not any('stage4' in n for n, _ in pyr.named_parameters())
    assert 'transition3.3.0.0.weight' in keys  # 128 -> 256, 3x3 s2
    conv = pyr.transition3[3][0][0]
    assert conv.stride == (2, 2) and conv.kernel_size == (3, 3)
    assert (conv.in_channels, conv.out_channels) == (128, 256)
    assert list(pyr.transition3)[:3] == [None, None, None]
    assert pyr.out_channels == (32, 64, 128, 256)
    n = sum(p.numel() for p in pyr.parameters())
    assert 8.0e6 < n < 8.3e6  # measured 8,128,320 (full HRNet-W32: 28.5M)
    pyr.eval()
    with torch.no_grad():
        outs = pyr(torch.randn(1, 3, 64, 48))
    assert [tuple(o.shape) for o in outs] == [(1, 32, 16, 12),
                                              (1, 64, 8, 6),
                                              (1, 128, 4, 3),
                                              (1, 256, 2, 2)]


def test_outputs_equal_hrnet_stage4_inputs():
    torch.manual_seed(0)
    full = HRNet(TINY_EXTRA)
    _randomize_bn(full)
    pyr = HRNetPyramid(TINY_EXTRA)
    state = {k: v for k, v in full.state_dict().items()
             if not k.startswith('stage4.')}
    pyr.load_state_dict(state, strict=True)
    full.eval()
    pyr.eval()
    # HRNet's own stage 4 needs sizes divisible by 32 (the pyramid does not)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ref = _stage3_and_transition(full, x)
        outs = pyr(x)
    assert len(outs) == 4
    for a, b in zip(outs, ref):
        torch.testing.assert_close(a, b)
    assert [o.shape[1] for o in outs] == list(pyr.out_channels) == \
        [8, 16, 32, 64]


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
def test_pretrained_init_cfg_maps_hrnet_checkpoint(tmp_path, prefix):
    torch.manual_seed(1)
    full = HRNet(TINY_EXTRA)
    _randomize_bn(full)
    state = full.state_dict()
    if prefix is None:
        ckpt = state  # an ImageNet-style HRNet checkpoint
    else:  # an MMPose top-down model checkpoint
        ckpt = dict(state_dict={
            **{prefix + k: v for k, v in state.items()},
            'head.final_layer.weight': torch.zeros(17, 8, 1, 1)
        })
    path = osp.join(str(tmp_path), 'hrnet.pth')
    torch.save(ckpt, path)
    init_cfg = dict(type='Pretrained', checkpoint=path)
    if prefix:
        init_cfg['prefix'] = prefix
    pyr = HRNetPyramid(TINY_EXTRA, init_cfg=init_cfg)
    pyr.init_weights()
    own = pyr.state_dict()
    for k, v in own.items():
        torch.testing.assert_close(v, state[k], msg=k)
    assert any(k.startswith('stage4.') for k in state)  # ignored ones


def test_extra_without_stage4_and_freezing():
    extra = {k: v for k, v in TINY_EXTRA.items() if k != 'stage4'}
    pyr = HRNetPyramid(extra)
    assert pyr.out_channels == (8, 16, 32, 64)  # 1/32 = 2 x the 1/16 width
    outs = pyr(torch.randn(1, 3, 64, 64))
    assert [o.shape[-1] for o in outs] == [16, 8, 4, 2]

    frozen = HRNetPyramid(TINY_EXTRA, frozen_stages=3)
    assert not any(p.requires_grad for p in frozen.transition3.parameters())
    assert not any(p.requires_grad for p in frozen.stage3.parameters())
    with pytest.raises(ValueError, match='no stage 4'):
        HRNetPyramid(TINY_EXTRA, frozen_stages=4)
    bad = dict(TINY_EXTRA)
    bad.pop('stage3')
    with pytest.raises(ValueError, match='stage3'):
        HRNetPyramid(bad)


def test_registered_builds():
    pyr = MODELS.build(dict(type='HRNetPyramid', extra=TINY_EXTRA))
    assert isinstance(pyr, HRNetPyramid)


def _strides(outs, size=(64, 64)):
    return [size[0] // o.shape[-2] for o in outs]


def test_mmpose_mobilenetv2_pyramid():
    """MMPose's MobileNetV2: out_indices index layer1..layer7, conv2.

    (1, 2, 4, 7) -> strides 4/8/16/32 with widths 24/32/96/1280;
    (1, 2, 4, 5) -> the authors' PoseNFS pyramid 24/32/96/160 (their
    ``features[3]``, ``[6]``, ``[13]``, ``[16]``).
    """
    x = torch.randn(1, 3, 64, 64)
    for idx, widths in (((1, 2, 4, 7), [24, 32, 96, 1280]),
                        ((1, 2, 4, 5), [24, 32, 96, 160])):
        net = MODELS.build(dict(type='MobileNetV2', out_indices=idx))
        assert isinstance(net, MobileNetV2)
        net.eval()
        with torch.no_grad():
            outs = net(x)
        assert len(outs) == 4
        assert _strides(outs) == [4, 8, 16, 32]
        assert [o.shape[1] for o in outs] == widths


def test_mmpose_resnet50_pyramid():
    net = MODELS.build(dict(type='ResNet', depth=50, out_indices=(0, 1, 2,
                                                                  3)))
    assert isinstance(net, ResNet)
    net.eval()
    with torch.no_grad():
        outs = net(torch.randn(1, 3, 64, 64))
    assert _strides(outs) == [4, 8, 16, 32]
    assert [o.shape[1] for o in outs] == [256, 512, 1024, 2048]
