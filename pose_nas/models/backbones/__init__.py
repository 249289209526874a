# Copyright (c) pose_nas contributors. All rights reserved.
from .cell_search_backbone import CellSearchBackbone

__all__ = ['CellSearchBackbone']
