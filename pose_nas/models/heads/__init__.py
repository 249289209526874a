# Copyright (c) pose_nas contributors. All rights reserved.
from .slim_deconv_head import SlimDeconvHead

__all__ = ['SlimDeconvHead']
from .vip_head import PartFabricHead  # noqa: E402

__all__ += ['PartFabricHead']
