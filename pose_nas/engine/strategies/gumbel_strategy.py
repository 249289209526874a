# Copyright (c) pose_nas contributors. All rights reserved.
"""Gumbel-softmax relaxation with a temperature schedule."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


@STRATEGIES.register_module(name='gumbel')
class GumbelStrategy(SearchStrategy):
    """Every searchable :class:`~pose_nas.nas.mixed_op.MixedOp` mixes its
    candidates with Gumbel-softmax weights (AutoPose's cell search, Gong et
    al. 2020), trained synchronously with the weights; the temperature is
    annealed by :class:`~pose_nas.engine.hooks.GumbelTemperatureHook`.

    Combined with a strategy that routes the architecture parameters
    itself (``'darts1+gumbel'``), that strategy trains them (first-order
    steps on the held-out split) and this one only sets the Gumbel mode and
    the temperature schedule.

    Options (``search.gumbel``): the hook's arguments (``tau_start``,
    ``tau_end``, ``schedule``, ``by_epoch``, ``hard_from``).
    """

    name = 'gumbel'
    section = 'gumbel'
    arch_routing = 'joint'
    routing_is_default = True
    mixed_op_mode = 'gumbel'

    def hooks(self) -> List[dict]:
        return [dict(type='GumbelTemperatureHook', **self.options)]
