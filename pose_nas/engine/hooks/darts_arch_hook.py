# Copyright (c) pose_nas contributors. All rights reserved.
"""Alternating DARTS architecture steps (first and second order)."""
from typing import Any, Dict, Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict
from mmengine.runner import IterBasedTrainLoop

from pose_nas.datasets.heldout_split import check_split_integrity
from pose_nas.nas.cost import ArchBudget
from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import HOOKS
from pose_nas.utils.checks import check_int
from ..utils import HeldOutBatches, compute_loss
from .darts_arch_grads import (LossFn, first_order_arch_grads,
                               sgd_virtual_step, unrolled_arch_grads)



def _default_loss(model: nn.Module, batch: Any) -> torch.Tensor:
    return compute_loss(model, batch)[0]


@HOOKS.register_module()
class DartsArchHook(Hook):
    """Alternating DARTS search inside MMEngine's standard train loops.

    Before every weight step (the runner's ordinary ``train_step`` on a train
    batch) this hook makes an architecture step on a batch of a held-out
    loader that never feeds the weight step (e.g. the ``'heldout'`` side of
    :class:`~pose_nas.datasets.HeldOutSplitDataset`, or another annotation
    file), with the ``arch`` optimizer of a
    :class:`~pose_nas.engine.optimizers.NASOptimWrapperConstructor` built with
    ``strategy='separate'``.

    Before training it checks that the held-out loader shares no image with
    the train loader (a ``ValueError`` otherwise, see
    :func:`~pose_nas.datasets.heldout_split.check_split_integrity`) and
    warns when the warm-up / interval leave no architecture step in the run.

    Args:
        arch_dataloader (dict): held-out dataloader config (built with
            ``Runner.build_dataloader``, so DDP samplers work).
        order (int): 1 (first-order) or 2 (unrolled, finite-difference
            Hessian-vector product).
        warmup_epochs (int): epochs during which only weights train.
        warmup_iters (int): same, in iterations (either may be used).
        interval (int): make an arch step every ``interval`` iterations.
        unroll_lr (float, optional): ``xi`` of the virtual step; defaults to
            the lr of each weight's param group. Order 2 unrolls the step of
            the configured weight optimizer, which must be SGD (momentum
            included; see :func:`sgd_virtual_step`): any other optimizer is
            refused before training.
        unroll_weight_decay (float, optional): weight decay of the virtual
            step; defaults to the weight optimizer's.
        fd_eps (float): finite-difference radius numerator.
        arch_key (str): name of the arch optim wrapper.
        weight_key (str): name of the weight optim wrapper.
        budget (dict, optional): budget-aware search: ``target`` (FLOPs of
            the whole model, e.g. ``0.6e9``), ``input_size`` ``(w, h)`` the
            budget refers to, ``weight`` of the penalty
            ``weight * log(E[FLOPs] / target)^2`` added to the arch loss.
            ``E[FLOPs]`` is the stem + head FLOPs plus, per searchable
            block, the softmax-weighted FLOPs of its candidates (a lookup
            table measured once with MMEngine's counter); the searchable
            module must offer ``cost_table`` / ``cost_logits``. With
            ``metric='latency'``, ``target`` is milliseconds and the
            per-candidate costs come from ``latency_table`` (a file of
            ``tools/build_latency_table.py`` for that input size); the other
            keys are :class:`~pose_nas.nas.cost.ArchBudget`'s.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 arch_dataloader: dict,
                 order: int = 1,
                 warmup_epochs: int = 0,
                 warmup_iters: int = 0,
                 interval: int = 1,
                 unroll_lr: Optional[float] = None,
                 unroll_weight_decay: Optional[float] = None,
                 fd_eps: float = 0.01,
                 arch_key: str = 'arch',
                 weight_key: str = 'weight',
                 budget: Optional[dict] = None) -> None:
        order = check_int(order, 'DartsArchHook: order')
        if order not in (1, 2):
            raise ValueError(f'DARTS order must be 1 or 2, got {order}')
        interval = check_int(interval, 'DartsArchHook: interval', 1)
        warmup_epochs = check_int(warmup_epochs,
                                  'DartsArchHook: warmup_epochs', 0)
        warmup_iters = check_int(warmup_iters, 'DartsArchHook: warmup_iters',
                                 0)
        self.arch_dataloader_cfg = arch_dataloader
        self.order = order
        self.warmup_epochs = warmup_epochs
        self.warmup_iters = warmup_iters
        self.interval = interval
        self.unroll_lr = unroll_lr
        self.unroll_weight_decay = unroll_weight_decay
        self.fd_eps = fd_eps
        self.arch_key = arch_key
        self.weight_key = weight_key
        self.stream: Optional[HeldOutBatches] = None
        self.arch_steps = 0
        self._pending: Optional[Dict[str, Any]] = None
        self.loss_fn: LossFn = _default_loss
        self.budget_cfg = dict(budget) if budget else None
        self.budget = None

    # -- setup ------------------------------------------------------------
    def before_train(self, runner) -> None:
        ow = runner.optim_wrapper
        if not isinstance(ow, OptimWrapperDict) or self.arch_key not in ow:
            raise RuntimeError(
                'DartsArchHook needs a separate arch optimizer: set '
                "optim_wrapper=dict(constructor='NASOptimWrapperConstructor',"
                " ..., arch=dict(strategy='separate', ...))")
        if isinstance(self.arch_dataloader_cfg, dict):
            loader = runner.build_dataloader(
                self.arch_dataloader_cfg,
                seed=runner.seed,
                diff_rank_seed=runner._randomness_cfg.get(
                    'diff_rank_seed', False))
        else:
            loader = self.arch_dataloader_cfg
        if self.order == 2:  # refuse an optimizer we cannot unroll, now
            sgd_virtual_step(ow[self.weight_key].optimizer, [])
        check_split_integrity(runner.train_dataloader.dataset, loader.dataset,
                              'train_cfg.search.darts.arch_dataloader')
        self._warn_if_no_arch_step(runner)
        self.stream = HeldOutBatches(loader)
        if self.budget_cfg is not None:
            self.budget = ArchBudget.from_config(
                ArchMutator.of(runner.model).model, self.budget_cfg)
            runner.logger.info(f'budget-aware search: '
                               f'{self.budget.describe()}')
        if self._pending is not None:
            self.stream.load_state_dict(self._pending['heldout'])
            self.arch_steps = self._pending.get('arch_steps', 0)
            self._pending = None

    def _warn_if_no_arch_step(self, runner) -> None:
        """Warn when no iteration of the run is past the warm-up and on the
        ``interval``: such a search exports its initial architecture."""
        max_iters = runner.max_iters
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            start = max_iters if self.warmup_epochs > 0 else 0
        else:
            start = self.warmup_epochs * len(runner.train_dataloader)
        start = max(start, self.warmup_iters)
        first = -(-start // self.interval) * self.interval
        if first < max_iters:
            return
        if self.warmup_epochs > 0 and isinstance(runner.train_loop,
                                                 IterBasedTrainLoop):
            why = (f'warmup_epochs={self.warmup_epochs} in an iteration-'
                   f'based loop (one epoch; use warmup_iters)')
        elif self.warmup_epochs >= runner.max_epochs:
            why = (f'warmup_epochs={self.warmup_epochs} >= max_epochs='
                   f'{runner.max_epochs}')
        elif self.warmup_iters >= max_iters:
            why = (f'warmup_iters={self.warmup_iters} >= max_iters='
                   f'{max_iters}')
        else:
            why = (f'interval={self.interval} after the warm-up leaves no '
                   f'step before max_iters={max_iters}')
        runner.logger.warning(
            f'DartsArchHook: {why} (train_cfg.search.darts): this search '
            f'makes 0 architecture steps; its architecture stays the '
            f'initial one')

    def before_train_epoch(self, runner) -> None:
        self.stream.start_epoch(runner.epoch)

    # -- the arch step ----------------------------------------------------
    def _active(self, runner) -> bool:
        if runner.epoch < self.warmup_epochs or runner.iter < self.warmup_iters:
            return False
        return runner.iter % self.interval == 0

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Any = None) -> None:
        if not self._active(runner):
            return
        mutator = ArchMutator.of(runner.model)
        model = mutator.model
        arch = mutator.arch_parameters()
        arch_wrapper = runner.optim_wrapper[self.arch_key]
        val_batch = self.stream.next()
        val_loss_fn = self.loss_fn
        if self.budget is not None:
            budget = self.budget

            def val_loss_fn(m, b):
                loss = self.loss_fn(m, b)
                return loss + budget.penalty().to(loss.dtype)

        if self.order == 1:
            loss, grads = first_order_arch_grads(model, val_loss_fn,
                                                 val_batch, arch)
        else:
            weights = mutator.weight_parameters()
            step = sgd_virtual_step(
                runner.optim_wrapper[self.weight_key].optimizer, weights,
                self.unroll_lr, self.unroll_weight_decay)
            loss, grads = unrolled_arch_grads(model, self.loss_fn,
                                              data_batch, val_batch, arch,
                                              weights, fd_eps=self.fd_eps,
                                              val_loss_fn=val_loss_fn, **step)
        for p, g in zip(arch, grads):
            p.grad = g.detach().clone()
        arch_wrapper.step()
        arch_wrapper.zero_grad()
        self.arch_steps += 1
        runner.message_hub.update_scalar('train/arch_loss', float(loss))
        if self.budget is not None:
            with torch.no_grad():
                expected = float(self.budget.expected())
            if self.budget.metric == 'latency':
                runner.message_hub.update_scalar('train/expected_latency_ms',
                                                 expected)
            else:
                runner.message_hub.update_scalar('train/expected_gflops',
                                                 expected / 1e9)

    def after_train_epoch(self, runner) -> None:
        if self.budget is not None:
            ArchMutator.of(runner.model).record_budget(
                self.budget.target, self.budget.project())

    # -- checkpoints ------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.setdefault('nas_state', {})
        state['darts'] = dict(
            heldout=self.stream.state_dict() if self.stream else None,
            arch_steps=self.arch_steps)
        if self.budget is not None:
            state['darts']['budget'] = dict(
                metric=self.budget.metric,
                target=self.budget.target,
                fixed=self.budget.fixed,
                choices=self.budget.project())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('nas_state', {}).get('darts')
        if runner._resume and state and state.get('heldout') is not None:
            self._pending = state
