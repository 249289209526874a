# Copyright (c) pose_nas contributors. All rights reserved.
"""MMEngine's train loops, reading a search strategy from ``train_cfg``."""
import logging
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from torch.utils.data import DataLoader

from pose_nas.registry import LOOPS
from ..strategies import expand_search
from ..utils import rng_preserved, skip_batches


def apply_search(runner, search: Optional[dict]) -> None:
    """Set up ``search`` (see :mod:`pose_nas.engine.strategies`) on a runner
    whose optimizer is not built yet: route the architecture parameters
    (optim-wrapper constructor, LR schedules, ``MixedOp`` mode) and register
    the strategy's hooks. ``None`` does nothing.

    MMEngine builds the train loop right before the optimizer wrappers and
    the LR schedulers (``Runner.train``), so a loop is where a config's
    search can still decide how they are built.
    """
    if not search:
        return
    if not isinstance(runner.optim_wrapper, dict):
        raise RuntimeError('train_cfg.search must be set up before the '
                           'optimizer is built (build the train loop first)')
    optim_wrapper, schedulers, hooks = expand_search(
        search, runner.optim_wrapper, runner.param_schedulers,
        [type(h).__name__ for h in runner.hooks])
    runner.optim_wrapper = optim_wrapper
    runner.param_schedulers = schedulers
    for hook in hooks:
        runner.register_hook(hook)
    runner.logger.info(f'NAS search: strategy {search["strategy"]!r}, '
                       f'arch params {optim_wrapper["arch"]}, hooks '
                       f'{[h["type"] for h in hooks]}')


@LOOPS.register_module()
class NASEpochBasedTrainLoop(EpochBasedTrainLoop):
    """MMEngine's :class:`EpochBasedTrainLoop` with a search strategy, and
    exact resumption from a mid-epoch checkpoint (``CheckpointHook`` with
    ``by_epoch=False``): the resumed epoch skips the batches the checkpoint
    has already trained on instead of training on the whole epoch again.

    Example::

        train_cfg = dict(
            type='NASEpochBasedTrainLoop', max_epochs=10, val_interval=10,
            search=dict(strategy='darts1',
                        darts=dict(arch_dataloader=arch_dataloader)))

    Args:
        search (dict, optional): ``strategy`` (``'sync'``, ``'darts1'``,
            ``'darts2'``, ``'random'``, ``'gumbel'``, ``'gdas'``, ``'pc'``,
            ``'reinforce'``, or a combination such as
            ``'gumbel+reinforce'`` or ``'darts1+pc'``), the architecture
            optimizer (``arch_optimizer``, ``arch_param_scheduler``), the
            genotype logger's options (``logger``) and each strategy's own
            options in a section named after it (``darts``, ``random``,
            ``gumbel``, ``gdas``, ``pc``, ``reinforce``). None: plain
            training.
        Other arguments: as :class:`EpochBasedTrainLoop`.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None,
                 search: Optional[dict] = None) -> None:
        apply_search(runner, search)
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        self.search = search

    def run_epoch(self) -> None:
        """Iterate one epoch (the rest of it after a mid-epoch resume)."""
        done = self._iter - self._epoch * len(self.dataloader)
        if not 0 < done <= len(self.dataloader):
            return super().run_epoch()
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        if done < len(self.dataloader):
            print_log(f'resuming epoch {self._epoch + 1} at batch {done}: '
                      f'skipping the {done} batches already trained on',
                      logger='current', level=logging.INFO)
            with rng_preserved():
                batches = iter(self.dataloader)
            skip_batches(batches, done)
            for idx, data_batch in enumerate(batches, start=done):
                self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1


@LOOPS.register_module()
class NASIterBasedTrainLoop(IterBasedTrainLoop):
    """MMEngine's :class:`IterBasedTrainLoop` with a search strategy
    (``search`` as in :class:`NASEpochBasedTrainLoop`).

    On resume, the batches already trained on are skipped as MMEngine does,
    but without drawing random numbers, so that a resumed run sees exactly
    the batches (and augmentations) of an uninterrupted one.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_iters: int,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[Sequence[Tuple[int,
                                                            int]]] = None,
                 search: Optional[dict] = None) -> None:
        apply_search(runner, search)
        super().__init__(runner, dataloader, max_iters, val_begin,
                         val_interval, dynamic_intervals)
        self.search = search

    def run(self):
        """Launch training (MMEngine's loop with an RNG-neutral skip)."""
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            print_log(f'resuming at iteration {self._iter}: skipping the '
                      f'{self._iter} batches already trained on',
                      logger='current', level=logging.INFO)
            skip_batches(self.dataloader_iterator, self._iter)
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            data_batch = next(self.dataloader_iterator)
            self.run_iter(data_batch)
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None
                    and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
