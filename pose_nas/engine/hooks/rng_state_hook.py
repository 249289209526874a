# Copyright (c) pose_nas contributors. All rights reserved.
"""Random-number-generator state in checkpoints, for exact resumption."""
import random
from typing import Any, Dict, Optional

import numpy as np
import torch
from mmengine.hooks import Hook

from pose_nas.registry import HOOKS


def get_rng_state() -> Dict[str, Any]:
    """Python, numpy and torch (CPU, CUDA) generator states."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict[str, Any]) -> None:
    random.setstate(_as_python_state(state['python']))
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _as_python_state(s):
    # checkpoints may turn the inner tuple into a list
    version, internal, gauss = s
    return (version, tuple(internal), gauss)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the RNG states in checkpoints and make every epoch start from
    the state the previous one ended with.

    MMEngine's resume restores the seed, not the generators' states, so
    random augmentation, Gumbel noise and sampling differ after a resume.
    This hook stores the states in each checkpoint (``rng_state``) and
    restores them on resume. It also snapshots the states at the end of each
    epoch (after the checkpoint is written) and re-applies them when the
    next epoch begins, so whatever runs in between (validation, loaders
    being built on resume) cannot shift the training randomness: an
    interrupted-and-resumed search draws exactly the numbers an
    uninterrupted one draws.
    """

    priority = 'LOWEST'

    def __init__(self) -> None:
        self._snapshot: Optional[Dict[str, Any]] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = get_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        if state is not None and runner._resume:
            set_rng_state(state)
            self._snapshot = state

    def after_train_epoch(self, runner) -> None:
        self._snapshot = get_rng_state()

    def before_train_epoch(self, runner) -> None:
        if self._snapshot is not None:
            set_rng_state(self._snapshot)
