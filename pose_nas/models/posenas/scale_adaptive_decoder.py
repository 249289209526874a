# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS's scale-adaptive fusion decoder (Bao et al., ACM MM 2020)."""
from typing import Any, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from pose_nas.nas.cell import SearchCell
from pose_nas.nas.ops import canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_ints

NUM_NODES = 4
#: genotype component names of the three fusion cells (1/32 -> 1/16,
#: 1/16 -> 1/8, 1/8 -> 1/4)
DECODER_CELLS = ('decoder1', 'decoder2', 'decoder3')


@MODELS.register_module()
class ScaleAdaptiveDecoder(BaseModule):
    """Three scale-adaptive fusion cells, 1/32 -> 1/16 -> 1/8 -> 1/4.

    Fusion cell ``i`` is a two-input DARTS cell (:class:`SearchCell`, 4
    nodes of 2 inputs, concat): input ``s0`` is the deeper feature (the
    1/32 tap, then the previous cell's output) upsampled x2 (nearest) and
    ReLU-conv1x1-BN'd, input ``s1`` the lateral encoder tap, ReLU-conv1x1-BN'd;
    node width = lateral channels / 4, so a cell returns the lateral width.
    Each cell has its own architecture (the owner passes three alphas in
    search mode, or three cell genotype components).

    Args:
        in_channels (Sequence[int]): channels of the 1/4, 1/8, 1/16, 1/32
            taps (each divisible by 4).
        candidates (Sequence[str]): candidate ops (search mode).
        mode (str): MixedOp mode while searching.
        genotypes (Sequence[dict], optional): three ``cell`` components
            (``decoder1..3``); builds the derived cells.

    Shapes:
        ``forward(feats, alphas)``: ``feats`` the four taps ``(N, c_i, H_i,
        W_i)``, ``alphas`` three ``(14, num_candidates)`` logits in search
        mode -> the decoded ``[1/4, 1/8, 1/16]`` features, widths
        ``in_channels[:3]``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 candidates: Sequence[str] = (),
                 mode: str = 'softmax',
                 genotypes: Optional[Sequence[Dict[str, Any]]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        chans = check_ints(in_channels, 'ScaleAdaptiveDecoder: in_channels',
                           4, length=4)
        bad = [c for c in chans[:3] if c % 4]
        if bad:
            raise ValueError('ScaleAdaptiveDecoder: lateral widths must be '
                             f'divisible by 4, got {chans[:3]}')
        if genotypes is not None and len(genotypes) != 3:
            raise ValueError('ScaleAdaptiveDecoder needs three cell '
                             f'genotypes, got {len(genotypes)}')
        self.in_channels = chans
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.cells = nn.ModuleList()
        deep = chans[3]
        for i, lat in enumerate(reversed(chans[:3])):
            self.cells.append(
                SearchCell([deep, lat], lat // 4, NUM_NODES,
                           self.candidates or None, mode=mode,
                           genotype=None if genotypes is None else
                           genotypes[i]))
            deep = self.cells[-1].out_channels

    def forward(self,
                feats: Sequence[torch.Tensor],
                alphas: Optional[Sequence[torch.Tensor]] = None
                ) -> List[torch.Tensor]:
        deep = feats[3]
        outs = []
        for i, cell in enumerate(self.cells):
            lateral = feats[2 - i]
            up = F.interpolate(deep, size=lateral.shape[-2:], mode='nearest')
            deep = cell([up, lateral], None if alphas is None else alphas[i])
            outs.append(deep)
        return outs[::-1]
