# Copyright (c) pose_nas contributors. All rights reserved.
"""Synchronous search: architecture and weights stepped together."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


@STRATEGIES.register_module(name='sync')
class SyncStrategy(SearchStrategy):
    """One optimizer steps the architecture parameters (their own param
    group, no weight decay unless configured) and the weights on the same
    batch, as Pose Neural Fabrics Search trains its fabrics (Yang et al.,
    Sec. III-F / IV). No hook is needed."""

    name = 'sync'
    section = 'sync'
    arch_routing = 'joint'

    def hooks(self) -> List[dict]:
        if self.options:
            raise KeyError(f'the sync strategy takes no options, got '
                           f'{sorted(self.options)}')
        return []
