# Copyright (c) pose_nas contributors. All rights reserved.
"""pose_nas: neural architecture search for 2D human pose estimation on MMPose.

Importing the package (configs do it with ``custom_imports``) applies the
compatibility shims of :mod:`pose_nas.compat` and registers every pose_nas
module into MMPose's registries.
"""
from . import compat
from .version import __version__, version_info

compat.apply_all()

from . import datasets  # noqa: E402,F401  (registration side effects)
from . import engine  # noqa: E402,F401
from . import models  # noqa: E402,F401
from . import nas  # noqa: E402,F401

__all__ = [
    '__version__', 'version_info', 'compat', 'datasets', 'engine', 'models',
    'nas'
]
