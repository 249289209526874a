# Copyright (c) pose_nas contributors. All rights reserved.
"""Locate and run the tools shipped inside the installed MMPose package.

MMPose installs its ``tools/`` (train.py, test.py, ...) under
``site-packages/mmpose/.mim/tools``. pose_nas never forks them: our own
``tools/train.py`` and ``tools/test.py`` import pose_nas (so its registry
entries and compatibility shims exist) and hand over to MMPose's script.
"""
import os.path as osp
import runpy
import sys
from typing import List, Optional


def mmpose_tool_path(name: str) -> str:
    """Return the absolute path of a tool shipped with MMPose.

    Args:
        name (str): Path of the tool relative to MMPose's ``tools`` folder,
            e.g. ``'train.py'`` or ``'analysis_tools/get_flops.py'``.

    Returns:
        str: The absolute path of the script.

    Raises:
        FileNotFoundError: If the installed MMPose does not ship the tool.
    """
    import mmpose
    path = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools', name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'MMPose {mmpose.__version__} does not ship tools/{name} '
            f'(looked for {path}); reinstall mmpose from its wheel.')
    return path


def run_mmpose_tool(name: str, argv: Optional[List[str]] = None) -> None:
    """Run one of MMPose's tools in this process, as ``python tools/<name>``.

    Args:
        name (str): Tool path relative to MMPose's ``tools`` folder.
        argv (list[str], optional): Command-line arguments for the tool.
            Defaults to ``sys.argv[1:]``.
    """
    import pose_nas  # noqa: F401  registers modules, applies compat shims
    script = mmpose_tool_path(name)
    args = sys.argv[1:] if argv is None else list(argv)
    old_argv = sys.argv
    sys.argv = [script] + args
    try:
        runpy.run_path(script, run_name='__main__')
    finally:
        sys.argv = old_argv
