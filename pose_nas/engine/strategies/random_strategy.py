# Copyright (c) pose_nas contributors. All rights reserved.
"""The random-architecture baseline."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


@STRATEGIES.register_module(name='random')
class RandomStrategy(SearchStrategy):
    """Architecture parameters drawn once from ``N(0, std^2)`` and frozen
    (Pose Neural Fabrics Search's random baseline), by
    :class:`~pose_nas.engine.hooks.RandomArchHook`.

    Options (``search.random``): ``seed``, ``std``.
    """

    name = 'random'
    section = 'random'
    arch_routing = 'frozen'

    def hooks(self) -> List[dict]:
        return [dict(type='RandomArchHook', **self.options)]
