# Copyright (c) pose_nas contributors. All rights reserved.
"""Parameters and FLOPs of a pose model, for README tables and studies.

The project's one FLOPs counter is MMEngine's (``FlopAnalyzer``: multiply-
adds of convolutions and matmuls, plus BN elements; a transposed convolution counts
``C_in * C_out * k^2`` per *input* pixel, its true multiply-add count).
Papers often used other counters; :func:`conv_rule_macs` reproduces the
common ``flops-counter.pytorch`` rule (used e.g. by the EfficientPose
authors) only to explain gaps between our numbers and papers' numbers:
conv and transposed conv both count ``k^2 * C_in * C_out / groups`` per
*output* pixel plus one per output element for a bias; BN, activations and
pooling count nothing.
"""
from typing import Dict, Sequence, Union

import torch
import torch.nn as nn
from mmengine.config import Config


def conv_rule_macs(module: nn.Module, inputs: torch.Tensor) -> float:
    """Multiply-adds under the ``flops-counter.pytorch`` conv rule (see the
    module docstring). ``inputs``: one ``(N, C, H, W)`` batch; per image."""
    total = [0.0]

    def hook(mod, _, out):
        kernel = 1
        for k in mod.kernel_size:
            kernel *= k
        per_pos = kernel * mod.in_channels * (mod.out_channels // mod.groups)
        positions = out.shape[0] * out[0, 0].numel()
        total[0] += per_pos * positions
        if mod.bias is not None:
            total[0] += mod.out_channels * positions

    handles = [
        m.register_forward_hook(hook) for m in module.modules()
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))
    ]
    was = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(inputs)
    finally:
        module.train(was)
        for h in handles:
            h.remove()
    return total[0] / inputs.shape[0]


def model_complexity(model: Union[str, Config, nn.Module],
                     input_size: Sequence[int] = (192, 256),
                     conv_rule: bool = False) -> Dict[str, float]:
    """Parameters and GFLOPs of a pose estimator (or a config file, or a
    loaded :class:`~mmengine.config.Config`, whose ``model`` is built) at
    ``input_size`` = (w, h): backbone + neck + head forward.

    Returns:
        dict: ``params`` (count), ``params_m`` (millions), ``gflops``
        (MMEngine's counter); with ``conv_rule=True`` also
        ``gflops_conv_rule`` (:func:`conv_rule_macs`).
    """
    from pose_nas.nas.cost import count_flops
    from .tensor_forward import TensorForward
    if not isinstance(model, nn.Module):
        from mmengine.registry import init_default_scope
        from mmpose.registry import MODELS
        cfg = model if isinstance(model, Config) else Config.fromfile(model)
        init_default_scope(cfg.get('default_scope', 'mmpose'))
        model = MODELS.build(cfg.model)
    model = model.eval()
    w, h = input_size
    x = torch.zeros(1, 3, h, w)
    fwd = TensorForward(model).eval()
    params = sum(p.numel() for p in model.parameters())
    out = dict(params=params, params_m=params / 1e6,
               gflops=count_flops(fwd, (x, )) / 1e9)
    if conv_rule:
        out['gflops_conv_rule'] = conv_rule_macs(fwd, x) / 1e9
    return out
