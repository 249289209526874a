# Copyright (c) pose_nas contributors. All rights reserved.
"""Small helpers shared by the tools."""
from .benchmark_report import (machine_info, markdown_table, read_notes,
                               write_json, write_markdown)
from .timing import pinned_cpus, time_fn

__all__ = [
    'machine_info', 'markdown_table', 'read_notes', 'write_json',
    'write_markdown', 'time_fn', 'pinned_cpus'
]
