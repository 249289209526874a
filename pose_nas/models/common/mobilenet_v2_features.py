# Copyright (c) pose_nas contributors. All rights reserved.
"""MMPose's MobileNetV2 built only up to the last block a head reads.

"MobileNetV2: Inverted Residuals and Linear Bottlenecks" (Sandler et al.,
CVPR 2018) as a feature extractor: "Pose Neural Fabrics Search" (Yang et
al.) reads the 1/4 .. 1/32 blocks (``out_indices=(1, 2, 4, 5)``), while
MMPose's ``MobileNetV2`` always builds ``layer6``, ``layer7`` and the
1280-channel ``conv2`` (0.89 M parameters at width 1) whose outputs nobody
reads: they inflate the parameter count and, under DDP, get no gradient.
"""
from typing import Sequence

from mmpose.models.backbones import MobileNetV2

from pose_nas.registry import MODELS


@MODELS.register_module()
class MobileNetV2Features(MobileNetV2):
    """MMPose's ``MobileNetV2`` without the blocks after
    ``max(out_indices)``.

    Same arguments, parameter names and outputs as MMPose's ``MobileNetV2``
    (so its ImageNet checkpoints load: the dropped blocks' weights are the
    only unexpected keys); the blocks after the last requested output are
    neither built nor run.

    Args:
        out_indices (Sequence[int]): outputs, as MMPose's (0..7; 7 is
            ``conv2``).
        **kwargs: the other arguments of MMPose's ``MobileNetV2``.

    Shapes:
        ``(N, 3, H, W)`` -> one tensor per ``out_indices``, as MMPose's.
    """

    def __init__(self, out_indices: Sequence[int] = (7, ), **kwargs) -> None:
        super().__init__(out_indices=out_indices, **kwargs)
        last = max(self.out_indices)
        for name in self.layers[last + 1:]:
            delattr(self, name)
        self.layers = self.layers[:last + 1]
        if self.frozen_stages > last + 1:  # layer{i} is block i - 1
            raise ValueError(
                f'MobileNetV2Features: frozen_stages={self.frozen_stages} '
                f'freezes blocks after the last output ({last}), which are '
                'not built')
