# Copyright (c) pose_nas contributors. All rights reserved.
"""Shared pytest fixtures."""
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root() -> str:
    """Absolute path of the repository checkout."""
    return REPO_ROOT


@pytest.fixture(autouse=True)
def _mmpose_default_scope():
    """Every test starts in MMPose's default scope: a test that builds an
    MMDetection model leaves ``mmdet`` as MMEngine's global default scope,
    and registry lookups of a later test would then search mmdet's tree."""
    from mmengine.registry import DefaultScope, init_default_scope
    init_default_scope('mmpose')
    yield
    if DefaultScope.get_current_instance() is not None:
        init_default_scope('mmpose')
