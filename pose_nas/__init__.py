# Copyright (c) pose_nas contributors. All rights reserved.
"""pose_nas: neural architecture search for 2D human pose estimation on MMPose."""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
