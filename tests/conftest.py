# Copyright (c) pose_nas contributors. All rights reserved.
"""Shared pytest fixtures."""
import os
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def pytest_configure(config):
    """Under ``pytest -n N`` (pytest-xdist) every worker gets its share of
    the cores for torch and for the training runs it starts, so that N
    workers never oversubscribe the machine (an explicit OMP_NUM_THREADS
    wins)."""
    workers = os.environ.get('PYTEST_XDIST_WORKER_COUNT')
    if not workers or 'OMP_NUM_THREADS' in os.environ:
        return
    threads = max(1, len(os.sched_getaffinity(0)) // int(workers))
    os.environ['OMP_NUM_THREADS'] = os.environ['MKL_NUM_THREADS'] = str(
        threads)
    import torch
    torch.set_num_threads(threads)


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
