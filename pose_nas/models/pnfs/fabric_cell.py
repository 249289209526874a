# Copyright (c) pose_nas contributors. All rights reserved.
"""One cell of PNFS's neural fabric and its source transforms.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068),
Sec. III-B, eqs. (1)-(3) and Fig. 3. Cell ``(s, l)``:

- input ``I = h_0 = relu(3 * sum_k softmax(beta_{s,l})_k * T_k(O_k))`` over
  the three sources ``(same, finer, coarser)`` of the previous layer (eq. 2):
  ``same`` is the identity, ``finer`` (twice the resolution) a 3x3 stride-2
  conv + BN doubling the channels, ``coarser`` a 1x1 conv + BN halving the
  channels, then bilinear upsampling with ``align_corners=True``. The
  factor 3 and the ReLU come from the authors' code (``beta_scale``). Every
  source slot has its own transform, chosen by the scale of the tensor it
  actually reads (see :func:`~.fabric_layout.source_indices`), so a reused
  tensor still gets its own beta weight.
- ``H`` hidden nodes: ``h_j = sum_{i<j} MixedOp_{i->j}(h_i)`` (eq. 1;
  ``H(H+1)/2`` edges, edge order ``(0->1), (0->2), (1->2), (0->3) ...``);
  the authors scale each mixture by the number of candidates
  (``mix_scale``);
- output ``= conv1x1(concat(h_1..h_H))`` (with bias, no BN).
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from pose_nas.nas.genotype import GenotypeError
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.ops import canonical_op_name
from .fabric_layout import SOURCES, num_fabric_edges


class SameScale(nn.Module):
    """The identity transform of a same-scale source."""

    def forward(self, x: torch.Tensor,
                size: Optional[Tuple[int, int]] = None) -> torch.Tensor:
        return x


class FinerToScale(nn.Sequential):
    """A finer source (twice the resolution): 3x3 stride-2 conv + BN,
    ``C_in -> C_out`` (no ReLU; ``ceil(H / 2)``)."""

    def __init__(self, C_in: int, C_out: int) -> None:
        super().__init__(
            nn.Conv2d(C_in, C_out, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C_out))

    def forward(self, x: torch.Tensor,
                size: Optional[Tuple[int, int]] = None) -> torch.Tensor:
        return super().forward(x)


class CoarserToScale(nn.Module):
    """A coarser source: 1x1 conv + BN, then bilinear upsampling
    (``align_corners=True``) to ``size`` (twice the input when the sizes
    are even)."""

    def __init__(self, C_in: int, C_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(C_in, C_out, 1, bias=False)
        self.bn = nn.BatchNorm2d(C_out)

    def forward(self, x: torch.Tensor,
                size: Optional[Tuple[int, int]] = None) -> torch.Tensor:
        if size is None:
            size = (2 * x.shape[-2], 2 * x.shape[-1])
        return F.interpolate(
            self.bn(self.conv(x)),
            size=tuple(size),
            mode='bilinear',
            align_corners=True)


def source_transform(src_scale: int, scale: int,
                     channels: Sequence[int]) -> nn.Module:
    """The transform ``T`` from a tensor of scale ``src_scale`` to
    ``scale`` (:class:`SameScale`, :class:`FinerToScale` or
    :class:`CoarserToScale`)."""
    if src_scale == scale:
        return SameScale()
    if src_scale == scale - 1:
        return FinerToScale(channels[src_scale], channels[scale])
    if src_scale == scale + 1:
        return CoarserToScale(channels[src_scale], channels[scale])
    raise ValueError(f'no transform from scale {src_scale} to {scale}')


def build_fabric_edge(channels: int,
                      candidates: Sequence[str],
                      kept: Optional[Sequence[bool]] = None,
                      affine: bool = False,
                      pool_bn: bool = True) -> Optional[MixedOp]:
    """A ``'softmax'`` :class:`MixedOp` over ``candidates`` (stride 1).

    Pools are followed by ``BN(affine=False)`` when ``pool_bn`` (as in the
    authors' code). With ``kept`` (derived mode), :meth:`MixedOp.keep` turns
    the candidates whose flag is not set into parameter-free ``none`` ops at
    their original index, so the weight vector keeps its columns, the op
    module names stay those of the supernet, and :class:`MixedOp` never runs
    them. Returns None when no op other than ``none`` is kept.
    """
    names = list(candidates)
    if kept is None:
        kept = [True] * len(names)
    if not any(k and n != 'none' for n, k in zip(names, kept)):
        return None
    edge = MixedOp(
        channels,
        channels,
        1,
        names,
        mode='softmax',
        affine=affine,
        pool_bn=pool_bn)
    return edge.keep(kept)


class FabricCell(nn.Module):
    """One cell ``(scale, layer)`` of a neural fabric (see the module doc).

    Args:
        scale (int): 0..3 (1/4 .. 1/32).
        channels (Sequence[int]): channels of every scale.
        source_scales (Sequence[int | None]): for the slots
            ``(same, finer, coarser)``, the scale of the previous-layer
            tensor each reads (``s``, ``s - 1`` or ``s + 1``); None: the slot
            is pruned (derived mode), no transform is built.
        num_hidden (int): hidden nodes ``H``.
        candidates (Sequence[str]): candidate ops (registry names).
        edge_weights (Tensor, optional): derived mode: the fabric's
            ``(num_edges, num_candidates)`` weights; only its zero pattern
            is used here (ops with weight 0 are not built; an edge whose
            only non-zero weight is ``none`` is not built at all, and a
            node without kept incoming edges is zero).
        beta_scale (bool): multiply the input mixture by 3 (authors' code).
        mix_scale (bool): multiply every hidden node's mixture by the number
            of candidates (authors' code).
        affine (bool): BN affine parameters inside the candidate ops.
        pool_bn (bool): follow the pools by ``BN(affine=False)``.

    Shapes:
        ``forward(sources, alpha_weights, beta_weights, size)``: ``sources``
        the three ``(N, C_src, H_src, W_src)`` tensors of the slots (None
        for a pruned slot), ``alpha_weights`` ``(num_edges,
        num_candidates)``, ``beta_weights`` ``(3,)``, ``size = (H, W)`` of
        this scale -> ``(N, channels[scale], H, W)``.
    """

    def __init__(self,
                 scale: int,
                 channels: Sequence[int],
                 source_scales: Sequence[Optional[int]],
                 num_hidden: int,
                 candidates: Sequence[str],
                 edge_weights: Optional[torch.Tensor] = None,
                 beta_scale: bool = True,
                 mix_scale: bool = True,
                 affine: bool = False,
                 pool_bn: bool = True) -> None:
        super().__init__()
        if len(source_scales) != len(SOURCES):
            raise ValueError(f'a cell has {len(SOURCES)} source slots '
                             f'{SOURCES}, got {len(source_scales)}')
        if all(s is None for s in source_scales):
            raise GenotypeError(f'the cell at scale {scale} has no source '
                                'left (every beta weight is zero)')
        self.scale = scale
        self.channels = int(channels[scale])
        self.num_hidden = num_hidden
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.num_edges = num_fabric_edges(num_hidden)
        self.source_scales = list(source_scales)
        self.beta_factor = float(len(SOURCES)) if beta_scale else 1.0
        self.mix_factor = float(len(self.candidates)) if mix_scale else 1.0
        self.derived = edge_weights is not None

        self.transforms = nn.ModuleDict()
        for slot, src in zip(SOURCES, self.source_scales):
            if src is not None:
                self.transforms[slot] = source_transform(src, scale, channels)

        if edge_weights is not None and tuple(edge_weights.shape) != (
                self.num_edges, len(self.candidates)):
            raise GenotypeError(
                f'edge weights of shape {tuple(edge_weights.shape)} do not '
                f'fit {self.num_edges} edges x {len(self.candidates)} ops')
        # edge '<i>_<j>' is h_i -> h_j; self.edge_keys[e] follows alpha's rows
        self.edges = nn.ModuleDict()
        self.edge_keys: List[Tuple[str, int, int]] = []
        e = 0
        for j in range(1, num_hidden + 1):
            for i in range(j):
                key = f'{i}_{j}'
                self.edge_keys.append((key, i, j))
                kept = None if edge_weights is None else [
                    bool(w > 0) for w in edge_weights[e]
                ]
                edge = build_fabric_edge(self.channels, self.candidates,
                                         kept, affine, pool_bn)
                if edge is not None:
                    self.edges[key] = edge
                e += 1
        self.project = nn.Conv2d(self.channels * num_hidden, self.channels,
                                 1, bias=True)

    def forward(self, sources: Sequence[Optional[torch.Tensor]],
                alpha_weights: torch.Tensor, beta_weights: torch.Tensor,
                size: Tuple[int, int]) -> torch.Tensor:
        mix = None
        for k, slot in enumerate(SOURCES):
            if slot not in self.transforms:
                continue
            y = beta_weights[k] * self.transforms[slot](sources[k], size)
            mix = y if mix is None else mix + y
        h0 = F.relu(mix * self.beta_factor)
        states = [h0]
        node = None
        for e, (key, i, j) in enumerate(self.edge_keys):
            if key in self.edges:
                y = self.edges[key](states[i], weights=alpha_weights[e])
                node = y if node is None else node + y
            if i == j - 1:  # last incoming edge of node j
                if node is None:  # every op of every incoming edge pruned
                    node = torch.zeros_like(h0)
                elif self.mix_factor != 1.0:
                    node = node * self.mix_factor
                states.append(node)
                node = None
        return self.project(torch.cat(states[1:], dim=1))

    def extra_repr(self) -> str:
        return (f'scale={self.scale}, channels={self.channels}, '
                f'sources={dict(zip(SOURCES, self.source_scales))}, '
                f'num_hidden={self.num_hidden}')
