# Copyright (c) pose_nas contributors. All rights reserved.
"""Search strategies as MMEngine hooks, the arch-aware optimizer
constructor and controller rewards."""
from . import rewards  # noqa: F401
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
