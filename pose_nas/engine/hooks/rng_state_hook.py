# Copyright (c) pose_nas contributors. All rights reserved.
"""Random-number-generator state in checkpoints, for exact resumption."""
from typing import Any, Dict, Optional

from mmengine.hooks import Hook

from pose_nas.registry import HOOKS
from ..utils import get_rng_state, set_rng_state

__all__ = ['RNGStateHook', 'get_rng_state', 'set_rng_state']


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
    uninterrupted one draws. Validation leaves the states as it found them
    (it runs mid-"epoch" in iteration-based loops, where a resumed run does
    not repeat it). A resume from a mid-epoch checkpoint continues at the
    saved iteration (the NAS train loops skip the seen batches without
    drawing random numbers).
    """

    priority = 'LOWEST'

    def __init__(self) -> None:
        self._snapshot: Optional[Dict[str, Any]] = None
        self._before_val: Optional[Dict[str, Any]] = None

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

    def before_val(self, runner) -> None:
        self._before_val = get_rng_state()

    def after_val(self, runner) -> None:
        if self._before_val is not None:
            set_rng_state(self._before_val)
            self._before_val = None
