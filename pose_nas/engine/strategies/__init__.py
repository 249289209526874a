# Copyright (c) pose_nas contributors. All rights reserved.
"""Search strategies, each one named thing (see :class:`SearchStrategy`)."""
from .darts_strategy import Darts1Strategy, Darts2Strategy
from .expand_search_config import (build_strategies, expand_search,
                                   expand_search_config, resolve_search)
from .gumbel_strategy import GumbelStrategy
from .random_strategy import RandomStrategy
from .reinforce_strategy import ReinforceStrategy
from .search_strategy import STRATEGIES, SearchStrategy
from .sync_strategy import SyncStrategy

__all__ = [
    'STRATEGIES', 'SearchStrategy', 'SyncStrategy', 'Darts1Strategy',
    'Darts2Strategy', 'RandomStrategy', 'GumbelStrategy',
    'ReinforceStrategy', 'build_strategies', 'expand_search',
    'expand_search_config', 'resolve_search'
]
