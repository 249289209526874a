# Copyright (c) pose_nas contributors. All rights reserved.
"""Plain concatenation + 1x1 conv: the "no aggregation cell" ablation."""
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpose.utils.typing import ConfigType


class ConcatFusion(nn.Module):
    """Concatenate resized branch outputs and project them with a 1x1
    conv-BN-ReLU (replaces the aggregation cell in the paper's Table 4
    "aggregation cell N/A" ablation).

    Args:
        in_channels (Sequence[int]): width of every input.
        out_channels (int): output width.
        norm_cfg (dict): norm layers.

    Shapes:
        ``forward(inputs)``: a list of ``(N, in_channels[i], H, W)`` ->
        ``(N, out_channels, H, W)``.
    """

    def __init__(self, in_channels: Sequence[int], out_channels: int,
                 norm_cfg: ConfigType) -> None:
        super().__init__()
        self.num_inputs = len(in_channels)
        self.conv = ConvModule(sum(in_channels), out_channels, 1,
                               norm_cfg=norm_cfg)

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.conv(torch.cat(list(inputs), dim=1))
