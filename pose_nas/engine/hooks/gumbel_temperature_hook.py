# Copyright (c) pose_nas contributors. All rights reserved.
"""Gumbel-softmax temperature schedule."""
import math
from typing import Optional

from mmengine.hooks import Hook

from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import HOOKS
from pose_nas.utils.checks import check_int

SCHEDULES = ('constant', 'linear', 'exponential', 'cosine')


def gumbel_temperature(progress: float, tau_start: float, tau_end: float,
                       schedule: str) -> float:
    """Temperature at ``progress`` in [0, 1] of the schedule."""
    progress = min(max(progress, 0.0), 1.0)
    if schedule == 'constant':
        return tau_start
    if schedule == 'linear':
        return tau_start + (tau_end - tau_start) * progress
    if schedule == 'exponential':
        return tau_start * (tau_end / tau_start)**progress
    if schedule == 'cosine':
        return tau_end + 0.5 * (tau_start - tau_end) * (
            1 + math.cos(math.pi * progress))
    raise ValueError(f'schedule must be one of {SCHEDULES}, got {schedule!r}')


@HOOKS.register_module()
class GumbelTemperatureHook(Hook):
    """Anneal the temperature of every Gumbel :class:`MixedOp` from
    ``tau_start`` (first epoch / iteration) to ``tau_end`` (last one).

    Args:
        tau_start (float): initial temperature.
        tau_end (float): final temperature.
        schedule (str): ``constant | linear | exponential | cosine``.
        by_epoch (bool): update per epoch (else per iteration).
        hard_from (int, optional): epoch (or iteration) from which the
            straight-through hard sample is used.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 tau_start: float = 5.0,
                 tau_end: float = 0.5,
                 schedule: str = 'exponential',
                 by_epoch: bool = True,
                 hard_from: Optional[int] = None) -> None:
        if schedule not in SCHEDULES:
            raise ValueError(f'schedule must be one of {SCHEDULES}, got '
                             f'{schedule!r}')
        if tau_start <= 0 or tau_end <= 0:
            raise ValueError('temperatures must be > 0')
        if hard_from is not None:
            hard_from = check_int(hard_from,
                                  'GumbelTemperatureHook: hard_from', 0)
        self.tau_start, self.tau_end = tau_start, tau_end
        self.schedule = schedule
        self.by_epoch = by_epoch
        self.hard_from = hard_from
        self.tau = tau_start

    def _apply(self, runner, step: int, total: int) -> None:
        progress = step / max(total - 1, 1)
        self.tau = gumbel_temperature(progress, self.tau_start, self.tau_end,
                                      self.schedule)
        attrs = dict(tau=self.tau)
        if self.hard_from is not None:
            attrs['hard'] = step >= self.hard_from
        n = ArchMutator.of(runner.model).set_mixed_op(**attrs)
        if n == 0:
            raise RuntimeError('GumbelTemperatureHook: the model has no '
                               'searchable MixedOp')
        runner.message_hub.update_scalar('train/gumbel_tau', self.tau)

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._apply(runner, runner.epoch, runner.max_epochs)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if not self.by_epoch:
            self._apply(runner, runner.iter, runner.max_iters)
