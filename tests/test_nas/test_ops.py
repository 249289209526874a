# Copyright (c) pose_nas contributors. All rights reserved.
"""Candidate-op registry: every op builds by name with the right shapes."""
import pytest
import torch

from pose_nas.nas.ops import (ALIASES, InvertedResidual, available_ops,
                              build_op, canonical_op_name)

REQUIRED = [
    'none', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5',
    'dil_sep_conv_3x3', 'dil_conv_3x3_r2', 'dil_conv_3x3_r4', 'conv_1x1',
    'conv_3x3', 'conv_5x5', 'avg_pool_3x3', 'max_pool_3x3',
    'squeeze_excitation', 'spatial_attention'
] + [f'ir_k{k}_e{e}' for k in (3, 5, 7) for e in (3, 6)]


def test_every_op_of_the_four_methods_is_registered():
    assert set(REQUIRED) <= set(available_ops())


@pytest.mark.parametrize('name', REQUIRED)
@pytest.mark.parametrize('stride', [1, 2])
@pytest.mark.parametrize('c_out', [8, 12])
def test_op_shapes_and_gradients(name, stride, c_out):
    torch.manual_seed(0)
    op = build_op(name, 8, c_out, stride)
    x = torch.randn(2, 8, 9, 11, requires_grad=True)
    y = op(x)
    assert y.shape == (2, c_out, -(-9 // stride), -(-11 // stride))
    if name == 'none':
        assert torch.count_nonzero(y) == 0
        assert sum(p.numel() for p in op.parameters()) == 0
    else:
        y.square().sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all()


def test_unknown_op_lists_valid_names():
    with pytest.raises(KeyError) as e:
        build_op('conv_9x9', 4, 4, 1)
    msg = str(e.value)
    assert 'conv_9x9' in msg and 'sep_conv_3x3' in msg and 'ir_k7_e6' in msg


def test_bad_stride_and_channels():
    with pytest.raises(ValueError, match='stride'):
        build_op('conv_3x3', 4, 4, 3)
    with pytest.raises(ValueError, match='channels'):
        build_op('conv_3x3', 0, 4, 1)


def test_aliases_resolve():
    assert canonical_op_name('k5e3') == 'ir_k5_e3'
    assert canonical_op_name('se') == 'squeeze_excitation'
    assert canonical_op_name('d3') == 'dil_conv_3x3_r2'
    assert all(v in available_ops() for v in ALIASES.values())


def test_skip_is_identity_and_inverted_residual_structure():
    x = torch.randn(1, 6, 8, 8)
    assert torch.equal(build_op('skip_connect', 6, 6, 1)(x), x)
    ir = build_op('ir_k5_e6', 6, 6, 1)
    assert isinstance(ir, InvertedResidual) and ir.use_residual
    assert ir.depthwise[0].kernel_size == (5, 5)
    assert ir.expand[0].out_channels == 36
    assert not build_op('ir_k3_e3', 6, 6, 2).use_residual


def test_dilation_rates_and_se_without_reduction():
    assert build_op('dil_conv_3x3_r4', 4, 4, 1)[1].dilation == (4, 4)
    assert build_op('dil_conv_3x3_r2', 4, 4, 1)[1].dilation == (2, 2)
    se = build_op('squeeze_excitation', 6, 6, 1)
    assert se.fc.in_channels == se.fc.out_channels == 6
