# Copyright (c) pose_nas contributors. All rights reserved.
"""Candidate operations shared by every search space.

Every op is built by name through one registry with the same arguments,
``build_op(name, C_in, C_out, stride)``, so a search space is a list of names
in a config. The ops cover what the four methods need (the operation sets
of PoseNAS, AutoPose, PNFS and EfficientPose):

=========================  =================================================
name                       operation
=========================  =================================================
``none``                   zero (drops the edge), shape-correct
``skip_connect``           identity; factorized reduce when stride 2, 1x1
                           ReLU-conv-BN when only the width changes
``sep_conv_3x3/5x5``       DARTS separable conv (two depthwise-pointwise)
``dil_sep_conv_3x3``       dilated (rate 2) separable 3x3 conv
``dil_conv_3x3_r2/_r4``    plain dilated 3x3 ReLU-conv-BN, rate 2 / 4
``conv_1x1/3x3/5x5``       ReLU-conv-BN
``avg_pool_3x3``           3x3 average pool (1x1 conv-BN if width changes)
``max_pool_3x3``           3x3 max pool (1x1 conv-BN if width changes)
``squeeze_excitation``     channel gate without reduction (C -> C)
``spatial_attention``      1x1 conv -> sigmoid spatial gate
``ir_k{3,5,7}_e{3,6}``     inverted residual: 1x1 expand, kxk depthwise,
                           1x1 project (BN, ReLU; residual when shapes match)
=========================  =================================================

Short aliases used by the papers' genotypes (``k3e6``, ``c3``, ``d3``,
``se``, ``skip``, ``zero`` ...) resolve to these names, see :data:`ALIASES`.
All ops map ``(N, C_in, H, W)`` to ``(N, C_out, ceil(H / s), ceil(W / s))``.
"""
from typing import Callable, Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import Registry

#: The candidate-operation registry. Entries are builders
#: ``fn(C_in, C_out, stride, affine=True) -> nn.Module``.
NAS_OPS = Registry('nas candidate op', scope='pose_nas')

#: Short names found in the papers' genotypes -> registry names.
ALIASES: Dict[str, str] = {
    'zero': 'none',
    'skip': 'skip_connect',
    'identity': 'skip_connect',
    'c1': 'conv_1x1',
    'c3': 'conv_3x3',
    'c5': 'conv_5x5',
    'd3': 'dil_conv_3x3_r2',
    'd3r4': 'dil_conv_3x3_r4',
    'se': 'squeeze_excitation',
    'sa': 'spatial_attention',
    'avgpool': 'avg_pool_3x3',
    'maxpool': 'max_pool_3x3',
    'dil_conv_3x3': 'dil_sep_conv_3x3',
}
for _k in (3, 5, 7):
    for _e in (3, 6):
        ALIASES[f'k{_k}e{_e}'] = f'ir_k{_k}_e{_e}'


def canonical_op_name(name: str) -> str:
    """Resolve an alias to its registry name, with a clear error.

    Raises:
        KeyError: ``name`` is neither a registered op nor an alias; the
            message lists every valid name.
    """
    if not isinstance(name, str):
        raise TypeError(f'op name must be a str, got {type(name).__name__}')
    name = ALIASES.get(name, name)
    if name not in NAS_OPS.module_dict:
        raise KeyError(
            f'unknown candidate op {name!r}; valid ops: '
            f'{", ".join(available_ops())}; aliases: '
            f'{", ".join(sorted(ALIASES))}')
    return name


def available_ops() -> List[str]:
    """Sorted registry names of every candidate op."""
    return sorted(NAS_OPS.module_dict)


def build_op(name: str,
             C_in: int,
             C_out: int,
             stride: int = 1,
             affine: bool = True) -> nn.Module:
    """Build the candidate op ``name``.

    Args:
        name (str): registry name or alias.
        C_in (int): input channels.
        C_out (int): output channels.
        stride (int): 1 or 2.
        affine (bool): whether BN layers have learnable affine parameters
            (DARTS searches with ``affine=False``).

    Returns:
        nn.Module: maps ``(N, C_in, H, W)`` to
        ``(N, C_out, ceil(H / stride), ceil(W / stride))``.
    """
    canonical = canonical_op_name(name)
    if stride not in (1, 2):
        raise ValueError(f'stride must be 1 or 2, got {stride}')
    if C_in <= 0 or C_out <= 0:
        raise ValueError(f'channels must be positive, got {C_in}->{C_out}')
    builder: Callable = NAS_OPS.get(canonical)
    return builder(C_in, C_out, stride, affine=affine)


