# Copyright (c) pose_nas contributors. All rights reserved.
"""REINFORCE over discrete decisions with an LSTM controller."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


@STRATEGIES.register_module(name='reinforce')
class ReinforceStrategy(SearchStrategy):
    """An LSTM controller samples the space's discrete decisions (e.g.
    AutoPose's active branches) and is trained with REINFORCE (Williams,
    1992) on a reward from MMPose's evaluator, by
    :class:`~pose_nas.engine.hooks.ReinforceControllerHook`. It does not
    train architecture parameters: combine it with a strategy that does
    (``'sync+reinforce'``, ``'gumbel+reinforce'``) or use it alone on a
    space with decisions only.

    Options (``search.reinforce``): the hook's arguments, ``reward``
    required.
    """

    name = 'reinforce'
    section = 'reinforce'
    arch_routing = None

    def hooks(self) -> List[dict]:
        if 'reward' not in self.options:
            raise KeyError("strategy 'reinforce' needs search.reinforce.reward"
                           " (e.g. dict(type='EvaluatorReward', ...))")
        return [dict(type='ReinforceControllerHook', **self.options)]
