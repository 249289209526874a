# Copyright (c) pose_nas contributors. All rights reserved.
"""Partial-channel connections with edge normalisation (PC-DARTS)."""
from typing import List

from .search_strategy import STRATEGIES, SearchStrategy


@STRATEGIES.register_module(name='pc')
class PartialChannelStrategy(SearchStrategy):
    """Partial-channel connections (PC-DARTS, Xu et al., "PC-DARTS: Partial
    Channel Connections for Memory-Efficient Architecture Search", ICLR
    2020): every searchable :class:`~pose_nas.nas.mixed_op.MixedOp` sends
    ``1 / k`` of its channels through the candidate ops, the others bypass
    them (max-pooled at stride 2) and a channel shuffle with ``k`` groups
    mixes the two; with ``edge_norm`` every
    :class:`~pose_nas.nas.cell.SearchCell` node with several inputs weighs
    its edges by ``softmax(beta)`` (``arch_beta.node{j}``, architecture
    parameters routed and saved like the others). Run by
    :class:`~pose_nas.engine.hooks.PartialChannelHook`, which switches the
    model's edges before training.

    It trains nothing itself: combine it with a strategy that trains the
    architecture, ``'darts1+pc'`` (PC-DARTS), ``'darts1+gdas+pc'``,
    ``'sync+pc'``. Spaces whose searchable edges change the width (e.g.
    EfficientPose's blocks) do not fit: an error names the edge.

    Options (``search.pc``): ``k`` (PC-DARTS: 4), ``edge_norm`` (True).
    """

    name = 'pc'
    section = 'pc'
    arch_routing = None
    standalone = False

    def hooks(self) -> List[dict]:
        unknown = sorted(set(self.options) - {'k', 'edge_norm'})
        if unknown:
            raise KeyError(f'search.pc has unknown options {unknown}; known:'
                           " ['k', 'edge_norm']")
        k = self.options.get('k', 4)
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ValueError(f'search.pc.k must be an int >= 2 (1/k of the '
                             f'channels goes through the ops), got {k!r}')
        if not isinstance(self.options.get('edge_norm', True), bool):
            raise TypeError('search.pc.edge_norm must be True or False, got '
                            f'{self.options["edge_norm"]!r}')
        return [dict(type='PartialChannelHook', **self.options)]
