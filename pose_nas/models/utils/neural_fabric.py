# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's cell-based neural fabric (SPEC 3.1, seed 004 sections III-B/C).

A fabric is a grid of cells over ``L`` layers and 4 scales (index 0..3 =
1/4, 1/8, 1/16, 1/32 of the image; channels ``C * [4, 8, 16, 32]``). The
full fabric is diamond shaped: layer ``j`` (0-based) holds the cells of
scales ``0 .. n_j - 1`` with ``n_j = min(j + 2, 4, L - j)`` (L=6: 2, 3, 4, 3,
2, 1 cells). A *backbone* keeps the first ``m`` layers (its last layer is the
feature pyramid), a *subnetwork* keeps the last ``n`` layers and is fed a
feature pyramid in place of layer ``L - n - 1``'s outputs; its output is its
last cell (scale 1/4).

Cell ``(s, l)`` (:class:`FabricCell`):

- input ``I = h_0 = relu(3 * sum_k softmax(beta_{s,l})_k * T_k(O_k))`` over
  three *sources* of the previous layer, in this order (:data:`SOURCES`):
  ``same`` (scale ``s``, identity), ``finer`` (scale ``s - 1``, i.e. twice
  the resolution: 3x3 stride-2 conv + BN doubling the channels) and
  ``coarser`` (scale ``s + 1``: 1x1 conv + BN halving the channels, then
  bilinear upsampling with ``align_corners=True``). The factor 3 and the
  ReLU come from the authors' code (``beta_scale``).
