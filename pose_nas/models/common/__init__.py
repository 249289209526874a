# Copyright (c) pose_nas contributors. All rights reserved.
"""Models shared by the methods: the engine's reference cell search space
and the HRNet feature pyramid."""
from .cell_search_backbone import CellSearchBackbone
from .hrnet_pyramid import HRNetPyramid

__all__ = ['CellSearchBackbone', 'HRNetPyramid']
