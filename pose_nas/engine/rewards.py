# Copyright (c) pose_nas contributors. All rights reserved.
"""Rewards for controller-driven (REINFORCE) searches.

A reward is called as ``reward(runner, model, decisions) -> float`` after the
decisions have been applied to the searchable module. Rewards are registered
in MMPose's ``TASK_UTILS`` registry.
"""
import importlib
from typing import Any, Callable, Optional, Sequence, Union

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed
from mmpose.registry import TASK_UTILS


@TASK_UTILS.register_module()
class EvaluatorReward:
    """A metric of an MMPose evaluator on a validation subset, computed with
    the current (shared) supernet weights.

    Args:
        dataloader (dict): validation dataloader config; restrict it to a
            subset with the dataset's ``indices`` (e.g. ``indices=64``).
        evaluator (dict | list): evaluator config, e.g.
            ``dict(type='CocoMetric')`` (without ``ann_file`` the ground
            truth is taken from the subset itself).
        metric (str): key of the returned metric, e.g. ``'coco/AP'``.
        max_batches (int, optional): stop after this many batches.
    """

    def __init__(self,
                 dataloader: dict,
                 evaluator: Union[dict, list],
                 metric: str = 'coco/AP',
                 max_batches: Optional[int] = None) -> None:
        self.dataloader_cfg = dataloader
        self.evaluator_cfg = evaluator
        self.metric = metric
        self.max_batches = max_batches
        self.dataloader = None
        self.evaluator = None

    def setup(self, runner) -> None:
        self.dataloader = runner.build_dataloader(
            self.dataloader_cfg, seed=runner.seed)
        self.evaluator = runner.build_evaluator(self.evaluator_cfg)
        meta = getattr(self.dataloader.dataset, 'metainfo', None)
        if meta is not None:
            self.evaluator.dataset_meta = meta

    @torch.no_grad()
    def __call__(self, runner, model, decisions: Sequence[int]) -> float:
        if self.dataloader is None:
            self.setup(runner)
        was_training = model.training
        model.eval()
        count = 0
        try:
            for i, batch in enumerate(self.dataloader):
                if self.max_batches is not None and i >= self.max_batches:
                    break
                outputs = model.val_step(batch)
                self.evaluator.process(data_samples=outputs, data_batch=batch)
                count += len(outputs)
            if is_distributed():
                t = torch.tensor([count], dtype=torch.long)
                torch_dist.all_reduce(t)
                count = int(t.item())
            metrics = self.evaluator.evaluate(count)
        finally:
            model.train(was_training)
        if self.metric not in metrics:
            raise KeyError(f'reward metric {self.metric!r} not among the '
                           f'evaluator results {sorted(metrics)}')
        return float(metrics[self.metric])


@TASK_UTILS.register_module()
class CallableReward:
    """Reward from a plain function of the decision vector (synthetic
    problems, unit tests, latency models).

    Args:
        fn (callable | str): ``fn(decisions) -> float`` or an import path
            ``'package.module:function'``.
    """

    def __init__(self, fn: Union[Callable[[Sequence[int]], float],
                                 str]) -> None:
        if isinstance(fn, str):
            if ':' not in fn:
                raise ValueError("fn path must look like 'module:function', "
                                 f'got {fn!r}')
            mod, name = fn.split(':', 1)
            fn = getattr(importlib.import_module(mod), name)
        if not callable(fn):
            raise TypeError(f'reward fn must be callable, got {fn!r}')
        self.fn = fn

    def setup(self, runner) -> None:
        pass

    def __call__(self, runner: Any, model: Any,
                 decisions: Sequence[int]) -> float:
        return float(self.fn(list(decisions)))
