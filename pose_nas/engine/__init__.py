# Copyright (c) pose_nas contributors. All rights reserved.
"""Search strategies (one named thing each: optimizer routing + MixedOp mode
+ hooks), the train loops that read a config's ``train_cfg.search``, the
hooks that run the strategies, the arch-aware optimizer constructor and
controller rewards."""
from . import rewards  # noqa: F401
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .strategies import *  # noqa: F401,F403
