# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's cell-based neural fabric: the kept layers of an ``L``-layer fabric.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068; journal
version: "Searching part-specific neural fabrics for human pose
estimation", Pattern Recognition 2022), Sec. III-B (cells, eqs. 1-3) and
Sec. III-C (backbone = first ``m`` layers, subnetwork = last ``n`` layers).
The layout is in :mod:`.fabric_layout`, the cells in :mod:`.fabric_cell`.

Architecture parameters: ``arch_alpha`` ``(num_edges, num_candidates)``
shared by every cell of a fabric, ``arch_beta`` ``(num_cells, 3)`` one row
per cell (layer-major, finest scale first); both start at zero (Sec. III-F
a: ``alpha`` shared across a fabric, ``beta`` cell-wise).

Derived (retrain) mode, ``genotype=``: PNFS keeps the continuous mixture
(Sec. III-F c). The weights become non-persistent buffers
(``alpha_weights``, ``beta_weights``), ops whose weight is exactly zero are
not built, a source transform whose beta weight is zero is not built, and a
cell whose output no kept cell reads any more is removed (recursively), with
its beta row (:func:`~.fabric_pruning.prune_fabric`). A row of weights that
is all zero is a :class:`GenotypeError`, for ``alpha`` as for ``beta``: a
live cell's ``beta`` row (the cell would have no input) and any ``alpha`` row
(an edge of every cell; a row keeps its mass, so a zero row is a hand edit or
an over-pruned derive, never a search result). An edge is pruned when its
weight is on ``none`` only, as a search that prefers ``none`` derives it:
then its op modules are not built, a hidden node with no kept incoming edge
is zero and a cell with no kept edge outputs its projection's bias, which is
what the supernet computes up to the pruned mass. Weights are not
renormalised, so the derived net computes what the supernet computed up to
the pruned mass; module names are those of the supernet, so a supernet
checkpoint loads into it (``strict=False``: the pruned modules and
``arch_*`` are unexpected keys).
"""
import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from pose_nas.nas.arch import SearchableMixin, arch_weights
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.derive_rules import derive_continuous
from pose_nas.nas.genotype import Genotype, GenotypeError, validate_genotype
from pose_nas.nas.ops import canonical_op_name
from pose_nas.utils.checks import check_int
from .fabric_cell import FabricCell
from .fabric_layout import (BACKBONE_CANDIDATES, FABRIC_SPACE, NUM_SCALES,
                            SCALE_MULTIPLIERS, SOURCES, STRUCTURE_KEYS,
                            SUBNET_CANDIDATES, fabric_genotype_spec,
                            fabric_layer_sizes, fabric_wiring, kept_layers,
                            num_fabric_edges, select_fabric_components)
from .fabric_pruning import prune_fabric


class NeuralFabric(BaseModule, SearchableMixin):
    """The kept layers of a cell-based neural fabric (see the module doc and
    :mod:`.fabric_layout`).

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
        who = type(self).__name__
        self.channel_factor = check_int(channel_factor,
                                        f'{who}: channel_factor', 1)
        self.num_hidden = check_int(num_hidden, f'{who}: num_hidden', 1)
        self.num_layers = check_int(num_layers, f'{who}: num_layers', 1)
        self.keep = keep
        self.num_kept_layers = check_int(num_kept_layers,
                                         f'{who}: num_kept_layers', 1)
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
        self._wiring = fabric_wiring(self.layers, self.layer_sizes, num_in)
        self.cell_keys: List[str] = list(self._wiring)
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
            # an edge whose mode / tau / hard a strategy sets (a list, so
            # that it is not registered twice)
            self._probe = [next(m for m in self.cells.modules()
                                if isinstance(m, MixedOp))]
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
        # (numbers: finite, >= 0, checked by validate_genotype)
        zero_rows = (alpha == 0).all(-1).nonzero().flatten().tolist()
        if zero_rows:
            e = zero_rows[0]
            raise GenotypeError(
                f"genotype component 'alpha': row {e} (edge "
                f'{self._edge_name(e)}) has every weight zero; to prune an '
                "edge give its weight to 'none'")
        pruned = prune_fabric(self._wiring, beta, num_in)
        self.input_used = pruned.input_used
        for key in pruned.live_cells:
            self.cells[key] = FabricCell(
                self._wiring[key][1],
                self.channels,
                pruned.slots[key],
                edge_weights=alpha,
                **cell_kw)
        rows = [self.cell_keys.index(k) for k in pruned.live_cells]
        self._beta_rows = {k: r for r, k in enumerate(pruned.live_cells)}
        self.register_buffer('alpha_weights', alpha, persistent=False)
        self.register_buffer('beta_weights', beta[rows], persistent=False)

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
                                        prune_below, name='arch_alpha'),
                beta=derive_continuous(
                    self.arch_beta, SOURCES, prune_below, op_names=False,
                    name='arch_beta'))
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

    def _edge_name(self, e: int) -> str:
        """``'i->j'`` of row ``e`` of ``alpha`` (order ``0->1, 0->2, 1->2,
        0->3 ...``)."""
        pairs = [(i, j) for j in range(1, self.num_hidden + 1)
                 for i in range(j)]
        return '{}->{}'.format(*pairs[e])

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
        else:  # Gumbel modes sample per cell below
            alpha_w = (F.softmax(self.arch_alpha, dim=-1)
                       if self._edge_mode() == 'softmax' else None)
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
                    cell(srcs,
                         self._gumbel_alpha() if alpha_w is None else alpha_w,
                         beta_w[self._beta_rows[key]], sizes[i]))
            prev = outs
        return list(prev)

    def _edge_mode(self) -> str:
        """Search mode: how a strategy set the edges' :class:`MixedOp`
        (``'softmax'``: DARTS's mixture of ``softmax(arch_alpha)``;
        ``'gumbel'``: a Gumbel-softmax sample per edge and cell, one-hot
        with ``hard`` (GDAS: one op runs per edge))."""
        mode = self._probe[0].mode
        if mode not in ('softmax', 'gumbel'):
            raise ValueError(f"NeuralFabric: its edges are in mode {mode!r}"
                             "; a fabric mixes its shared arch_alpha in "
                             "'softmax' or 'gumbel' mode only")
        return mode

    def _gumbel_alpha(self) -> torch.Tensor:
        """One cell's edge weights in ``'gumbel'`` mode: a sample per
        edge at the edges' temperature."""
        edge = self._probe[0]
        return arch_weights(self.arch_alpha, 'gumbel', edge.tau, edge.hard)

    def extra_repr(self) -> str:
        return (f'C={self.channel_factor}, H={self.num_hidden}, '
                f'L={self.num_layers}, keep={self.keep!r} '
                f'{self.num_kept_layers} layers {self.layers}, '
                f'cells={len(self.cells)}/{self.num_cells}, '
                f'derived={self.derived}')
