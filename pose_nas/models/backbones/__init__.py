# Copyright (c) pose_nas contributors. All rights reserved.
from .cell_search_backbone import CellSearchBackbone
from .efficientpose_backbone import EfficientPoseBackbone

__all__ = ['CellSearchBackbone', 'EfficientPoseBackbone']
