# Copyright (c) pose_nas contributors. All rights reserved.
"""A DAG cell (DARTS-style) built from :class:`MixedOp` edges.

Used by cell-based search spaces: in search mode every (state -> node) edge
is a searchable :class:`MixedOp`; given a ``cell`` genotype component the same
class builds only the kept edges as ``'fixed'`` MixedOps.
"""
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn

from .genotype import GenotypeError
from .mixed_op import MixedOp
from .ops import FactorizedReduce, ReLUConvBN, canonical_op_name


def num_cell_edges(num_inputs: int, num_nodes: int) -> int:
    """Edges of a full search cell: node j has ``num_inputs + j`` sources."""
    return sum(num_inputs + j for j in range(num_nodes))


class SearchCell(nn.Module):
    """A cell of ``num_nodes`` intermediate nodes over ``num_inputs`` inputs.

    State ``i < num_inputs`` is input ``i`` after preprocessing (1x1
    ReLU-conv-BN to ``channels``, factorized reduce when the input is at twice
    the resolution of the others); node ``j`` is state ``num_inputs + j`` and
    sums its incoming edges. The output concatenates the ``concat`` states
    (all nodes by default) and optionally projects them with a 1x1
    conv-BN-ReLU to ``out_channels``.

    In a reduction cell, edges leaving an input state have stride 2.

    Args:
        in_channels (Sequence[int]): channels of each input.
        channels (int): node width.
        num_nodes (int): intermediate nodes.
        candidates (Sequence[str]): candidate ops (search mode).
        reduction (bool): halve the resolution.
        input_strides (Sequence[int], optional): per input, 2 if that input
            is at twice the resolution of the last one (DARTS's
            ``reduction_prev``). Defaults to all 1.
        mode (str): MixedOp mode in search: softmax / gumbel / sampled.
        genotype (dict, optional): a ``cell`` genotype component; builds the
            derived cell.
        out_channels (int, optional): 1x1 projection of the concat.
        affine (bool): BN affine parameters inside the ops.

    Shapes:
        ``forward(inputs, alpha)``: ``inputs`` a list of ``(N, C_i, H_i,
        W_i)``, ``alpha`` ``(num_edges, num_candidates)`` logits in search
        mode -> ``(N, out_channels or channels * len(concat), H', W')``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int,
                 num_nodes: int,
                 candidates: Optional[Sequence[str]] = None,
                 reduction: bool = False,
                 input_strides: Optional[Sequence[int]] = None,
                 mode: str = 'softmax',
                 genotype: Optional[Dict[str, Any]] = None,
                 out_channels: Optional[int] = None,
                 tau: float = 1.0,
                 hard: bool = False,
                 affine: bool = True) -> None:
        super().__init__()
        in_channels = list(in_channels)
        self.num_inputs = len(in_channels)
        self.num_nodes = num_nodes
        self.channels = channels
        self.reduction = reduction
        self.derived = genotype is not None
        input_strides = list(input_strides or [1] * self.num_inputs)
        if len(input_strides) != self.num_inputs:
            raise ValueError('input_strides must give one stride per input')
        self.preprocess = nn.ModuleList()
        for c, s in zip(in_channels, input_strides):
            if s == 2:
                self.preprocess.append(FactorizedReduce(c, channels, affine))
            elif c != channels:
                self.preprocess.append(ReLUConvBN(c, channels, 1, 1,
                                                  affine=affine))
            else:
                self.preprocess.append(nn.Identity())

        self.edges = nn.ModuleList()
        if genotype is None:
            if not candidates:
                raise ValueError('a search cell needs candidates')
            self.candidates = [canonical_op_name(c) for c in candidates]
            # edge e of node j reads state src; order = derive_cell's order
            self.edge_sources: List[List[int]] = []
            for j in range(num_nodes):
                srcs = list(range(self.num_inputs + j))
                self.edge_sources.append(srcs)
                for src in srcs:
                    self.edges.append(
                        MixedOp(
                            channels,
                            channels,
                            self._edge_stride(src),
                            self.candidates,
                            mode=mode,
                            tau=tau,
                            hard=hard,
                            affine=affine))
            self.concat = list(range(self.num_inputs,
                                     self.num_inputs + num_nodes))
        else:
            self.candidates = []
            if int(genotype.get('num_inputs', -1)) != self.num_inputs:
                raise GenotypeError(
                    f'cell genotype has {genotype.get("num_inputs")} inputs, '
                    f'the cell has {self.num_inputs}')
            if len(genotype['nodes']) != num_nodes:
                raise GenotypeError(
                    f'cell genotype has {len(genotype["nodes"])} nodes, the '
                    f'cell has {num_nodes}')
            self.edge_sources = []
            for node in genotype['nodes']:
                srcs = []
                for op, src in node:
                    srcs.append(int(src))
                    self.edges.append(
                        MixedOp(
                            channels,
                            channels,
                            self._edge_stride(int(src)),
                            mode='fixed',
                            chosen=op,
                            affine=affine))
                self.edge_sources.append(srcs)
            self.concat = [int(c) for c in genotype.get(
                'concat', range(self.num_inputs, self.num_inputs + num_nodes))]
        self.num_edges = len(self.edges)
        concat_channels = channels * len(self.concat)
        if out_channels is not None:
            self.project = nn.Sequential(
                nn.Conv2d(concat_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
            self.out_channels = out_channels
        else:
            self.project = nn.Identity()
            self.out_channels = concat_channels

    def _edge_stride(self, src: int) -> int:
        return 2 if self.reduction and src < self.num_inputs else 1

    def forward(self,
                inputs: Union[torch.Tensor, Sequence[torch.Tensor]],
                alpha: Optional[torch.Tensor] = None) -> torch.Tensor:
        if isinstance(inputs, torch.Tensor):
            inputs = [inputs]
        if len(inputs) != self.num_inputs:
            raise ValueError(f'cell expects {self.num_inputs} inputs, got '
                             f'{len(inputs)}')
        if not self.derived:
            if alpha is None or tuple(alpha.shape) != (self.num_edges,
                                                       len(self.candidates)):
                raise ValueError(
                    f'search cell needs alpha of shape ({self.num_edges}, '
                    f'{len(self.candidates)}), got '
                    f'{None if alpha is None else tuple(alpha.shape)}')
        states = [pre(x) for pre, x in zip(self.preprocess, inputs)]
        e = 0
        for srcs in self.edge_sources:
            node = None
            for src in srcs:
                edge = self.edges[e]
                y = edge(states[src], None if self.derived else alpha[e])
                node = y if node is None else node + y
                e += 1
            states.append(node)
        return self.project(torch.cat([states[i] for i in self.concat],
                                      dim=1))
