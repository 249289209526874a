# Copyright (c) pose_nas contributors. All rights reserved.
"""Bring one branch's features to another branch's scale and width."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpose.utils.typing import ConfigType


class ScaleResize(nn.Module):
    """Resize a branch output for an aggregation cell of another branch.

    Finer to coarser: ``dst - src`` 3x3 stride-2 conv-BN (ReLU between
    them, the last one maps to ``out_channels``); coarser to finer: 1x1
    conv-BN to ``out_channels`` then nearest upsampling by
    ``2^(src - dst)`` (as HRNet's fuse layers do); same scale: identity, or
    1x1 conv-BN if the widths differ.

    Args:
        in_channels (int): width of the source branch.
        out_channels (int): width of the target branch.
        src (int): source branch level (0 = 1/4 ... 3 = 1/32).
        dst (int): target branch level.
        norm_cfg (dict): norm layers.

    Shapes:
        ``forward(x, size)``: ``(N, in_channels, H, W)`` ->
        ``(N, out_channels, *size)`` (``H * 2^(src - dst)`` ... without
        ``size``).
    """

    def __init__(self, in_channels: int, out_channels: int, src: int,
                 dst: int, norm_cfg: ConfigType) -> None:
        super().__init__()
        self.scale = 2**(src - dst) if src > dst else 1
        if src == dst:
            self.conv = (nn.Identity() if in_channels == out_channels else
                         ConvModule(in_channels, out_channels, 1,
                                    norm_cfg=norm_cfg, act_cfg=None))
        elif src > dst:
            self.conv = ConvModule(in_channels, out_channels, 1,
                                   norm_cfg=norm_cfg, act_cfg=None)
        else:
            steps = []
            c = in_channels
            for i in range(dst - src):
                last = i == dst - src - 1
                c_out = out_channels if last else in_channels
                steps.append(
                    ConvModule(c, c_out, 3, 2, 1, norm_cfg=norm_cfg,
                               act_cfg=None if last else dict(type='ReLU')))
                c = c_out
            self.conv = nn.Sequential(*steps)

    def forward(self, x: torch.Tensor,
                size: Optional[Sequence[int]] = None) -> torch.Tensor:
        """``size``: the target branch's ``(H, W)`` (odd sizes round up on
        the way down, so upsampling goes to the size, not by the factor)."""
        x = self.conv(x)
        if self.scale > 1:
            if size is None:
                return nn.functional.interpolate(
                    x, scale_factor=self.scale, mode='nearest')
            x = nn.functional.interpolate(x, size=tuple(size),
                                          mode='nearest')
        return x
