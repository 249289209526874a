# Copyright (c) pose_nas contributors. All rights reserved.
"""Routes architecture parameters to where the search strategy wants them."""
import copy
from typing import List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import (OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                               OPTIMIZERS)
from .nas_optim_wrapper_dict import NASOptimWrapperDict

#: The default optimizer of a separate arch step (DARTS, Liu et al.,
#: ICLR 2019, Sec. 3.1.2: Adam, lr 3e-4, betas (0.5, 0.999), wd 1e-3).
DEFAULT_ARCH_OPTIMIZER = dict(
    type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)
ARCH_STRATEGIES = ('joint', 'separate', 'frozen')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class NASOptimWrapperConstructor:
    """Build the optimizer(s) of a search.

    Architecture parameters are recognised by the ``arch_*`` naming
    convention (:mod:`pose_nas.nas.arch`) and are never given the weight
    optimizer's settings:

    - ``strategy='joint'`` (synchronous search): one optimizer; the weights
      keep the usual groups (``paramwise_cfg`` works as in MMEngine) and the
      architecture parameters get their own group with their own ``lr``,
      ``weight_decay`` (0 unless configured) and optional ``betas`` /
      ``momentum``.
    - ``strategy='separate'`` (DARTS first/second order): a
      :class:`NASOptimWrapperDict` with a ``weight`` wrapper that does not
      hold the architecture parameters and an ``arch`` wrapper with its own
      optimizer (default Adam, lr 3e-4, betas (0.5, 0.999), wd 1e-3, as in
      DARTS). ``param_scheduler`` may then be a dict keyed by
      ``weight`` / ``arch``.
    - ``strategy='frozen'`` (random architectures, controller-driven
      decisions): the architecture parameters are left out of every
      optimizer.

    Example::

        optim_wrapper = dict(
            constructor='NASOptimWrapperConstructor',
            optimizer=dict(type='Adam', lr=1e-3),
            arch=dict(strategy='separate',
                      optimizer=dict(type='Adam', lr=3e-4,
                                     betas=(0.5, 0.999),
                                     weight_decay=1e-3)))

    A config usually does not write the ``arch`` dict: a ``search =
    dict(strategy=...)`` section sets it (see
    :mod:`pose_nas.engine.strategies`), including ``mixed_op_mode``, the
    :class:`~pose_nas.nas.mixed_op.MixedOp` mode the strategy searches with
    (set on the model when the optimizer is built).

    Args:
        optim_wrapper_cfg (dict): the weight optim wrapper config plus an
            ``arch`` dict (``strategy``; ``mixed_op_mode``; ``lr`` /
            ``weight_decay`` / ``betas`` / ``momentum`` for ``joint``;
            ``optimizer`` / ``type`` / ``clip_grad`` for ``separate``).
        paramwise_cfg (dict, optional): applied to the weights only.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        cfg = copy.deepcopy(dict(optim_wrapper_cfg))
        arch_cfg = dict(cfg.pop('arch', None) or {})
        self.strategy = arch_cfg.pop('strategy', 'joint')
        self.mixed_op_mode = arch_cfg.pop('mixed_op_mode', None)
        if self.strategy not in ARCH_STRATEGIES:
            raise ValueError(f'arch strategy must be one of {ARCH_STRATEGIES}'
                             f', got {self.strategy!r}')
        self.arch_cfg = arch_cfg
        if 'optimizer' not in cfg:
            raise KeyError('optim_wrapper needs an `optimizer` for the weights')
        self.weight_constructor = DefaultOptimWrapperConstructor(
            cfg, paramwise_cfg)
        self.optim_wrapper_cfg = cfg
        self.paramwise_cfg = paramwise_cfg

    def _weight_groups(self, model: nn.Module,
                       arch_ids: set) -> List[dict]:
        if self.paramwise_cfg:
            groups: List[dict] = []
            self.weight_constructor.add_params(groups, model)
            return [
                g for g in groups
                if not any(id(p) in arch_ids for p in g['params'])
            ]
        return [{
            'params':
            [p for p in model.parameters() if id(p) not in arch_ids]
        }]

    def _build_optimizer(self, optimizer_cfg: dict, params: list):
        optimizer_cfg = copy.deepcopy(dict(optimizer_cfg))
        optimizer_cfg['params'] = params
        return OPTIMIZERS.build(optimizer_cfg)

    def __call__(self, model: nn.Module) -> OptimWrapper:
        mutator = ArchMutator.of(model)
        model = mutator.model
        if self.mixed_op_mode is not None:
            mutator.set_mixed_op(mode=self.mixed_op_mode)
        arch = mutator.arch_parameters()
        arch_ids = {id(p) for p in arch}
        if not arch and self.strategy != 'frozen':
            raise ValueError(
                f'arch strategy {self.strategy!r} needs architecture '
                'parameters (nn.Parameter attributes named arch_*), but the '
                'model has none; a derived (genotype=) model trains with '
                "MMEngine's default constructor")
        groups = self._weight_groups(model, arch_ids)
        wrapper_cfg = copy.deepcopy(self.optim_wrapper_cfg)
        optimizer_cfg = wrapper_cfg.pop('optimizer')
        wrapper_cfg.setdefault('type', 'OptimWrapper')

        if self.strategy == 'joint':
            extra = {
                k: self.arch_cfg[k]
                for k in ('lr', 'betas', 'momentum', 'eps')
                if k in self.arch_cfg
            }
            unknown = set(self.arch_cfg) - {
                'lr', 'betas', 'momentum', 'eps', 'weight_decay'
            }
            if unknown:
                raise KeyError(f'unknown arch options for the joint strategy:'
                               f' {sorted(unknown)}')
            groups.append(
                dict(
                    params=arch,
                    weight_decay=self.arch_cfg.get('weight_decay', 0.0),
                    name='arch',
                    **extra))
            optimizer = self._build_optimizer(optimizer_cfg, groups)
            return OPTIM_WRAPPERS.build(
                wrapper_cfg, default_args=dict(optimizer=optimizer))

        weight_wrapper = OPTIM_WRAPPERS.build(
            wrapper_cfg,
            default_args=dict(
                optimizer=self._build_optimizer(optimizer_cfg, groups)))
        if self.strategy == 'frozen':
            return weight_wrapper

        arch_wrapper_cfg = copy.deepcopy(self.arch_cfg)
        arch_optimizer_cfg = arch_wrapper_cfg.pop('optimizer',
                                                  DEFAULT_ARCH_OPTIMIZER)
        arch_wrapper_cfg.setdefault('type', 'OptimWrapper')
        arch_wrapper = OPTIM_WRAPPERS.build(
            arch_wrapper_cfg,
            default_args=dict(
                optimizer=self._build_optimizer(arch_optimizer_cfg, arch)))
        return NASOptimWrapperDict(weight=weight_wrapper, arch=arch_wrapper)
