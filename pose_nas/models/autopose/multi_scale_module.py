# Copyright (c) pose_nas contributors. All rights reserved.
"""AutoPose's multi-scale module: two individual cells per active branch,
then an aggregation cell per active branch over all branches."""
from typing import Any, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmpose.utils.typing import ConfigType

from pose_nas.nas.cell import SearchCell
from .concat_fusion import ConcatFusion
from .scale_resize import ScaleResize


class MultiScaleModule(nn.Module):
    """One multi-scale module (AutoPose, Gong et al. 2020, Sec. 3.1, Fig. 2).

    On every active branch ``b`` two individual cells (one input, the
    previous cell's output) run in sequence; then the aggregation cell of
    ``b`` takes every branch's current tensor (the second cell's output of
    an active branch, the unchanged input of an inactive one) resized to
    ``b``'s scale and width (:class:`ScaleResize`). An inactive branch is an
    identity: none of its cells run, so they get no gradient. With
    ``aggregation='concat'`` the aggregation cell is a plain concatenation
    + 1x1 conv (:class:`ConcatFusion`, the Table-4 ablation).

    Args:
        channels (Sequence[int]): width of every branch, finest first.
        built (Sequence[bool]): which branches have cells (all in the
            supernet; the active ones in a derived net).
        individual_nodes (int): intermediate nodes of an individual cell.
        aggregation_nodes (int): intermediate nodes of an aggregation cell.
        candidates (Sequence[str]): candidate ops (search mode).
        aggregation (str): ``'cell'`` or ``'concat'``.
        mode (str): MixedOp mode while searching.
        tau (float): initial Gumbel temperature.
        hard (bool): straight-through Gumbel.
        genotype (dict, optional): ``individual`` (and ``aggregation``)
            cell components: build the derived module.
        affine (bool): affine BN inside the ops.
        norm_cfg (dict): norm layers of the resize convs.

    Shapes:
        ``forward(xs, active, alpha_ind, alpha_agg)``: ``xs`` one
        ``(N, channels[i], H_i, W_i)`` per branch -> the same shapes.
    """

    def __init__(self,
                 channels: Sequence[int],
                 built: Sequence[bool],
                 individual_nodes: int,
                 aggregation_nodes: int,
                 candidates: Sequence[str],
                 aggregation: str = 'cell',
                 mode: str = 'gumbel',
                 tau: float = 1.0,
                 hard: bool = False,
                 genotype: Optional[Dict[str, Any]] = None,
                 affine: bool = True,
                 norm_cfg: ConfigType = dict(type='BN')) -> None:
        super().__init__()
        self.channels = list(channels)
        self.built = [bool(b) for b in built]
        self.aggregation = aggregation
        n = len(self.channels)
        genotype = genotype or {}

        def cell(in_channels, c, nodes, comp):
            return SearchCell(in_channels, c, nodes, candidates, mode=mode,
                              genotype=comp, out_channels=c, tau=tau,
                              hard=hard, affine=affine)

        self.individual = nn.ModuleList()
        self.resize = nn.ModuleList()
        self.aggregate = nn.ModuleList()
        for b, c in enumerate(self.channels):
            if not self.built[b]:
                for lst in (self.individual, self.resize, self.aggregate):
                    lst.append(nn.Identity())
                continue
            self.individual.append(nn.ModuleList([
                cell([c], c, individual_nodes, genotype.get('individual'))
                for _ in range(2)
            ]))
            self.resize.append(nn.ModuleList([
                ScaleResize(self.channels[s], c, s, b, norm_cfg)
                for s in range(n)
            ]))
            if aggregation == 'cell':
                self.aggregate.append(
                    cell([c] * n, c, aggregation_nodes,
                         genotype.get('aggregation')))
            else:
                self.aggregate.append(ConcatFusion([c] * n, c, norm_cfg))

    def forward(self,
                xs: Sequence[torch.Tensor],
                active: Sequence[bool],
                alpha_ind: Optional[torch.Tensor] = None,
                alpha_agg: Optional[torch.Tensor] = None
                ) -> List[torch.Tensor]:
        hidden = list(xs)
        for b, on in enumerate(active):
            if on:
                for c in self.individual[b]:
                    hidden[b] = c(hidden[b], alpha_ind)
        outs = []
        for b, on in enumerate(active):
            if not on:
                outs.append(xs[b])
                continue
            size = hidden[b].shape[-2:]
            inputs = [r(h, size) for r, h in zip(self.resize[b], hidden)]
            if self.aggregation == 'cell':
                outs.append(self.aggregate[b](inputs, alpha_agg))
            else:
                outs.append(self.aggregate[b](inputs))
        return outs
