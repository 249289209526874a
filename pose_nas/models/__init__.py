# Copyright (c) pose_nas contributors. All rights reserved.
from .autopose import *  # noqa: F401,F403
from .common import *  # noqa: F401,F403
from .efficientpose import *  # noqa: F401,F403
from .pnfs import *  # noqa: F401,F403
from .posenas import *  # noqa: F401,F403
