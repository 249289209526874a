# Copyright (c) pose_nas contributors. All rights reserved.
"""Thin wrapper around MMPose's own ``tools/train.py``.

It accepts exactly the arguments of MMPose's script (see ``--help``) and
behaves the same; it only makes sure pose_nas is imported first, so configs
without ``custom_imports`` can still use pose_nas modules.
"""
from pose_nas.workflows import run_mmpose_tool

if __name__ == '__main__':
    run_mmpose_tool('train.py')
