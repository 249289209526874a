# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose's slim deconvolution head with spatial information
correction (SIC).

EfficientPose: Efficient human pose estimation with neural architecture
search (Zhang et al., Computational Visual Media 2021), section "Efficient
head".
"""
from typing import Sequence, Union

import torch.nn as nn
from mmpose.models.heads import HeatmapHead
from mmpose.utils.typing import ConfigType, OptConfigType

from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints


@MODELS.register_module()
class SlimDeconvHead(HeatmapHead):
    """Slim transposed-conv head + spatial information correction (SIC).

    The efficient head of "EfficientPose: Efficient human pose estimation
    with neural architecture search" (Zhang et al., Computational Visual
    Media 2021), section "Efficient head": two slim transposed convolutions
    instead of SimpleBaseline's three 256-channel ones, then the SIC module.

    ``deconv 4x4/s2 (64) -> BN -> ReLU -> deconv 4x4/s2 (32) -> BN -> ReLU ->
    SIC: depthwise 3x3 conv (no bias, no BN) -> ReLU -> 1x1 conv to K``
    (as in the authors' released inference code).

    The SIC module corrects the spatial misalignment (checkerboard) the
    transposed convolutions leave, at the cost of one depthwise conv. Loss,
    decoding and flip test are MMPose's :class:`HeatmapHead`'s, so the head
    works with MMPose's codecs, ``CocoMetric`` and ``PCKAccuracy``
    unchanged.

    Args:
        in_channels (int): backbone output channels (stride-16 feature).
        out_channels (int): number of keypoints K.
        deconv_out_channels (Sequence[int]): widths of the transposed convs.
            Defaults to ``(64, 32)``.
        deconv_kernel_sizes (Sequence[int]): their kernels. Defaults to
            ``(4, 4)``.
        sic (bool): add the spatial information correction module.
            Defaults to True (False gives the slim head alone, the paper's
            ablation).
        sic_kernel_size (int): SIC depthwise kernel. Defaults to 3.
        loss, decoder, init_cfg: as :class:`HeatmapHead`.

    Shapes:
        ``feats[-1]: (N, in_channels, H, W)`` ->
        ``(N, K, H * 2^len(deconvs), W * 2^len(deconvs))``.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 out_channels: int,
                 deconv_out_channels: Sequence[int] = (64, 32),
                 deconv_kernel_sizes: Sequence[int] = (4, 4),
                 sic: bool = True,
                 sic_kernel_size: int = 3,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        who = type(self).__name__
        if isinstance(in_channels, (list, tuple)):
            check_ints(in_channels, f'{who}: in_channels', 1)
        else:
            in_channels = check_int(in_channels, f'{who}: in_channels', 1)
        out_channels = check_int(out_channels, f'{who}: out_channels', 1)
        if not deconv_out_channels:
            raise ValueError('SlimDeconvHead needs at least one deconv')
        check_ints(deconv_out_channels, f'{who}: deconv_out_channels', 1)
        check_ints(deconv_kernel_sizes, f'{who}: deconv_kernel_sizes', 1)
        sic_kernel_size = check_int(sic_kernel_size,
                                    f'{who}: sic_kernel_size', 1)
        if sic_kernel_size % 2 != 1:
            raise ValueError(f'sic_kernel_size must be odd, got '
                             f'{sic_kernel_size}')
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            deconv_out_channels=deconv_out_channels,
            deconv_kernel_sizes=deconv_kernel_sizes,
            conv_out_channels=None,
            final_layer=dict(kernel_size=1),
            loss=loss,
            decoder=decoder,
            init_cfg=init_cfg)
        channels = deconv_out_channels[-1]
        self.sic = sic
        if sic:
            # HeatmapHead.forward runs deconv_layers -> conv_layers ->
            # final_layer; SIC takes the conv_layers slot
            self.conv_layers = nn.Sequential(
                nn.Conv2d(
                    channels,
                    channels,
                    sic_kernel_size,
                    padding=sic_kernel_size // 2,
                    groups=channels,
                    bias=False), nn.ReLU(inplace=True))

    @property
    def default_init_cfg(self):
        return [
            dict(type='Normal', layer=['Conv2d', 'ConvTranspose2d'],
                 std=0.001),
            dict(type='Constant', layer='BatchNorm2d', val=1)
        ]
