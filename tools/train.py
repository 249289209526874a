# Copyright (c) pose_nas contributors. All rights reserved.
"""Thin wrapper around MMPose's own ``tools/train.py``.

It accepts exactly the arguments of MMPose's script (see ``--help``) and
behaves the same; it only makes sure pose_nas is imported first, so configs
without ``custom_imports`` can still use pose_nas modules, and reports a bad
checkpoint (one that does not fit a pose_nas model, or cannot be read) or
an annotation file without a usable sample as one line
``train.py: error: ...`` (exit status 1) instead of a traceback.
"""
from pose_nas.workflows import mmpose_tool_main

if __name__ == '__main__':
    mmpose_tool_main('train.py')
