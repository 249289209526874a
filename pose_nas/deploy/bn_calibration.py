# Copyright (c) pose_nas contributors. All rights reserved.
"""Give a freshly built net's BatchNorms non-trivial statistics."""
from typing import Optional

import torch
import torch.nn as nn

from .bn_folding import _BN_TYPES
from .tensor_forward import _is_pose_estimator

__all__ = ['calibrate_bn_stats']


@torch.no_grad()
def calibrate_bn_stats(model: nn.Module,
                       inputs: torch.Tensor,
                       forward=None,
                       seed: Optional[int] = 0,
                       randomize_affine: bool = True) -> nn.Module:
    """Give every BN running statistics of ``inputs`` (in place).

    A freshly built net has ``running_mean = 0, running_var = 1``, so
    BN folding is a no-op and activations shrink or grow block by block
    (heatmaps near constant, argmax ties, denormals). This sets each BN's
    statistics to the batch statistics of one forward of ``inputs``
    (``momentum=None``: cumulative average), and with ``randomize_affine``
    draws its affine weight in ``[0.5, 1.5)`` and bias from ``N(0, 0.1)``
    (``seed``), so checks of fused / exported nets are not trivial. Not a
    substitute for trained weights; meant for tests and benchmarks.

    Args:
        model (nn.Module): the model (left in eval mode).
        inputs (Tensor): a batch for ``forward``.
        forward (callable, optional): ``forward(model, inputs)``; defaults to
            ``model(inputs, None, mode='tensor')`` for MMPose estimators and
            ``model(inputs)`` otherwise.
        seed (int, optional): seed of the affine draw.
        randomize_affine (bool): draw the BN affine parameters.
    """
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    bns = [m for m in model.modules() if isinstance(m, _BN_TYPES)]
    saved = []
    for bn in bns:
        saved.append(bn.momentum)
        bn.reset_running_stats()
        bn.momentum = None
        if randomize_affine and bn.affine:
            bn.weight.copy_(0.5 + torch.rand(bn.weight.shape, generator=gen))
            bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=gen))
    model.train()
    try:
        if forward is not None:
            forward(model, inputs)
        elif _is_pose_estimator(model):
            model(inputs, None, mode='tensor')
        else:
            model(inputs)
    finally:
        for bn, momentum in zip(bns, saved):
            bn.momentum = momentum
        model.eval()
    return model
