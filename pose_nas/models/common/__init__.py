# Copyright (c) pose_nas contributors. All rights reserved.
"""Models shared by the methods: the engine's reference cell search space
the HRNet feature pyramid and a MobileNetV2 built only as far as it is
read."""
from .cell_search_backbone import CellSearchBackbone
from .hrnet_pyramid import HRNetPyramid
from .mobilenet_v2_features import MobileNetV2Features

__all__ = ['CellSearchBackbone', 'HRNetPyramid', 'MobileNetV2Features']
