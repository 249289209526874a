# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's fabric backbone: a two-conv stem, then the first ``m`` layers of a
cell-based neural fabric (SPEC 3.1, seed 004 section III-C)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpose.models.backbones.base_backbone import BaseBackbone

from pose_nas.models.utils.neural_fabric import (BACKBONE_CANDIDATES,
                                                 NeuralFabric,
                                                 fabric_genotype_spec,
                                                 select_fabric_components)
from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.genotype import Genotype, validate_genotype
from pose_nas.registry import MODELS


@MODELS.register_module()
class FabricBackbone(BaseBackbone, SearchableMixin):
    """Stem to 1/4, then the first ``num_kept_layers`` layers of an
    ``num_layers``-layer :class:`~pose_nas.models.utils.NeuralFabric`.

    Stem (the authors' code): 3x3 stride-2 conv (``stem_channels``) + BN,
    3x3 stride-2 conv + BN + ReLU, 1x1 conv to ``4 * channel_factor``. The
    fabric's last kept layer gives the feature pyramid (4 scales for
    ``m = 3``; ``min(m + 1, 4, L - m + 1)`` in general). Searchable
    parameters: the fabric's ``arch_alpha`` (shared by all cells) and
    ``arch_beta`` (per cell); with ``genotype=`` (components ``alpha`` and
    ``beta``, space ``FabricBackbone``) the derived fabric keeps the
    continuous mixture, pruned of its zero weights.

    Args:
        channel_factor (int): ``C``; the scales have ``C * [4, 8, 16, 32]``
            channels.
        num_hidden (int): hidden nodes per cell ``H``.
        num_layers (int): layers ``L`` of the full fabric.
        num_kept_layers (int): layers ``m`` kept.
        candidates (Sequence[str]): candidate ops (with pools by default).
        in_channels (int): image channels.
        stem_channels (int): width of the two stride-2 stem convs.
        out_indices (Sequence[int]): scales returned (0 = 1/4 .. 3 = 1/32).
        genotype (str | dict | Genotype, optional): the derived net.
        beta_scale (bool): cell input ``relu(3 * mixture)``.
        mix_scale (bool): edge mixtures scaled by the number of candidates.
        affine (bool): BN affine parameters inside the candidate ops.
        pool_bn (bool): ``BN(affine=False)`` after the pooling ops.
        init_cfg (dict | list, optional): MMEngine init config.

    Shapes:
        ``(N, in_channels, H, W)`` -> tuple over ``out_indices`` of
        ``(N, C * 4 * 2^i, ceil(H / 2^(i+2)), ceil(W / 2^(i+2)))`` (each
        stride-2 step rounds up).
    """

    def __init__(self,
                 channel_factor: int = 10,
                 num_hidden: int = 1,
                 num_layers: int = 6,
                 num_kept_layers: int = 3,
                 candidates: Sequence[str] = BACKBONE_CANDIDATES,
                 in_channels: int = 3,
                 stem_channels: int = 64,
                 out_indices: Sequence[int] = (0, 1, 2, 3),
                 genotype: Union[str, dict, Genotype, None] = None,
                 beta_scale: bool = True,
                 mix_scale: bool = True,
                 affine: bool = False,
                 pool_bn: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        fabric_kw = dict(
            channel_factor=channel_factor,
            num_hidden=num_hidden,
            num_layers=num_layers,
            keep='first',
            num_kept_layers=num_kept_layers,
            candidates=candidates,
            beta_scale=beta_scale,
            mix_scale=mix_scale,
            affine=affine,
            pool_bn=pool_bn)
        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            spec = fabric_genotype_spec(num_hidden, num_layers, 'first',
                                        num_kept_layers, candidates)
            self.genotype = validate_genotype(
                genotype, spec, space=type(self).__name__)
            fabric_kw['genotype'] = Genotype(
                space=type(self).__name__,
                components=select_fabric_components(self.genotype),
                meta=dict(self.genotype.meta))
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem_channels, 3, 2, 1, bias=False),
            nn.BatchNorm2d(stem_channels),
            nn.Conv2d(stem_channels, stem_channels, 3, 2, 1, bias=False),
            nn.BatchNorm2d(stem_channels), nn.ReLU(inplace=True),
            nn.Conv2d(stem_channels, 4 * channel_factor, 1, bias=False))
        self.fabric = NeuralFabric(**fabric_kw)
        num_out = len(self.fabric.out_channels)
        self.out_indices = [int(i) for i in out_indices]
        if not self.out_indices or any(not 0 <= i < num_out
                                       for i in self.out_indices):
            raise ValueError(f'out_indices must be in [0, {num_out}) for a '
                             f'fabric backbone with {num_kept_layers} of '
                             f'{num_layers} layers, got {list(out_indices)}')
        self.out_channels = [
            self.fabric.out_channels[i] for i in self.out_indices
        ]

    # ------------------------------------------------------------------
    def genotype_spec(self) -> Dict[str, dict]:
        return self.fabric.genotype_spec()

    def derive_genotype(self, prune_below: float = 1e-3, **meta) -> Genotype:
        """The fabric's continuous genotype (space ``FabricBackbone``),
        weights at or below ``prune_below`` set to zero."""
        if self.genotype is not None:
            return self.genotype
        g = self.fabric.derive_genotype(prune_below, **meta)
        g.space = type(self).__name__
        return g

    def arch_labels(self) -> Dict[str, List[str]]:
        return self.fabric.arch_labels(prefix='fabric.')

    def train(self, mode: bool = True) -> 'FabricBackbone':
        """``nn.Module.train`` (MMPose's ``BaseBackbone.train`` returns
        None, which breaks ``net.eval()`` chaining)."""
        super().train(mode)
        return self

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        outs = self.fabric(self.stem(x))
        return tuple(outs[i] for i in self.out_indices)
