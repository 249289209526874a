# Copyright (c) pose_nas contributors. All rights reserved.
"""The fixed stem of AutoPose: image -> the four branch inputs."""
from typing import List, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpose.models.backbones.resnet import Bottleneck
from mmpose.utils.typing import ConfigType


class AutoPoseStem(nn.Module):
    """Two 3x3 stride-2 convs and a residual bottleneck to 1/4, then a 1x1
    conv to the first branch's width and a chain of 3x3 stride-2 convs for
    1/8, 1/16, 1/32 (AutoPose, Gong et al. 2020, Sec. 4.2 "Stem and Head").

    Args:
        in_channels (int): image channels.
        stem_channels (int): width of the two stride-2 convs and the
            bottleneck (its inner width is a quarter of it).
        branch_channels (Sequence[int]): width of every branch, finest
            first.
        norm_cfg (dict): norm layers.
        act_cfg (dict): activations.

    Shapes:
        ``(N, in_channels, H, W)`` -> a list with one
        ``(N, branch_channels[i], H / 2^(i + 2), W / 2^(i + 2))`` per branch.
    """

    def __init__(self, in_channels: int, stem_channels: int,
                 branch_channels: Sequence[int], norm_cfg: ConfigType,
                 act_cfg: ConfigType) -> None:
        super().__init__()
        conv = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.conv1 = ConvModule(in_channels, stem_channels, 3, 2, 1, **conv)
        self.conv2 = ConvModule(stem_channels, stem_channels, 3, 2, 1,
                                **conv)
        self.bottleneck = Bottleneck(stem_channels, stem_channels,
                                     expansion=4, norm_cfg=norm_cfg)
        chans = list(branch_channels)
        self.to_branch = nn.ModuleList(
            [ConvModule(stem_channels, chans[0], 1, **conv)])
        for c_prev, c in zip(chans[:-1], chans[1:]):
            self.to_branch.append(ConvModule(c_prev, c, 3, 2, 1, **conv))

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x = self.bottleneck(self.conv2(self.conv1(x)))
        outs = []
        for layer in self.to_branch:
            x = layer(x)
            outs.append(x)
        return outs
