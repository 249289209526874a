# Copyright (c) pose_nas contributors. All rights reserved.
"""Switch a search space to partial-channel edges before training."""
import copy
from typing import Dict, List

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict

from pose_nas.nas.arch import is_arch_param_name
from pose_nas.nas.cell import set_partial_channels
from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import HOOKS
from pose_nas.utils.checks import check_int


def _optimizers(optim_wrapper) -> List[torch.optim.Optimizer]:
    """The built optimizers (none before they are built: a test run)."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        return [w.optimizer for w in optim_wrapper.values()]
    if isinstance(optim_wrapper, OptimWrapper):
        return [optim_wrapper.optimizer]
    return []


def swap_optimizer_params(optimizers: List[torch.optim.Optimizer],
                          before: Dict[str, nn.Parameter],
                          after: Dict[str, nn.Parameter]) -> List[str]:
    """Put a rebuilt model's parameters where the old ones were.

    A parameter whose name existed before takes the old one's place in its
    param group (same lr, weight decay, paramwise settings); one that is
    gone leaves its group; a new architecture parameter joins the group
    that holds the other architecture parameters (none: it stays out, as
    with frozen routing), a new weight the group of the first weight.

    Args:
        optimizers (list): the torch optimizers (no step taken yet).
        before / after (dict): qualified name -> parameter, before and
            after the model changed.

    Returns:
        list[str]: the new names (not in ``before``).
    """
    new_id = {id(p): after.get(n) for n, p in before.items()}
    added = [n for n in after if n not in before]
    arch_ids = {id(p) for n, p in before.items() if is_arch_param_name(n)}
    arch_group = weight_group = None
    for opt in optimizers:
        if opt.state:
            raise RuntimeError('partial channels must be switched on before '
                               'the first optimizer step')
        for group in opt.param_groups:
            ids = [id(p) for p in group['params']]
            if arch_group is None and arch_ids.intersection(ids):
                arch_group = group
            if weight_group is None and set(ids) - arch_ids:
                weight_group = group
            group['params'] = [
                new_id[i] if i in new_id else p
                for i, p in zip(ids, group['params'])
                if i not in new_id or new_id[i] is not None
            ]
    for name in added:
        group = arch_group if is_arch_param_name(name) else weight_group
        if group is not None:
            group['params'].append(after[name])
    return added


@HOOKS.register_module()
class PartialChannelHook(Hook):
    """Partial-channel connections with edge normalisation (PC-DARTS, Xu et
    al., ICLR 2020) on the model's searchable edges, switched on at
    ``before_run``: before any other hook sees the model, before a
    checkpoint is loaded or resumed, and before the first step.

    :func:`~pose_nas.nas.cell.set_partial_channels` rebuilds every
    searchable :class:`~pose_nas.nas.mixed_op.MixedOp`'s candidates for
    ``C / k`` channels and adds the ``arch_beta`` edge weights of the
    multi-input nodes of every :class:`~pose_nas.nas.cell.SearchCell`; the
    optimizers built for the model get the new parameters in the old ones'
    places (the ``arch_beta`` with the other architecture parameters). A
    model wrapped for DDP is wrapped again, so the reducer holds the new
    parameters and rank 0's values reach every rank. A space whose edges do
    not fit (``C_in != C_out``, ``C`` not divisible by ``k``) is refused
    with an error that names the edge.

    Args:
        k (int): ``1 / k`` of the channels goes through the ops (PC-DARTS:
            4).
        edge_norm (bool): edge normalisation where nodes have several
            inputs. Defaults to True.
    """

    priority = 'HIGHEST'

    def __init__(self, k: int = 4, edge_norm: bool = True) -> None:
        self.k = check_int(k, 'PartialChannelHook: k (search.pc.k)', 2)
        if not isinstance(edge_norm, bool):
            raise TypeError('PartialChannelHook: edge_norm (search.pc.'
                            f'edge_norm) must be True or False, got '
                            f'{edge_norm!r}')
        self.edge_norm = edge_norm

    def before_run(self, runner) -> None:
        model = ArchMutator.of(runner.model).model
        before = dict(model.named_parameters())
        edges, cells = set_partial_channels(model, self.k, self.edge_norm)
        after = dict(model.named_parameters())
        swap_optimizer_params(_optimizers(runner.optim_wrapper), before,
                              after)
        if is_model_wrapper(runner.model):
            runner.model = runner.wrap_model(
                copy.deepcopy(runner.cfg.get('model_wrapper_cfg')), model)
        runner.logger.info(
            f'partial channels: 1/{self.k} of the channels through the ops '
            f'on {edges} edges, edge normalisation in {cells} cells')
