# Copyright (c) pose_nas contributors. All rights reserved.
"""Helpers shared by the strategy hooks and loops: losses, distributed
sync, random-generator states, the held-out batch stream."""
import random
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np
import torch
import torch.distributed as torch_dist
import torch.nn as nn
from mmengine.dist import get_world_size, is_distributed
from torch.utils.data import DataLoader

from pose_nas.nas.arch import unwrap_model


def compute_loss(model: nn.Module,
                 data_batch: Any) -> Tuple[torch.Tensor, Dict[str, Any]]:
    """The training loss of an MMEngine model on one batch, without the DDP
    wrapper's gradient synchronisation (callers sync what they need).

    Returns:
        tuple: ``(loss, log_vars)`` as ``BaseModel.parse_losses`` gives.
    """
    model = unwrap_model(model)
    data = model.data_preprocessor(data_batch, True)
    losses = model._run_forward(data, mode='loss')
    return model.parse_losses(losses)


def all_reduce_mean_(tensors: Iterable[Optional[torch.Tensor]]) -> None:
    """Average tensors in place over ranks (no-op when not distributed)."""
    if not is_distributed():
        return
    world = get_world_size()
    for t in tensors:
        if t is None:
            continue
        torch_dist.all_reduce(t, op=torch_dist.ReduceOp.SUM)
        t.div_(world)


def all_reduce_grads_(params: Iterable[nn.Parameter]) -> None:
    """Average ``.grad`` of ``params`` over ranks; a missing grad counts as
    zero so that every rank joins every collective."""
    if not is_distributed():
        return
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    all_reduce_mean_(p.grad for p in params)


def broadcast_(tensors: Iterable[torch.Tensor], src: int = 0) -> None:
    """Broadcast tensors in place from ``src`` (no-op when not
    distributed)."""
    if not is_distributed():
        return
    for t in tensors:
        torch_dist.broadcast(t.data if isinstance(t, nn.Parameter) else t,
                             src)


def broadcast_ints(values: List[int], src: int = 0) -> List[int]:
    """Rank ``src``'s list of ints on every rank."""
    if not is_distributed():
        return list(values)
    t = torch.tensor(values, dtype=torch.long)
    torch_dist.broadcast(t, src)
    return [int(v) for v in t.tolist()]


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
    """Restore what :func:`get_rng_state` returned (also after a
    checkpoint round trip)."""
    random.setstate(_as_python_state(state['python']))
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _as_python_state(s):
    # checkpoints may turn the inner tuple into a list
    version, internal, gauss = s
    return (version, tuple(internal), gauss)


@contextmanager
def rng_preserved() -> Iterator[None]:
    """Run a block without changing the random generators' states (e.g.
    data loaded only to skip it on resume)."""
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def skip_batches(iterator: Iterator, num: int) -> None:
    """Advance a dataloader iterator by ``num`` batches, leaving the random
    generators as they were (the skipped batches are loaded, as MMEngine's
    iteration-based resume does, but their augmentation draws are
    undone)."""
    with rng_preserved():
        for _ in range(num):
            next(iterator)


class HeldOutBatches:
    """An endless, resumable stream of batches from a held-out loader.

    Every epoch restarts the stream with ``sampler.set_epoch(epoch)`` (also
    under DDP, so the held-out order changes per epoch like the train
    order); within an epoch the loader is cycled, each cycle with its own
    sampler seed. The position (epoch, cycle, batches consumed) is saved
    in checkpoints so that a resumed search sees the same batches.
    """

    def __init__(self, dataloader: DataLoader) -> None:
        if len(dataloader) == 0:
            raise ValueError('the held-out dataloader is empty')
        self.dataloader = dataloader
        self.epoch = 0
        self.cycle = 0
        self.consumed = 0
        self._iter = None
        self._pending: Optional[Dict[str, int]] = None

    def _set_sampler_epoch(self, value: int) -> None:
        sampler = getattr(self.dataloader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(value)
        batch_sampler = getattr(self.dataloader, 'batch_sampler', None)
        inner = getattr(batch_sampler, 'sampler', None)
        if inner is not sampler and hasattr(inner, 'set_epoch'):
            inner.set_epoch(value)

    def _start(self) -> None:
        # distinct sampler epochs per (epoch, cycle)
        self._set_sampler_epoch(self.epoch * 1000 + self.cycle)
        self._iter = iter(self.dataloader)

    def start_epoch(self, epoch: int) -> None:
        """Restart the stream for ``epoch`` (a pending resumed position of
        the same epoch is restored)."""
        self.epoch, self.cycle, self.consumed = epoch, 0, 0
        pending, self._pending = self._pending, None
        if pending is not None and pending['epoch'] == epoch:
            self.cycle = pending['cycle']
            with rng_preserved():
                self._start()
            skip_batches(self._iter, pending['consumed'])
            self.consumed = pending['consumed']
        else:
            self._start()

    def next(self) -> Any:
        if self._iter is None:
            self.start_epoch(self.epoch)
        try:
            batch = next(self._iter)
        except StopIteration:
            self.cycle += 1
            self.consumed = 0
            self._start()
            batch = next(self._iter)
        self.consumed += 1
        return batch

    def state_dict(self) -> Dict[str, int]:
        return dict(epoch=self.epoch, cycle=self.cycle,
                    consumed=self.consumed)

    def load_state_dict(self, state: Dict[str, int]) -> None:
        self._pending = dict(state)
