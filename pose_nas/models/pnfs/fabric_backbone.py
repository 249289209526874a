# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's fabric backbone: a two-conv stem, then the first ``m`` layers of a
cell-based neural fabric.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068),
Sec. III-C (Fig. 4, "Fabric-backbone") and Sec. IV-A (Fabric-1/2/3).
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.utils.typing import ConfigType, OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.genotype import Genotype, validate_genotype
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints
from .fabric_layout import (BACKBONE_CANDIDATES, fabric_genotype_spec,
                            select_fabric_components)
from .neural_fabric import NeuralFabric


@MODELS.register_module()
class FabricBackbone(BaseBackbone, SearchableMixin):
    """Stem to 1/4, then the first ``num_kept_layers`` layers of an
    ``num_layers``-layer :class:`~pose_nas.models.pnfs.NeuralFabric`.

    Stem (Sec. III-C, two stride-2 convs; layout of the authors' code):
    3x3 stride-2 conv (``stem_channels``) + norm, 3x3 stride-2 conv + norm +
    activation, 1x1 conv to ``4 * channel_factor``. The
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
        norm_cfg (dict): norm layers of the stem (mmcv's
            ``build_norm_layer``). Defaults to ``dict(type='BN')``. The
            fabric's own BNs (source transforms, candidate ops) are
            BatchNorm; use MMEngine's ``sync_bn`` setting to convert all of
            them.
        act_cfg (dict): activation of the stem (mmcv's
            ``build_activation_layer``). Defaults to
            ``dict(type='ReLU', inplace=True)``.
        init_cfg (dict | list, optional): MMEngine init config. Defaults to
            None (PyTorch's default initialization).

    Shapes:
        ``(N, in_channels, H, W)`` -> tuple over ``out_indices`` of
        ``(N, C * 4 * 2^i, ceil(H / 2^(i+2)), ceil(W / 2^(i+2)))`` (each
        stride-2 step rounds up).
    """
    derive_options = ('prune_below', )

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
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU', inplace=True),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_checkpoint_check()
        self.norm_cfg = copy.deepcopy(norm_cfg)
        self.act_cfg = copy.deepcopy(act_cfg)
        who = type(self).__name__
        channel_factor = check_int(channel_factor, f'{who}: channel_factor',
                                   1)
        num_hidden = check_int(num_hidden, f'{who}: num_hidden', 1)
        num_layers = check_int(num_layers, f'{who}: num_layers', 1)
        num_kept_layers = check_int(num_kept_layers,
                                    f'{who}: num_kept_layers', 1)
        in_channels = check_int(in_channels, f'{who}: in_channels', 1)
        stem_channels = check_int(stem_channels, f'{who}: stem_channels', 1)
        out_indices = check_ints(out_indices, f'{who}: out_indices')
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
        # a plain Sequential (not ConvModule) keeps the parameter names
        # stem.{0,1,2,3,5}.* of existing checkpoints
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem_channels, 3, 2, 1, bias=False),
            build_norm_layer(self.norm_cfg, stem_channels)[1],
            nn.Conv2d(stem_channels, stem_channels, 3, 2, 1, bias=False),
            build_norm_layer(self.norm_cfg, stem_channels)[1],
            build_activation_layer(self.act_cfg),
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