# --------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------
class Zero(nn.Module):
    """The ``none`` op: a zero tensor of the output shape, no parameters."""

    def __init__(self, C_out: int, stride: int) -> None:
        super().__init__()
        self.C_out = C_out
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        s = self.stride
        return x.new_zeros(n, self.C_out, -(-h // s), -(-w // s))


class ReLUConvBN(nn.Sequential):
    """ReLU -> kxk conv (optionally dilated) -> BN."""

    def __init__(self,
                 C_in: int,
                 C_out: int,
                 kernel_size: int,
                 stride: int,
                 dilation: int = 1,
                 affine: bool = True) -> None:
        padding = dilation * (kernel_size - 1) // 2
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(
                C_in,
                C_out,
                kernel_size,
                stride=stride,
                padding=padding,
                dilation=dilation,
                bias=False), nn.BatchNorm2d(C_out, affine=affine))


class DilSepConv(nn.Sequential):
    """ReLU -> depthwise kxk (dilated) -> pointwise 1x1 -> BN."""

    def __init__(self,
                 C_in: int,
                 C_out: int,
                 kernel_size: int,
                 stride: int,
                 dilation: int = 1,
                 affine: bool = True) -> None:
        padding = dilation * (kernel_size - 1) // 2
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(
                C_in,
                C_in,
                kernel_size,
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=C_in,
                bias=False), nn.Conv2d(C_in, C_out, 1, bias=False),
            nn.BatchNorm2d(C_out, affine=affine))


class SepConv(nn.Sequential):
    """DARTS separable conv: two depthwise-pointwise blocks, the first
    strided, the second keeping the shape."""

    def __init__(self,
                 C_in: int,
                 C_out: int,
                 kernel_size: int,
                 stride: int,
                 affine: bool = True) -> None:
        super().__init__(
            DilSepConv(C_in, C_in, kernel_size, stride, 1, affine),
            DilSepConv(C_in, C_out, kernel_size, 1, 1, affine))


class FactorizedReduce(nn.Module):
    """Halve the resolution with two offset 1x1 stride-2 convs (DARTS)."""

    def __init__(self, C_in: int, C_out: int, affine: bool = True) -> None:
        super().__init__()
        c1 = C_out // 2
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, c1, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out - c1, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        # pad so that odd sizes give ceil(H / 2) on both paths
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        out = torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1)
        return self.bn(out)


def _adapter(C_in: int, C_out: int, stride: int,
             affine: bool) -> nn.Module:
    """Shape adapter for ops that do not change shape by themselves."""
    if stride == 2:
        return FactorizedReduce(C_in, C_out, affine=affine)
    if C_in != C_out:
        return ReLUConvBN(C_in, C_out, 1, 1, affine=affine)
    return nn.Identity()


class Pool(nn.Module):
    """3x3 average/max pool, then a 1x1 conv-BN if the width changes."""

    def __init__(self, kind: str, C_in: int, C_out: int, stride: int,
                 affine: bool) -> None:
        super().__init__()
        if kind == 'avg':
            self.pool = nn.AvgPool2d(
                3, stride=stride, padding=1, count_include_pad=False)
        else:
            self.pool = nn.MaxPool2d(3, stride=stride, padding=1)
        self.proj = (
            ReLUConvBN(C_in, C_out, 1, 1, affine=affine)
            if C_in != C_out else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.pool(x))


