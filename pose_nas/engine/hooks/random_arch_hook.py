# Copyright (c) pose_nas contributors. All rights reserved.
"""The random-architecture baseline: arch params drawn once and frozen."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from pose_nas.nas.mutator import ArchMutator
from pose_nas.nas.random_arch import randomize_arch_parameters
from pose_nas.registry import HOOKS
from pose_nas.utils.checks import check_int
from ..utils import broadcast_


@HOOKS.register_module()
class RandomArchHook(Hook):
    """Draw every architecture parameter from ``N(0, std^2)`` with a fixed
    seed and keep it frozen (PNFS's random baseline).

    Parameters are drawn in name order from a private generator, so the
    architecture depends only on ``seed`` (not on the model's init or the
    global seed) and is identical on every rank. Use it with
    ``NASOptimWrapperConstructor(arch=dict(strategy='frozen'))``, which keeps
    the architecture parameters out of the optimizer; this hook refuses to
    run otherwise. Outside DDP the parameters get ``requires_grad=False``;
    under DDP (whose reducer expects them to keep their flag) their
    gradients are discarded after every iteration.

    Args:
        seed (int): generator seed.
        std (float): standard deviation.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, seed: int = 0, std: float = 1.0) -> None:
        self.seed = check_int(seed, 'RandomArchHook: seed')
        self.std = std
        self._params = []

    def before_train(self, runner) -> None:
        named = sorted(ArchMutator.of(runner.model).named_arch_parameters(),
                       key=lambda kv: kv[0])
        if not named:
            raise RuntimeError('RandomArchHook: the model has no '
                               'architecture parameters')
        ids = {id(p) for _, p in named}
        for group in _param_groups(runner.optim_wrapper):
            if any(id(p) in ids for p in group['params']):
                raise RuntimeError(
                    'RandomArchHook: architecture parameters are in an '
                    "optimizer; use arch=dict(strategy='frozen') in the "
                    'NASOptimWrapperConstructor config')
        randomize_arch_parameters(
            named, torch.Generator().manual_seed(self.seed), self.std)
        broadcast_([p for _, p in named])
        self._params = [p for _, p in named]
        if not is_model_wrapper(runner.model):
            for p in self._params:
                p.requires_grad_(False)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        for p in self._params:
            p.grad = None


def _param_groups(optim_wrapper):
    groups = optim_wrapper.param_groups
    if isinstance(groups, dict):
        out = []
        for g in groups.values():
            out.extend(g)
        return out
    return groups
