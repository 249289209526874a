# Copyright (c) pose_nas contributors. All rights reserved.
from .inference import init_topdown_inferencer, topdown_predict
from .mmpose_tools import mmpose_tool_path, run_mmpose_tool

__all__ = [
    'init_topdown_inferencer', 'topdown_predict', 'mmpose_tool_path',
    'run_mmpose_tool'
]
