# Copyright (c) pose_nas contributors. All rights reserved.
"""One body part's branch of the PNFS head: projections, the part's own
fabric subnetwork, and the output conv.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068),
Sec. III-C (P subnetworks sharing the backbone, each the last ``n`` layers
of a fabric, output: the final 1/4-scale cell).
"""
from typing import Optional, Sequence

import torch.nn as nn
from torch import Tensor

from pose_nas.registry import MODELS
from .neural_fabric import NeuralFabric


def build_fabric(cfg: dict, genotype: Optional[dict] = None) -> nn.Module:
    """Build one part's subnetwork.

    ``cfg['type']`` picks the class: absent ->
    :class:`~pose_nas.models.pnfs.NeuralFabric`; a string -> that name in
    MMPose's ``MODELS`` registry; a class -> that class (tests use stubs).
    The rest of ``cfg`` and ``genotype`` (derived mode) are its keyword
    arguments.
    """
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    if kind is None:
        cls = NeuralFabric
    elif isinstance(kind, str):
        cls = MODELS.get(kind)
        if cls is None:
            raise KeyError(f'fabric type {kind!r} is not registered in '
                           'MODELS')
    else:
        cls = kind
    if genotype is not None:
        cfg['genotype'] = genotype
    return cls(**cfg)


class PartBranch(nn.Module):
    """One body part: pyramid projections -> its fabric -> ReLU + 1x1 conv.

    Args:
        in_channels (Sequence[int]): the backbone's pyramid widths.
        fabric (nn.Module): the part's subnetwork (``in_channels`` attribute:
            the widths it expects; ``forward`` returns a list whose first
            element is the 1/4-scale output with ``channels[0]`` channels).
        out_channels (int): ``J_p * d``.
        final_init_std (float): std of the normal init of the output conv
            (bias 0); see :class:`~pose_nas.models.pnfs.PartFabricHead`.

    Shapes:
        ``forward(feats)``: the pyramid, ``(N, in_channels[i], H_i, W_i)``
        finest first -> ``(N, out_channels, H_0, W_0)``.
    """

    def __init__(self, in_channels: Sequence[int], fabric: nn.Module,
                 out_channels: int, final_init_std: float = 0.01) -> None:
        super().__init__()
        expected = list(fabric.in_channels)
        if len(expected) != len(in_channels):
            raise ValueError(
                f'the backbone gives {len(in_channels)} pyramid levels '
                f'{list(in_channels)}, the fabric expects {len(expected)} '
                f'{expected}')
        # 1x1 projections (with bias, no BN/ReLU, as in the authors' code);
        # a level whose width already matches is passed through
        self.projections = nn.ModuleList([
            nn.Identity() if c_in == c_out else nn.Conv2d(c_in, c_out, 1)
            for c_in, c_out in zip(in_channels, expected)
        ])
        self.fabric = fabric
        self.final_layer = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(fabric.channels[0], out_channels, 1))
        self.final_init_std = float(final_init_std)
        self.reset_output()

    def reset_output(self) -> None:
        """Normal(0, ``final_init_std``) weights and zero bias for the
        output conv."""
        conv = self.final_layer[1]
        nn.init.normal_(conv.weight, std=self.final_init_std)
        nn.init.zeros_(conv.bias)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        x = [proj(f) for proj, f in zip(self.projections, feats)]
        out = self.fabric(x)
        if isinstance(out, (list, tuple)):
            out = out[0]
        return self.final_layer(out)
