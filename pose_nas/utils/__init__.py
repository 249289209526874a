# Copyright (c) pose_nas contributors. All rights reserved.
"""Small helpers shared by the tools."""
from .benchmark_report import (machine_info, markdown_table, read_notes,
                               write_json, write_markdown)

__all__ = [
    'machine_info', 'markdown_table', 'read_notes', 'write_json',
    'write_markdown'
]
