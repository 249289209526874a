# Copyright (c) pose_nas contributors. All rights reserved.
from .cell_search_backbone import CellSearchBackbone
from .efficientpose_backbone import EfficientPoseBackbone

__all__ = ['CellSearchBackbone', 'EfficientPoseBackbone']
from .hrnet_pyramid import HRNetPyramid  # noqa: E402

__all__ += ['HRNetPyramid']
from .fabric_backbone import FabricBackbone  # noqa: E402

__all__ += ['FabricBackbone']
