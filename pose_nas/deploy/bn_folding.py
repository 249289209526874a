# Copyright (c) pose_nas contributors. All rights reserved.
"""Fold BatchNorm into the conv before it, for inference.

:func:`fuse_conv_bn` folds every BatchNorm that directly follows a conv into
that conv. ``Conv2d`` + BN is MMCV's :func:`mmcv.cnn.fuse_conv_bn` (wrapped,
with a guard for the one pattern it gets wrong); MMCV leaves
``ConvTranspose2d`` + BN alone, so the head's deconv + BN pairs are folded
here (``fuse_deconv=True``).
"""
import copy
from typing import List

import torch
import torch.nn as nn

__all__ = ['fuse_conv_bn', 'unfused_batchnorms']

_BN_TYPES = (nn.modules.batchnorm._BatchNorm, nn.SyncBatchNorm)


def _mmcv_misfusions(module: nn.Module, prefix: str = '') -> List[str]:
    """BN layers that MMCV's ``fuse_conv_bn`` would fold into a conv that
    does not directly precede them.

    MMCV walks ``named_children`` and keeps the last ``Conv2d`` until a BN
    comes; a child in between that is neither (a ReLU, a block) does not
    reset it, so ``Conv2d -> ReLU -> BN`` would be folded wrongly. This
    replays that walk and reports such BNs (none in pose_nas's models or in
    MMPose's ConvModule-based ones), and the BNs after a conv that MMCV
    cannot fold (``affine=False`` or no running statistics).
    """
    bad = []
    last_conv, since_conv = None, False
    for name, child in module.named_children():
        full = f'{prefix}{name}'
        if isinstance(child, _BN_TYPES):
            if last_conv is not None and since_conv:
                bad.append(f'{full} (after {last_conv})')
            elif last_conv is not None and not (child.affine and
                                                child.track_running_stats):
                bad.append(f'{full} (no affine parameters or no running '
                           'statistics)')
            last_conv = None
        elif isinstance(child, nn.Conv2d):
            last_conv, since_conv = full, False
        else:
            if last_conv is not None:
                since_conv = True
            bad.extend(_mmcv_misfusions(child, f'{full}.'))
    return bad


@torch.no_grad()
def _fold_deconv_bn(deconv: nn.ConvTranspose2d,
                    bn: nn.modules.batchnorm._BatchNorm) -> None:
    """Fold ``bn`` into the transposed conv in place.

    A ``ConvTranspose2d`` weight is ``(C_in, C_out / groups, kH, kW)``: output
    channel ``g * C_out / groups + j`` is column ``j`` of group ``g``.
    """
    groups, c_out = deconv.groups, deconv.out_channels
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps) \
        if bn.weight is not None else 1.0 / torch.sqrt(bn.running_var + bn.eps)
    shift = bn.bias if bn.bias is not None else torch.zeros_like(scale)
    bias = deconv.bias if deconv.bias is not None else torch.zeros_like(
        bn.running_mean)
    w = deconv.weight  # (C_in, C_out/g, kh, kw)
    c_in = w.shape[0]
    w = w.reshape(groups, c_in // groups, c_out // groups, *w.shape[2:])
    w = w * scale.reshape(groups, 1, c_out // groups, 1, 1)
    deconv.weight = nn.Parameter(w.reshape(c_in, c_out // groups,
                                           *w.shape[3:]))
    deconv.bias = nn.Parameter((bias - bn.running_mean) * scale + shift)


def _fuse_deconv_bn(module: nn.Module) -> int:
    """Fold BNs that directly follow a ``ConvTranspose2d`` in an
    ``nn.Sequential``; the BN becomes ``nn.Identity``. Returns the count."""
    count = 0
    for child in module.children():
        count += _fuse_deconv_bn(child)
    if isinstance(module, nn.Sequential):
        names = list(module._modules)
        for prev, name in zip(names, names[1:]):
            a, b = module._modules[prev], module._modules[name]
            if isinstance(a, nn.ConvTranspose2d) and isinstance(
                    b, _BN_TYPES) and b.track_running_stats:
                _fold_deconv_bn(a, b)
                module._modules[name] = nn.Identity()
                count += 1
    return count


def fuse_conv_bn(model: nn.Module,
                 inplace: bool = False,
                 fuse_deconv: bool = True) -> nn.Module:
    """Fold every BatchNorm that directly follows a conv into the conv.

    For inference only: the fold uses the BN running statistics, so the
    result is put in eval mode. ``Conv2d`` + BN pairs (the stem and every
    expand / depthwise / project ``nn.Sequential`` of the inverted-residual
    blocks, MMCV ``ConvModule``\\ s) are folded by
    :func:`mmcv.cnn.fuse_conv_bn`; each such BN is replaced by
    ``nn.Identity`` and the conv gets a bias. With ``fuse_deconv`` the BNs
    that follow a ``ConvTranspose2d`` in an ``nn.Sequential`` (the deconv
    head's) are folded too (MMCV leaves them alone).

    Args:
        model (nn.Module): any model; BNs that follow no conv stay.
        inplace (bool): fold into ``model`` itself (its convs are replaced,
            its BNs become ``nn.Identity``) and return it. Defaults to False:
            a deep copy is fused and returned, ``model`` is untouched.
        fuse_deconv (bool): also fold ``ConvTranspose2d`` + BN.

    Returns:
        nn.Module: the fused model, in eval mode (``model`` itself when
        ``inplace``).

    Raises:
        ValueError: if MMCV would fold a BN into a conv that does not
            directly precede it (``Conv2d -> other -> BN`` children), or a
            BN after a conv has no affine parameters or running statistics
            (MMCV's fold needs both).
    """
    from mmcv.cnn import fuse_conv_bn as mmcv_fuse_conv_bn
    bad = _mmcv_misfusions(model)
    if bad:
        raise ValueError('cannot fold BN safely (a module sits between the '
                         'conv and the BN): ' + ', '.join(bad))
    fused = model if inplace else copy.deepcopy(model)
    fused.eval()
    with torch.no_grad():
        mmcv_fuse_conv_bn(fused)
        if fuse_deconv:
            _fuse_deconv_bn(fused)
    return fused


def unfused_batchnorms(model: nn.Module) -> List[str]:
    """Names of the BNs that still directly follow a ``Conv2d`` or
    ``ConvTranspose2d`` among the children of one module (what
    :func:`fuse_conv_bn` should have removed)."""
    out = []
    for name, module in model.named_modules():
        prev = None
        for child_name, child in module.named_children():
            if isinstance(child, _BN_TYPES) and isinstance(
                    prev, (nn.Conv2d, nn.ConvTranspose2d)):
                out.append(f'{name}.{child_name}' if name else child_name)
            prev = child
    return out
