# Copyright (c) pose_nas contributors. All rights reserved.
"""Single-path search: one sampled op per edge per step (GDAS)."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy

#: GDAS's schedule (Dong & Yang, CVPR 2019, Sec. 4.1): tau 10 -> 0.1,
#: linear over the search
GDAS_TAU = dict(tau_start=10.0, tau_end=0.1, schedule='linear')
OPTIONS = ('tau_start', 'tau_end', 'schedule', 'by_epoch')


@STRATEGIES.register_module(name='gdas')
class GDASStrategy(SearchStrategy):
    """Single-path search as in GDAS (Dong & Yang, "Searching for a Robust
    Neural Architecture in Four GPU Hours", CVPR 2019): every searchable
    :class:`~pose_nas.nas.mixed_op.MixedOp` draws one op per forward from
    the Gumbel-softmax of its logits and runs only that op; the
    straight-through one-hot weight carries the gradient to the logits
    (``MixedOp`` mode ``'gumbel'``, ``hard=True`` from the first step), so
    a forward computes what a derived net's would. The temperature is
    annealed by :class:`~pose_nas.engine.hooks.GumbelTemperatureHook`
    (GDAS: 10 -> 0.1, linear). A sampled ``none`` outputs zeros, so its
    one-hot weight gets no gradient: its logit moves only through the other
    ops' gradients.

    Routing: GDAS alternates weight steps on train batches and architecture
    steps on a held-out split, each on one sampled path: configs should
    write ``strategy='darts1+gdas'`` (``darts`` section as for
    ``'darts1'``). Alone, ``'gdas'`` (= ``'sync+gdas'``) steps the logits
    with the weights on the same batch, which needs no held-out split but
    is not GDAS's protocol. Under DDP the ops not sampled get no gradient:
    use ``model_wrapper_cfg=dict(type='MMDistributedDataParallel',
    find_unused_parameters=True)``.

    Options (``search.gdas``): the hook's ``tau_start``, ``tau_end``,
    ``schedule``, ``by_epoch`` (defaults: GDAS's); ``hard_from`` is not
    one (always hard: for a soft start use ``'gumbel'``).
    """

    name = 'gdas'
    section = 'gdas'
    arch_routing = 'joint'
    routing_is_default = True
    mixed_op_mode = 'gumbel'

    def hooks(self) -> List[dict]:
        if 'hard_from' in self.options:
            raise KeyError("search.gdas.hard_from: strategy 'gdas' runs one "
                           "sampled op from the first step; for a soft start "
                           "use strategy 'gumbel' with gumbel.hard_from")
        unknown = sorted(set(self.options) - set(OPTIONS))
        if unknown:
            raise KeyError(f'search.gdas has unknown options {unknown}; '
                           f'known: {list(OPTIONS)}')
        return [dict(type='GumbelTemperatureHook', hard_from=0,
                     **{**GDAS_TAU, **self.options})]
