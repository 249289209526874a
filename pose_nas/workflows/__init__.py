# Copyright (c) pose_nas contributors. All rights reserved.
"""Orchestration on top of MMPose's / MMDetection's own tools: the
architecture studies (:func:`run_study`), the synthetic end-to-end workflow's
helpers, and runners for MMPose's shipped tools and pose_nas's command lines.

The derive command line (``tools/derive_arch.py``) is
:mod:`pose_nas.workflows.derive_cli`; it is not imported here, so that
``python -m pose_nas.workflows.derive_cli`` runs it cleanly.
"""
from .config_retarget import retarget_config
from .metrics import box_iou, latest_metrics, match_topdown_results
from .study import check_study, markdown_table, run_study, summarize
from .tool_errors import AnnotationFileError, clear_data_errors
from .tool_runner import (mmpose_tool_main, mmpose_tool_path, run_mmpose_tool,
                          run_module, run_tool)

__all__ = [
    'retarget_config', 'latest_metrics', 'box_iou', 'match_topdown_results',
    'mmpose_tool_path', 'run_mmpose_tool', 'mmpose_tool_main', 'run_tool',
    'run_module', 'run_study', 'check_study', 'summarize', 'markdown_table',
    'AnnotationFileError', 'clear_data_errors'
]