class SqueezeExcitation(nn.Module):
    """Channel gate without reduction: ``x * sigmoid(W gap(x) + b)``, W is
    C x C (PoseNAS's SE op)."""

    def __init__(self, C_in: int, C_out: int, stride: int,
                 affine: bool) -> None:
        super().__init__()
        self.adapt = _adapter(C_in, C_out, stride, affine)
        self.fc = nn.Conv2d(C_out, C_out, 1, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.adapt(x)
        gate = torch.sigmoid(self.fc(F.adaptive_avg_pool2d(x, 1)))
        return x * gate


class SpatialAttention(nn.Module):
    """Spatial gate: ``x * sigmoid(conv1x1(x))`` with a one-channel map."""

    def __init__(self, C_in: int, C_out: int, stride: int,
                 affine: bool) -> None:
        super().__init__()
        self.adapt = _adapter(C_in, C_out, stride, affine)
        self.gate = nn.Conv2d(C_out, 1, 1, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.adapt(x)
        return x * torch.sigmoid(self.gate(x))


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand -> kxk depthwise -> 1x1 project.

    BN after every conv, ReLU after the first two; a residual connection
    when ``stride == 1`` and ``C_in == C_out``.
    """

    def __init__(self,
                 C_in: int,
                 C_out: int,
                 stride: int,
                 kernel_size: int,
                 expand_ratio: int,
                 affine: bool = True) -> None:
        super().__init__()
        hidden = C_in * expand_ratio
        self.use_residual = stride == 1 and C_in == C_out
        self.kernel_size = kernel_size
        self.expand_ratio = expand_ratio
        self.expand = nn.Sequential(
            nn.Conv2d(C_in, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden, affine=affine), nn.ReLU(inplace=True))
        self.depthwise = nn.Sequential(
            nn.Conv2d(
                hidden,
                hidden,
                kernel_size,
                stride=stride,
                padding=kernel_size // 2,
                groups=hidden,
                bias=False), nn.BatchNorm2d(hidden, affine=affine),
            nn.ReLU(inplace=True))
        self.project = nn.Sequential(
            nn.Conv2d(hidden, C_out, 1, bias=False),
            nn.BatchNorm2d(C_out, affine=affine))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.depthwise(self.expand(x)))
        return x + out if self.use_residual else out


# --------------------------------------------------------------------------
# registry entries
# --------------------------------------------------------------------------
@NAS_OPS.register_module(name='none')
def _none(C_in, C_out, stride, affine=True):
    return Zero(C_out, stride)


@NAS_OPS.register_module(name='skip_connect')
def _skip(C_in, C_out, stride, affine=True):
    return _adapter(C_in, C_out, stride, affine)


def _register_conv(name: str, cls: type, kernel_size: int,
                   dilation: int = 1) -> None:

    def builder(C_in, C_out, stride, affine=True):
        if cls is SepConv:
            return SepConv(C_in, C_out, kernel_size, stride, affine=affine)
        return cls(C_in, C_out, kernel_size, stride, dilation, affine=affine)

    builder.__name__ = f'_{name}'
    NAS_OPS.register_module(name=name, module=builder)


_register_conv('sep_conv_3x3', SepConv, 3)
_register_conv('sep_conv_5x5', SepConv, 5)
_register_conv('dil_sep_conv_3x3', DilSepConv, 3, dilation=2)
_register_conv('dil_conv_3x3_r2', ReLUConvBN, 3, dilation=2)
_register_conv('dil_conv_3x3_r4', ReLUConvBN, 3, dilation=4)
_register_conv('conv_1x1', ReLUConvBN, 1)
_register_conv('conv_3x3', ReLUConvBN, 3)
_register_conv('conv_5x5', ReLUConvBN, 5)


@NAS_OPS.register_module(name='avg_pool_3x3')
def _avg_pool(C_in, C_out, stride, affine=True):
    return Pool('avg', C_in, C_out, stride, affine)


@NAS_OPS.register_module(name='max_pool_3x3')
def _max_pool(C_in, C_out, stride, affine=True):
    return Pool('max', C_in, C_out, stride, affine)


@NAS_OPS.register_module(name='squeeze_excitation')
def _se(C_in, C_out, stride, affine=True):
    return SqueezeExcitation(C_in, C_out, stride, affine)


@NAS_OPS.register_module(name='spatial_attention')
def _spatial_attention(C_in, C_out, stride, affine=True):
    return SpatialAttention(C_in, C_out, stride, affine)


def _register_ir(kernel_size: int, expand_ratio: int) -> None:

    def builder(C_in, C_out, stride, affine=True):
        return InvertedResidual(
            C_in, C_out, stride, kernel_size, expand_ratio, affine=affine)

    name = f'ir_k{kernel_size}_e{expand_ratio}'
    builder.__name__ = f'_{name}'
    NAS_OPS.register_module(name=name, module=builder)


for _k in (3, 5, 7):
    for _e in (3, 6):
        _register_ir(_k, _e)
