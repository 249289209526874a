# Copyright (c) pose_nas contributors. All rights reserved.
"""An :class:`OptimWrapperDict` whose primary wrapper serves ``train_step``."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapperDict

from pose_nas.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class NASOptimWrapperDict(OptimWrapperDict):
    """``weight`` and ``arch`` optimizer wrappers in one object.

    MMEngine's :class:`OptimWrapperDict` refuses ``update_params`` because it
    cannot know which optimizer a loss is for. In a search, the model's own
    ``train_step`` (MMPose's, unchanged) is always the weight step, so this
    dict forwards ``update_params`` / ``backward`` / ``step`` /
    ``optim_context`` to the ``primary`` wrapper (``'weight'``). The arch
    step is made by a strategy hook through ``optim_wrapper['arch']``.
    Checkpoints and dict-form ``param_scheduler`` work as with any
    :class:`OptimWrapperDict`: each wrapper keeps its own state and LR
    schedule.
    """

    def __init__(self, primary: str = 'weight', **optim_wrappers) -> None:
        super().__init__(**optim_wrappers)
        if primary not in self.optim_wrappers:
            raise KeyError(f'primary optim wrapper {primary!r} not among '
                           f'{list(self.optim_wrappers)}')
        self.primary = primary

    @property
    def primary_wrapper(self):
        return self.optim_wrappers[self.primary]

    def update_params(self, loss: torch.Tensor, step_kwargs=None,
                      zero_kwargs=None) -> None:
        self.primary_wrapper.update_params(loss, step_kwargs, zero_kwargs)

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        self.primary_wrapper.backward(loss, **kwargs)

    def step(self, **kwargs) -> None:
        self.primary_wrapper.step(**kwargs)

    @contextmanager
    def optim_context(self, model: nn.Module):
        with self.primary_wrapper.optim_context(model):
            yield

    def initialize_count_status(self, model: nn.Module, cur_iter: int,
                                max_iters: int) -> None:
        for wrapper in self.optim_wrappers.values():
            wrapper.initialize_count_status(model, cur_iter, max_iters)
