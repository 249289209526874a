# Copyright (c) pose_nas contributors. All rights reserved.
"""Shared pytest fixtures."""
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root() -> str:
    """Absolute path of the repository checkout."""
    return REPO_ROOT
