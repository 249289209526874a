# Copyright (c) pose_nas contributors. All rights reserved.
"""Alternating DARTS search, first and second order."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


class _DartsStrategy(SearchStrategy):
    """A weight step on a train batch, then an architecture step on a batch
    of a held-out loader with the architecture's own optimizer (DARTS, Liu
    et al., ICLR 2019, Sec. 2.3), run by
    :class:`~pose_nas.engine.hooks.DartsArchHook`.

    Options (``search.darts``): the hook's arguments, ``arch_dataloader``
    required; ``order`` is fixed by the strategy's name.
    """

    section = 'darts'
    arch_routing = 'separate'
    order = 1

    def hooks(self) -> List[dict]:
        if 'arch_dataloader' not in self.options:
            raise KeyError(f'strategy {self.name!r} needs '
                           'search.darts.arch_dataloader (the held-out loader '
                           'of the architecture steps)')
        if 'order' in self.options:
            raise KeyError(f'search.darts.order is set by the strategy name '
                           f'({self.name!r}); remove it')
        return [dict(type='DartsArchHook', order=self.order, **self.options)]


@STRATEGIES.register_module(name='darts1')
class Darts1Strategy(_DartsStrategy):
    """First-order DARTS."""
    name = 'darts1'
    order = 1


@STRATEGIES.register_module(name='darts2')
class Darts2Strategy(_DartsStrategy):
    """Second-order DARTS (unrolled weight step, finite-difference
    Hessian-vector product)."""
    name = 'darts2'
    order = 2
