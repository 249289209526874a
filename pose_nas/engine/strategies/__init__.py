# Copyright (c) pose_nas contributors. All rights reserved.
"""Search strategies, each one named thing (see :class:`SearchStrategy`)."""
from .darts_strategy import Darts1Strategy, Darts2Strategy
from .expand_search_config import (build_strategies, expand_search,
                                   expand_search_config, resolve_search)
from .gdas_strategy import GDASStrategy
from .gumbel_strategy import GumbelStrategy
from .partial_channel_strategy import PartialChannelStrategy
from .random_strategy import RandomStrategy
from .reinforce_strategy import ReinforceStrategy
from .search_strategy import STRATEGIES, SearchStrategy
from .sync_strategy import SyncStrategy

__all__ = [
    'STRATEGIES', 'SearchStrategy', 'SyncStrategy', 'Darts1Strategy',
    'Darts2Strategy', 'RandomStrategy', 'GumbelStrategy', 'GDASStrategy',
    'PartialChannelStrategy', 'ReinforceStrategy', 'build_strategies',
    'expand_search', 'expand_search_config', 'resolve_search'
]
