# Copyright (c) pose_nas contributors. All rights reserved.
"""HRNet "stem through stage 3" as a 4-scale feature pyramid.

HRNet: "Deep High-Resolution Representation Learning for Human Pose
Estimation" (Sun et al., CVPR 2019), Sec. 3; used as a backbone by "Pose
Neural Fabrics Search" (Yang et al.), Table V.
"""
import copy
from typing import Optional, Tuple

import torch.nn as nn
from mmpose.models.backbones import HRNet
from mmpose.models.backbones.resnet import get_expansion
from torch import Tensor

from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int

#: MMPose's HRNet-W32 ``extra`` (``td-hm_hrnet-w32_*`` configs).
HRNET_W32_EXTRA = dict(
    stage1=dict(
        num_modules=1,
        num_branches=1,
        block='BOTTLENECK',
        num_blocks=(4, ),
        num_channels=(64, )),
    stage2=dict(
        num_modules=1,
        num_branches=2,
        block='BASIC',
        num_blocks=(4, 4),
        num_channels=(32, 64)),
    stage3=dict(
        num_modules=4,
        num_branches=3,
        block='BASIC',
        num_blocks=(4, 4, 4),
        num_channels=(32, 64, 128)),
    stage4=dict(
        num_modules=3,
        num_branches=4,
        block='BASIC',
        num_blocks=(4, 4, 4, 4),
        num_channels=(32, 64, 128, 256)))


@MODELS.register_module()
class HRNetPyramid(HRNet):
    """MMPose's HRNet up to stage 3, plus the 1/32 level of the transition
    into stage 4: a 4-scale pyramid (1/4, 1/8, 1/16, 1/32).

    HRNet is "Deep High-Resolution Representation Learning for Human Pose
    Estimation" (Sun et al., CVPR 2019): parallel branches at 1/4 .. 1/32
    resolution, each stage adding a lower-resolution branch through a
    strided transition and exchanging information across branches.

    This is the backbone of the PNFS paper's HRNet experiment (Table V,
    "HRNet-W32 stem ~ stage3", 8.8M parameters): stage 3 gives the 1/4,
    1/8 and 1/16 branches; the 1/32 level is produced exactly as HRNet's
    ``transition3`` does (a 3x3 stride-2 conv-BN-ReLU from the 1/16 branch;
    the other branches pass through unchanged). Stage 4 is not built.

    Parameter names are MMPose's :class:`~mmpose.models.backbones.HRNet`'s
    (``conv1``, ``bn1``, ``layer1``, ``transition1..3``, ``stage2..3``), so
    ``init_cfg=dict(type='Pretrained', checkpoint=...)`` loads an HRNet
    checkpoint (ImageNet, or a pose model with ``prefix='backbone.'``); its
    ``stage4.*`` weights are ignored (reported as unexpected keys).

    Args:
        extra (dict, optional): HRNet's stage configs; defaults to W32
            (:data:`HRNET_W32_EXTRA`). ``stage4`` only fixes the width of the
            1/32 level (``stage4.num_channels[3]`` x block expansion); it may
            be omitted, in which case the 1/32 level is twice the 1/16 width.
        in_channels (int): image channels. Defaults to 3.
        conv_cfg (dict, optional): conv layers, as HRNet's.
        norm_cfg (dict): norm layers, as HRNet's. Defaults to
            ``dict(type='BN')``. (HRNet's activations are fixed ReLUs; it
            takes no ``act_cfg``.)
        norm_eval (bool): keep norm layers in eval mode while training.
        with_cp (bool): use checkpointing in the residual blocks.
        zero_init_residual (bool): zero-init the last norm of each block.
        frozen_stages (int): -1 (none) .. 3, as HRNet (freezing stage 3 also
            freezes ``transition3``, as in HRNet).
        init_cfg (dict | list[dict]): as HRNet's (Normal std 0.001 for
            convs, constant 1 for norms).

    Shapes:
        ``(N, 3, H, W)`` -> 4 tensors ``(N, c_i, H / 2^(i+2), W / 2^(i+2))``
        with ``c = (32, 64, 128, 256)`` for W32.
    """

    def __init__(self,
                 extra: Optional[dict] = None,
                 in_channels: int = 3,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 zero_init_residual: bool = False,
                 frozen_stages: int = -1,
                 init_cfg=[
                     dict(type='Normal', std=0.001, layer=['Conv2d']),
                     dict(
                         type='Constant',
                         val=1,
                         layer=['_BatchNorm', 'GroupNorm'])
                 ]) -> None:
        extra = copy.deepcopy(dict(extra) if extra else HRNET_W32_EXTRA)
        for key in ('stage1', 'stage2', 'stage3'):
            if key not in extra:
                raise ValueError(f'HRNetPyramid: extra lacks {key!r}')
        if extra['stage3']['num_branches'] != 3:
            raise ValueError('HRNetPyramid needs a 3-branch stage 3, got '
                             f"{extra['stage3']['num_branches']} branches")
        in_channels = check_int(in_channels, 'HRNetPyramid: in_channels', 1)
        frozen_stages = check_int(frozen_stages, 'HRNetPyramid: frozen_stages',
                                  -1)
        if frozen_stages > 3:
            raise ValueError(f'frozen_stages must be <= 3 (there is no '
                             f'stage 4), got {frozen_stages}')
        if 'stage4' not in extra:
            c3 = list(extra['stage3']['num_channels'])
            extra['stage4'] = dict(
                num_modules=0,
                num_branches=4,
                block=extra['stage3']['block'],
                num_blocks=(0, ) * 4,
                num_channels=tuple(c3) + (2 * c3[-1], ))
        super().__init__(
            extra=extra,
            in_channels=in_channels,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            norm_eval=norm_eval,
            with_cp=with_cp,
            zero_init_residual=zero_init_residual,
            frozen_stages=frozen_stages,
            init_cfg=init_cfg)
        # built as an empty placeholder by _make_stage below
        del self.stage4
        self.out_channels: Tuple[int, ...] = tuple(
            self._pyramid_channels(extra))

    def _pyramid_channels(self, extra: dict):
        block = self.blocks_dict[extra['stage3']['block']]
        c3 = [
            c * get_expansion(block) for c in extra['stage3']['num_channels']
        ]
        block4 = self.blocks_dict[extra['stage4']['block']]
        c4 = extra['stage4']['num_channels'][3] * get_expansion(block4)
        return c3 + [c4]

    def _make_stage(self, layer_config, in_channels, multiscale_output=True):
        if layer_config is self.extra['stage4']:
            # stage 4 is not part of the pyramid: build nothing
            return nn.Sequential(), in_channels
        return super()._make_stage(layer_config, in_channels,
                                   multiscale_output)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.relu(self.norm1(self.conv1(x)))
        x = self.relu(self.norm2(self.conv2(x)))
        x = self.layer1(x)

        x_list = []
        for i in range(self.stage2_cfg['num_branches']):
            if self.transition1[i] is not None:
                x_list.append(self.transition1[i](x))
            else:
                x_list.append(x)
        y_list = self.stage2(x_list)

        x_list = []
        for i in range(self.stage3_cfg['num_branches']):
            if self.transition2[i] is not None:
                x_list.append(self.transition2[i](y_list[-1]))
            else:
                x_list.append(y_list[i])
        y_list = self.stage3(x_list)

        # the inputs HRNet's stage 4 would receive (transition3)
        outs = []
        for i in range(self.stage4_cfg['num_branches']):
            if self.transition3[i] is not None:
                outs.append(self.transition3[i](y_list[-1]))
            else:
                outs.append(y_list[i])
        return tuple(outs)