- missing neighbours (seed footnote 2 and the authors' code), with ``prev``
  the previous layer's outputs (the stem output alone for the first layer):
  ``same = prev[s]`` if it exists, else ``prev[s - 1]``; ``finer =
  prev[s - 1]`` if ``s > 0``, else the ``same`` source; ``coarser =
  prev[s + 1]`` if it exists, else the ``same`` source. Every source slot
  has its own transform, chosen by the scale of the tensor it actually
  reads, so a reused tensor still gets its own beta weight.
- ``H`` hidden nodes: ``h_j = sum_{i<j} MixedOp_{i->j}(h_i)`` (``H(H+1)/2``
  edges, edge order ``(0->1), (0->2), (1->2), (0->3) ...``); the authors
  scale each mixture by the number of candidates (``mix_scale``);
  output ``= conv1x1(concat(h_1..h_H))`` (with bias, no BN).

Architecture parameters: ``arch_alpha`` ``(num_edges, num_candidates)``
shared by every cell of a fabric, ``arch_beta`` ``(num_cells, 3)`` one row
per cell (layer-major, finest scale first); both start at zero.

Derived (retrain) mode, ``genotype=``: PNFS keeps the continuous mixture.
The weights become non-persistent buffers (``alpha_weights``,
``beta_weights``), ops whose weight is exactly zero are not built, a source
transform whose beta weight is zero is not built, and a cell whose output
no kept cell reads any more is removed (recursively), with its beta row.
Weights are not renormalised, so the derived net computes what the supernet
computed up to the pruned mass; module names are those of the supernet, so
a supernet checkpoint loads into it (``strict=False``: the pruned modules
and ``arch_*`` are unexpected keys).
"""
import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.genotype import (Genotype, GenotypeError, continuous_spec,
                                   derive_continuous, load_genotype,
                                   validate_genotype)
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.ops import build_op, canonical_op_name

#: Number of scales of a fabric (1/4, 1/8, 1/16, 1/32).
NUM_SCALES = 4
#: Channel multipliers of the scales: a scale-``i`` node has ``C * m_i``.
SCALE_MULTIPLIERS = (4, 8, 16, 32)
#: The three input sources of a cell, in the column order of ``beta``.
SOURCES = ('same', 'finer', 'coarser')
#: Candidate ops of a backbone fabric (seed 004 section III-B).
BACKBONE_CANDIDATES = ('none', 'skip_connect', 'sep_conv_3x3',
                       'dil_sep_conv_3x3', 'avg_pool_3x3', 'max_pool_3x3')
#: Candidate ops of a subnetwork fabric: no pooling (section III-C).
SUBNET_CANDIDATES = ('none', 'skip_connect', 'sep_conv_3x3',
                     'dil_sep_conv_3x3')
#: The space name of a fabric's own genotype.
FABRIC_SPACE = 'NeuralFabric'
#: Structural hyper-parameters recorded in a genotype's meta and checked
#: against the model when present.
STRUCTURE_KEYS = ('num_hidden', 'num_layers', 'keep', 'num_kept_layers')


# --------------------------------------------------------------------------
# layout helpers
# --------------------------------------------------------------------------
def fabric_layer_sizes(num_layers: int) -> List[int]:
    """Cells per layer of the full diamond-shaped fabric:
    ``min(j + 2, 4, L - j)`` for layer ``j`` (L=6: ``[2, 3, 4, 3, 2, 1]``).
    """
    if num_layers < 1:
        raise ValueError(f'num_layers must be >= 1, got {num_layers}')
    return [min(j + 2, NUM_SCALES, num_layers - j) for j in range(num_layers)]


def num_fabric_edges(num_hidden: int) -> int:
    """Edges of a cell with ``H`` hidden nodes: ``H (H + 1) / 2``."""
    if num_hidden < 1:
        raise ValueError(f'num_hidden must be >= 1, got {num_hidden}')
    return num_hidden * (num_hidden + 1) // 2


def kept_layers(num_layers: int, keep: str,
                num_kept_layers: int) -> List[int]:
    """Indices of the layers a fabric keeps (``'first'``: ``0..m-1``,
    ``'last'``: ``L-n..L-1``)."""
    if keep not in ('first', 'last'):
        raise ValueError(f"keep must be 'first' or 'last', got {keep!r}")
    if not 1 <= num_kept_layers <= num_layers:
        raise ValueError(f'num_kept_layers must be in [1, {num_layers}], '
                         f'got {num_kept_layers}')
    if keep == 'first':
        return list(range(num_kept_layers))
    return list(range(num_layers - num_kept_layers, num_layers))


def source_indices(scale: int, num_prev: int) -> Tuple[int, int, int]:
    """Scales of the previous-layer tensors read by a cell at ``scale``
    through its ``(same, finer, coarser)`` slots, where the previous layer
    (or the fabric input) holds scales ``0 .. num_prev - 1``."""
    if not 0 <= scale <= num_prev:
        raise ValueError(f'a cell at scale {scale} cannot follow a layer '
                         f'with {num_prev} scales')
    same = scale if scale < num_prev else scale - 1
    finer = scale - 1 if scale > 0 else same
    coarser = scale + 1 if scale + 1 < num_prev else same
    return same, finer, coarser


def fabric_genotype_spec(num_hidden: int,
                         num_layers: int,
                         keep: str,
                         num_kept_layers: int,
                         candidates: Sequence[str],
                         prefix: str = '') -> Dict[str, dict]:
    """The genotype components a fabric expects, named ``prefix + 'alpha'``
    and ``prefix + 'beta'`` (a parent combining several fabrics uses e.g.
    ``prefix='head/'``)."""
    num_cells = sum(
        fabric_layer_sizes(num_layers)[j]
        for j in kept_layers(num_layers, keep, num_kept_layers))
    return {
        f'{prefix}alpha':
        continuous_spec((num_fabric_edges(num_hidden), len(candidates)),
                        candidates),
        f'{prefix}beta':
        continuous_spec((num_cells, len(SOURCES)), SOURCES, op_names=False),
    }


def select_fabric_components(genotype: Union[str, dict, Genotype],
                             prefix: str = '') -> Dict[str, dict]:
    """The ``alpha`` / ``beta`` components of one fabric, taken from a
    (possibly combined) genotype's components ``prefix + 'alpha'`` and
    ``prefix + 'beta'``; the result is what ``NeuralFabric(genotype=...)``
    accepts."""
    if isinstance(genotype, dict) and 'components' not in genotype:
        comps = genotype
    else:
        comps = load_genotype(genotype).components
    out = {}
    for name in ('alpha', 'beta'):
        key = f'{prefix}{name}'
        if key not in comps:
            raise GenotypeError(
                f'genotype has no component {key!r}; it has {sorted(comps)}')
        out[name] = copy.deepcopy(comps[key])
    return out


# --------------------------------------------------------------------------
# modules
# --------------------------------------------------------------------------
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


def _source_transform(src_scale: int, scale: int,
                      channels: Sequence[int]) -> nn.Module:
    if src_scale == scale:
        return SameScale()
    if src_scale == scale - 1:
        return FinerToScale(channels[src_scale], channels[scale])
    if src_scale == scale + 1:
        return CoarserToScale(channels[src_scale], channels[scale])
    raise ValueError(f'no transform from scale {src_scale} to {scale}')


def _build_edge(channels: int,
                candidates: Sequence[str],
                kept: Optional[Sequence[bool]] = None,
                affine: bool = False,
                pool_bn: bool = True) -> Optional[MixedOp]:
    """A ``'softmax'`` :class:`MixedOp` over ``candidates`` (stride 1).

    Pools are followed by ``BN(affine=False)`` when ``pool_bn`` (as in the
    authors' code). With ``kept`` (derived mode), only the candidates whose
    flag is set are built; the others become parameter-free ``none`` ops at
    their original index, so the weight vector keeps its columns, the op
    module names stay those of the supernet, and :class:`MixedOp` never runs
    them. Returns None when no op other than ``none`` is kept.
    """
    names = list(candidates)
    if kept is None:
        kept = [True] * len(names)
    live = [n for n, k in zip(names, kept) if k and n != 'none']
    if not live:
        return None
    edge = MixedOp(channels, channels, 1, live, mode='softmax', affine=affine)
    built = iter(edge.ops)
    ops, cands = [], []
    for name, k in zip(names, kept):
        if k and name != 'none':
            op = next(built)
            if pool_bn and name in ('avg_pool_3x3', 'max_pool_3x3'):
                op = nn.Sequential(op, nn.BatchNorm2d(channels,
                                                      affine=False))
            ops.append(op)
            cands.append(name)
        else:
            ops.append(build_op('none', channels, channels, 1))
            cands.append('none')
    edge.ops = nn.ModuleList(ops)
    edge.candidates = cands
    return edge


class FabricCell(nn.Module):
    """One cell ``(scale, layer)`` of a neural fabric.

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
            is used here (ops with weight 0 are not built).
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
                self.transforms[slot] = _source_transform(
                    src, scale, channels)

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
                edge = _build_edge(self.channels, self.candidates, kept,
                                   affine, pool_bn)
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


class NeuralFabric(BaseModule, SearchableMixin):
    """The kept layers of a cell-based neural fabric (see the module doc).

    Args:
        channel_factor (int): ``C``; scale ``i`` has ``C * [4, 8, 16, 32][i]``
            channels.
        num_hidden (int): hidden nodes per cell ``H``.
        num_layers (int): layers ``L`` of the full fabric.
        keep (str): ``'first'`` (a backbone: layers ``0..m-1``, fed the
            stem output) or ``'last'`` (a subnetwork: layers ``L-n..L-1``,
            fed the outputs of layer ``L-n-1``, i.e. a feature pyramid; the
            stem output when ``n == L``).
        num_kept_layers (int): ``m`` or ``n``.
        candidates (Sequence[str], optional): candidate ops; defaults to
            :data:`BACKBONE_CANDIDATES` for ``keep='first'`` and
            :data:`SUBNET_CANDIDATES` (no pools) for ``keep='last'``.
        genotype (str | dict | Genotype, optional): derived mode; a genotype
            (object, dict or file) with components ``alpha`` and ``beta``,
            or a plain dict of those two components
            (:func:`select_fabric_components` cuts them out of a combined
            genotype).
        beta_scale (bool): cell input ``relu(3 * mixture)`` (authors' code)
            instead of ``relu(mixture)``.
        mix_scale (bool): scale each edge mixture by the number of
            candidates (authors' code).
        affine (bool): BN affine parameters inside the candidate ops (the
            authors use ``affine=False``; kept in derived mode so that
            supernet weights load into the derived net).
        pool_bn (bool): ``BN(affine=False)`` after the pooling ops.
        init_cfg (dict | list, optional): MMEngine init config.

    Attributes:
        channels (List[int]): channels of the 4 scales.
        in_channels (List[int]): channels of the tensors ``forward`` expects
            (finest first).
        out_channels (List[int]): channels of the returned tensors.
        layer_sizes (List[int]): cells per layer of the full fabric.
        layers (List[int]): indices of the kept layers.
        num_cells (int): kept cells (= rows of ``beta``).
        cell_keys (List[str]): ``'l{layer}_s{scale}'`` of the kept cells, in
            beta's row order; ``cells`` holds the live ones (all in search
            mode).
        input_used (List[bool]): whether each input is read at all (False
            only in derived mode, when pruning removed all its readers).

    Shapes:
        ``forward(inputs)``: ``inputs`` a list of ``(N, in_channels[i],
        H_i, W_i)`` with ``H_{i+1} = ceil(H_i / 2)`` (a single tensor is
        accepted when one input is expected) -> list of ``(N,
        out_channels[i], H_i, W_i)``, finest first: the outputs of the last
        kept layer (the 4-scale pyramid of a backbone with ``m = 3``, L = 6;
        a single 1/4 tensor for a subnetwork, which ends at layer
        ``L - 1``). ``H_0`` is the stem output's height, i.e. the image
        height / 4.
    """

    def __init__(self,
                 channel_factor: int = 10,
                 num_hidden: int = 1,
                 num_layers: int = 6,
                 keep: str = 'last',
                 num_kept_layers: int = 3,
                 candidates: Optional[Sequence[str]] = None,
                 genotype: Union[str, dict, Genotype, None] = None,
                 beta_scale: bool = True,
                 mix_scale: bool = True,
                 affine: bool = False,
                 pool_bn: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if channel_factor < 1:
            raise ValueError(f'channel_factor must be >= 1, got '
                             f'{channel_factor}')
        self.channel_factor = int(channel_factor)
        self.num_hidden = int(num_hidden)
        self.num_layers = int(num_layers)
        self.keep = keep
        self.num_kept_layers = int(num_kept_layers)
        self.layer_sizes = fabric_layer_sizes(self.num_layers)
        self.layers = kept_layers(self.num_layers, keep,
                                  self.num_kept_layers)
        self.num_edges = num_fabric_edges(self.num_hidden)
        if candidates is None:
            candidates = (BACKBONE_CANDIDATES
                          if keep == 'first' else SUBNET_CANDIDATES)
        self.candidates = [canonical_op_name(c) for c in candidates]
        if len(set(self.candidates)) != len(self.candidates):
            raise ValueError(f'duplicate candidates: {list(candidates)}')
        self.beta_scale = beta_scale
        self.mix_scale = mix_scale
        self.channels = [self.channel_factor * m for m in SCALE_MULTIPLIERS]
        first = self.layers[0]
        num_in = 1 if first == 0 else self.layer_sizes[first - 1]
        self.in_channels = self.channels[:num_in]
        self.out_channels = self.channels[:self.layer_sizes[self.layers[-1]]]

        # wiring: cell key -> (layer, scale, scales read by the 3 slots)
        self.cell_keys: List[str] = []
        self._wiring: Dict[str, Tuple[int, int, Tuple[int, int, int]]] = {}
        prev = num_in
        for j in self.layers:
            for i in range(self.layer_sizes[j]):
                key = f'l{j}_s{i}'
                self.cell_keys.append(key)
                self._wiring[key] = (j, i, source_indices(i, prev))
            prev = self.layer_sizes[j]
        self.num_cells = len(self.cell_keys)

        self.genotype: Optional[Genotype] = None
        self._components: Optional[Dict[str, dict]] = None
        cell_kw = dict(
            num_hidden=self.num_hidden,
            candidates=self.candidates,
            beta_scale=beta_scale,
            mix_scale=mix_scale,
            affine=affine,
            pool_bn=pool_bn)
        self.cells = nn.ModuleDict()
        if genotype is None:
            for key in self.cell_keys:
                j, i, srcs = self._wiring[key]
                self.cells[key] = FabricCell(i, self.channels, srcs,
                                             **cell_kw)
            self.input_used = [True] * num_in
            self.arch_alpha = nn.Parameter(
                torch.zeros(self.num_edges, len(self.candidates)))
            self.arch_beta = nn.Parameter(
                torch.zeros(self.num_cells, len(SOURCES)))
            self._beta_rows = {k: r for r, k in enumerate(self.cell_keys)}
            return

        # ---------------- derived mode ----------------
        self.genotype = self._load(genotype)
        self._components = {
            k: copy.deepcopy(self.genotype.components[k])
            for k in ('alpha', 'beta')
        }
        alpha = torch.tensor(
            self._components['alpha']['weights'], dtype=torch.float32)
        beta = torch.tensor(
            self._components['beta']['weights'], dtype=torch.float32)
        if (alpha < 0).any() or (beta < 0).any():
            raise GenotypeError('genotype weights must be >= 0')
        beta_of = dict(zip(self.cell_keys, beta))
        live: Dict[str, bool] = {}
        slots: Dict[str, List[Optional[int]]] = {}
        # walk backwards: a cell lives if a live cell of the next layer reads
        # it through a slot of non-zero weight; the last layer always lives
        for idx in range(len(self.layers) - 1, -1, -1):
            j = self.layers[idx]
            for i in range(self.layer_sizes[j]):
                key = f'l{j}_s{i}'
                if idx == len(self.layers) - 1:
                    live[key] = True
                else:
                    live[key] = any(s == i for k in self._layer_keys(
                        self.layers[idx + 1]) if live[k]
                                    for s in slots[k] if s is not None)
                _, _, srcs = self._wiring[key]
                slots[key] = [
                    s if float(w) > 0 else None
                    for s, w in zip(srcs, beta_of[key])
                ]
                if live[key] and all(s is None for s in slots[key]):
                    raise GenotypeError(
                        f'cell {key} has every beta weight zero: it has no '
                        'input')
        self.input_used = [
            any(s == i for k in self._layer_keys(self.layers[0]) if live[k]
                for s in slots[k] if s is not None) for i in range(num_in)
        ]
        live_keys = [k for k in self.cell_keys if live[k]]
        for key in live_keys:
            self.cells[key] = FabricCell(
                self._wiring[key][1],
                self.channels,
                slots[key],
                edge_weights=alpha,
                **cell_kw)
        self._beta_rows = {k: r for r, k in enumerate(live_keys)}
        self.register_buffer('alpha_weights', alpha, persistent=False)
        self.register_buffer(
            'beta_weights',
            torch.stack([beta_of[k] for k in live_keys]),
            persistent=False)

    # ------------------------------------------------------------------
    # genotype
    # ------------------------------------------------------------------
    @property
    def derived(self) -> bool:
        return self.genotype is not None

    def structure(self) -> Dict[str, Any]:
        """The hyper-parameters recorded in a genotype's meta."""
        return dict(
            channel_factor=self.channel_factor,
            num_hidden=self.num_hidden,
            num_layers=self.num_layers,
            keep=self.keep,
            num_kept_layers=self.num_kept_layers)

    def genotype_spec(self, prefix: str = '') -> Dict[str, dict]:
        """``{prefix + 'alpha': ..., prefix + 'beta': ...}``, both
        ``continuous`` components (beta's columns are the labels
        :data:`SOURCES`)."""
        return fabric_genotype_spec(self.num_hidden, self.num_layers,
                                    self.keep, self.num_kept_layers,
                                    self.candidates, prefix)

    def derive_components(self,
                          prune_below: float = 1e-3,
                          prefix: str = '') -> Dict[str, dict]:
        """The continuous ``alpha`` / ``beta`` components, named with
        ``prefix`` (a parent with several fabrics merges them into one
        genotype). Weights at or below ``prune_below`` become exactly zero.
        In derived mode: the components it was built from."""
        if self._components is not None:
            comps = copy.deepcopy(self._components)
        else:
            comps = dict(
                alpha=derive_continuous(self.arch_alpha, self.candidates,
                                        prune_below),
                beta=derive_continuous(
                    self.arch_beta, SOURCES, prune_below, op_names=False))
        return {f'{prefix}{k}': v for k, v in comps.items()}

    def derive_genotype(self, prune_below: float = 1e-3, **meta) -> Genotype:
        """The fabric's genotype (space ``'NeuralFabric'``): the continuous
        mixtures, weights at or below ``prune_below`` set to zero; meta
        records the structure (``channel_factor``, ``num_hidden``,
        ``num_layers``, ``keep``, ``num_kept_layers``) and the rule."""
        if self.genotype is not None:
            return self.genotype
        full_meta = dict(self.structure(), rule='continuous',
                         prune_below=float(prune_below))
        full_meta.update(meta)
        return Genotype(
            space=FABRIC_SPACE,
            components=self.derive_components(prune_below),
            meta=full_meta)

    select_components = staticmethod(select_fabric_components)

    def arch_labels(self, prefix: str = '') -> Dict[str, List[str]]:
        """Column labels of the architecture parameters (genotype logger)."""
        if self.derived:
            return {}
        return {
            f'{prefix}arch_alpha': list(self.candidates),
            f'{prefix}arch_beta': list(SOURCES)
        }

    def _load(self, genotype: Union[str, dict, Genotype]) -> Genotype:
        if isinstance(genotype, dict) and 'components' not in genotype:
            genotype = Genotype(space=FABRIC_SPACE,
                                components=copy.deepcopy(genotype),
                                meta=self.structure())
        g = validate_genotype(genotype, self.genotype_spec())
        mine = self.structure()
        for key in STRUCTURE_KEYS:
            if key in g.meta and g.meta[key] != mine[key]:
                raise GenotypeError(
                    f'genotype was derived for a fabric with {key}='
                    f'{g.meta[key]!r}, this fabric has {key}={mine[key]!r}')
        return g

    def _layer_keys(self, layer: int) -> List[str]:
        return [f'l{layer}_s{i}' for i in range(self.layer_sizes[layer])]

    # ------------------------------------------------------------------
    def scale_sizes(self, inputs: Sequence[torch.Tensor]
                    ) -> List[Tuple[int, int]]:
        """``(H, W)`` of every scale: the inputs' sizes, then halved with
        rounding up (what the stride-2 transforms produce)."""
        sizes = [tuple(x.shape[-2:]) for x in inputs]
        for i in range(1, len(sizes)):
            h, w = sizes[i - 1]
            if sizes[i] != (-(-h // 2), -(-w // 2)):
                raise ValueError(
                    f'fabric inputs must halve in size (rounding up) from '
                    f'one scale to the next; got sizes {sizes}')
        while len(sizes) < NUM_SCALES:
            h, w = sizes[-1]
            sizes.append((-(-h // 2), -(-w // 2)))
        return sizes

    def forward(self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> List[torch.Tensor]:
        if isinstance(inputs, torch.Tensor):
            inputs = [inputs]
        inputs = list(inputs)
        if len(inputs) != len(self.in_channels):
            raise ValueError(
                f'the fabric expects {len(self.in_channels)} inputs with '
                f'channels {self.in_channels}, got {len(inputs)}')
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.dim() != 4 or x.shape[1] != c:
                raise ValueError(f'fabric input {i} must be (N, {c}, H, W), '
                                 f'got {tuple(x.shape)}')
        sizes = self.scale_sizes(inputs)
        if self.derived:
            alpha_w, beta_w = self.alpha_weights, self.beta_weights
        else:
            alpha_w = F.softmax(self.arch_alpha, dim=-1)
            beta_w = F.softmax(self.arch_beta, dim=-1)
        prev: List[Optional[torch.Tensor]] = inputs
        for j in self.layers:
            outs: List[Optional[torch.Tensor]] = []
            for i in range(self.layer_sizes[j]):
                key = f'l{j}_s{i}'
                cell = self.cells[key] if key in self.cells else None
                if cell is None:  # pruned: nobody reads it
                    outs.append(None)
                    continue
                srcs = [
                    None if s is None else prev[s]
                    for s in cell.source_scales
                ]
                outs.append(
                    cell(srcs, alpha_w, beta_w[self._beta_rows[key]],
                         sizes[i]))
            prev = outs
        return list(prev)

    def extra_repr(self) -> str:
        return (f'C={self.channel_factor}, H={self.num_hidden}, '
                f'L={self.num_layers}, keep={self.keep!r} '
                f'{self.num_kept_layers} layers {self.layers}, '
                f'cells={len(self.cells)}/{self.num_cells}, '
                f'derived={self.derived}')
