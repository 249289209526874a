# Copyright (c) pose_nas contributors. All rights reserved.
"""MMEngine's train loops, reading a search strategy from ``train_cfg``."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from torch.utils.data import DataLoader

from pose_nas.registry import LOOPS
from ..strategies import expand_search


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
    """MMEngine's :class:`EpochBasedTrainLoop` with a search strategy.

    Example::

        train_cfg = dict(
            type='NASEpochBasedTrainLoop', max_epochs=10, val_interval=10,
            search=dict(strategy='darts1',
                        darts=dict(arch_dataloader=arch_dataloader)))

    Args:
        search (dict, optional): ``strategy`` (``'sync'``, ``'darts1'``,
            ``'darts2'``, ``'random'``, ``'gumbel'``, ``'reinforce'``, or a
            combination such as ``'gumbel+reinforce'``), the architecture
            optimizer (``arch_optimizer``, ``arch_param_scheduler``), the
            genotype logger's options (``logger``) and each strategy's own
            options in a section named after it (``darts``, ``random``,
            ``gumbel``, ``reinforce``). None: plain training.
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


@LOOPS.register_module()
class NASIterBasedTrainLoop(IterBasedTrainLoop):
    """MMEngine's :class:`IterBasedTrainLoop` with a search strategy
    (``search`` as in :class:`NASEpochBasedTrainLoop`)."""

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
