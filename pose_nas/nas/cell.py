# Copyright (c) pose_nas contributors. All rights reserved.
"""A DAG cell (DARTS-style) built from :class:`MixedOp` edges.

Used by cell-based search spaces: in search mode every (state -> node) edge
is a searchable :class:`MixedOp`; given a ``cell`` genotype component the same
class builds only the kept edges as ``'fixed'`` MixedOps.

Partial-channel connections with edge normalisation (PC-DARTS, Xu et al.,
ICLR 2020, Sec. 3.1-3.2) are switched on for a whole model by
:func:`set_partial_channels` (the ``'pc'`` search strategy does it);
:func:`derive_edge_normalized` is the matching DARTS derivation.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from .derive_rules import check_finite_logits, derive_cell
from .genotype import GenotypeError
from .mixed_op import MixedOp, float_device_dtype
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

    With edge normalisation (PC-DARTS, Sec. 3.2) every node with more than
    one incoming edge weighs them by ``softmax(beta)`` over its edges:
    ``node_j = sum_i softmax(beta_j)_i * edge_i(state_i)``. ``beta_j`` is
    the architecture parameter ``arch_beta.node{j}`` of this cell (one per
    cell, initialised to zero = equal weights; a node with one input has
    none). Derivation ranks edges by ``softmax(beta) * op weight``
    (:func:`derive_edge_normalized`).

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
        partial_channels (int): ``K`` of partial-channel edges (search
            mode; see :class:`MixedOp`). Defaults to 1 (off).
        edge_norm (bool): edge normalisation (search mode). Defaults to
            False.

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
                 affine: bool = True,
                 partial_channels: int = 1,
                 edge_norm: bool = False) -> None:
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
                            affine=affine,
                            partial_channels=partial_channels))
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
        self.register_load_state_dict_pre_hook(_adapt_cell_to_checkpoint)
        if edge_norm:
            self.set_edge_norm()

    def _edge_stride(self, src: int) -> int:
        return 2 if self.reduction and src < self.num_inputs else 1

    # -- edge normalisation (PC-DARTS) --------------------------------------
    @property
    def edge_norm(self) -> bool:
        """Whether the nodes weigh their edges by ``softmax(beta)``."""
        return 'arch_beta' in self._modules

    @property
    def multi_input_nodes(self) -> List[int]:
        """The nodes with more than one incoming edge."""
        return [j for j, s in enumerate(self.edge_sources) if len(s) > 1]

    def set_edge_norm(self) -> bool:
        """Turn edge normalisation on (zero ``arch_beta.node{j}`` for every
        multi-input node, on the device of the cell's parameters). Returns
        False, changing nothing, for a derived cell or a cell without
        multi-input nodes."""
        if self.edge_norm:
            return True
        if self.derived or not self.multi_input_nodes:
            return False
        device, dtype = float_device_dtype(self)
        self.arch_beta = nn.ParameterDict({
            f'node{j}': nn.Parameter(
                torch.zeros(len(self.edge_sources[j]), device=device,
                            dtype=dtype))
            for j in self.multi_input_nodes
        })
        return True

    def node_edge_weights(self, j: int) -> Optional[torch.Tensor]:
        """``softmax(beta_j)`` over node ``j``'s edges, or None (no edge
        normalisation there)."""
        if not self.edge_norm or f'node{j}' not in self.arch_beta:
            return None
        return F.softmax(self.arch_beta[f'node{j}'], dim=-1)

    def edge_weights(self) -> torch.Tensor:
        """Shapes: ``(num_edges,)``: every edge's ``softmax(beta)`` weight in
        its node (1 where there is none), in edge order."""
        out = []
        for j, srcs in enumerate(self.edge_sources):
            w = self.node_edge_weights(j)
            out.append(torch.ones(len(srcs)) if w is None else
                       w.detach().float().cpu())
        return torch.cat(out)

    def adapt_to_checkpoint(self, state_dict: dict, prefix: str) -> None:
        """Turn edge normalisation on when ``state_dict`` holds this cell's
        ``arch_beta`` (a checkpoint of a PC-DARTS search)."""
        key = prefix + 'arch_beta.'
        if not self.edge_norm and any(k.startswith(key) for k in state_dict):
            self.set_edge_norm()

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
        for j, srcs in enumerate(self.edge_sources):
            node = None
            beta = self.node_edge_weights(j)
            for i, src in enumerate(srcs):
                edge = self.edges[e]
                y = edge(states[src], None if self.derived else alpha[e])
                if beta is not None:
                    y = beta[i] * y
                node = y if node is None else node + y
                e += 1
            states.append(node)
        return self.project(torch.cat([states[i] for i in self.concat],
                                      dim=1))


def _adapt_cell_to_checkpoint(module: SearchCell, state_dict: dict,
                              prefix: str, *args) -> None:
    """``load_state_dict`` pre-hook of every :class:`SearchCell`."""
    module.adapt_to_checkpoint(state_dict, prefix)


def adapt_to_checkpoint(module: nn.Module, state_dict: dict,
                        prefix: str, *args) -> None:
    """``load_state_dict`` pre-hook of a searchable module: switch its
    edges and cells to what a PC-DARTS search checkpoint holds (partial
    channels, edge normalisation) before anything checks the shapes."""
    for name, m in module.named_modules():
        if isinstance(m, (MixedOp, SearchCell)):
            m.adapt_to_checkpoint(state_dict,
                                  prefix + (name + '.' if name else ''))


def set_partial_channels(model: nn.Module, k: int,
                         edge_norm: bool = True) -> Tuple[int, int]:
    """Partial-channel connections (PC-DARTS) on every searchable edge.

    Every :class:`MixedOp` that is not ``'fixed'`` sends ``C / k`` channels
    through its candidates (:meth:`MixedOp.set_partial_channels`); with
    ``edge_norm``, every search :class:`SearchCell` with multi-input nodes
    weighs them by ``softmax(beta)``. Every edge is checked before any is
    changed.

    Args:
        model (nn.Module): the (unwrapped) model.
        k (int): the channel fraction ``1 / k`` (>= 2).
        edge_norm (bool): edge normalisation where nodes have several
            inputs.

    Returns:
        tuple: ``(edges, cells)`` switched (edges to partial channels,
        cells to edge normalisation).

    Raises:
        ValueError: no searchable edge, or one that does not fit (named,
            e.g. ``C_in != C_out`` in an EfficientPose block).
    """
    edges = [(n, m) for n, m in model.named_modules()
             if isinstance(m, MixedOp) and m.mode != 'fixed']
    if not edges:
        raise ValueError(f'partial channels: {type(model).__name__} has no '
                         'searchable MixedOp')
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f'partial channels: k must be an int >= 2, got '
                         f'{k!r}')
    for name, m in edges:  # all fit, or nothing changes
        if m.C_in != m.C_out or m.C_in % k:
            why = (f'C_in={m.C_in} != C_out={m.C_out}' if m.C_in != m.C_out
                   else f'{m.C_in} channels are not divisible by k={k}')
            raise ValueError(f"partial channels do not fit edge '{name}' "
                             f'({type(model).__name__}): {why}')
    for name, m in edges:
        m.set_partial_channels(k, name)
    cells = 0
    if edge_norm:
        cells = sum(
            m.set_edge_norm() for m in model.modules()
            if isinstance(m, SearchCell) and not m.derived)
    return len(edges), cells


def derive_edge_normalized(alpha: torch.Tensor,
                           cells: Sequence[SearchCell],
                           k: int = 2,
                           exclude: Sequence[str] = ('none', ),
                           name: str = 'architecture logits'
                           ) -> Dict[str, Any]:
    """DARTS derivation of the cells sharing ``alpha``, with PC-DARTS edge
    normalisation (Xu et al., ICLR 2020, Sec. 3.2): an edge's score is
    ``w_beta * max_op softmax(alpha)`` (``none`` excluded), ``w_beta`` its
    ``softmax(beta)`` weight averaged over ``cells``; per node the ``k``
    best edges are kept, each with its argmax op. Without edge
    normalisation this is :func:`~pose_nas.nas.derive_rules.derive_cell`.

    Args:
        alpha (Tensor): ``(num_edges, num_candidates)`` logits.
        cells (Sequence[SearchCell]): the search cells that use ``alpha``.
        k (int): edges kept per node.

    Returns:
        dict: a ``cell`` genotype component.
    """
    cells = list(cells)
    if not cells:
        raise ValueError('derive_edge_normalized needs the cells of alpha')
    c0 = cells[0]
    comp = derive_cell(alpha, c0.candidates, c0.num_inputs, c0.num_nodes,
                       k=k, exclude=exclude, name=name)
    if not any(c.edge_norm for c in cells):
        return comp
    check_finite_logits(torch.stack([c.edge_weights() for c in cells]),
                        f'{name} (edge weights)')
    beta = torch.stack([c.edge_weights() for c in cells]).mean(0)
    probs = F.softmax(alpha.detach().float(), dim=-1)
    allowed = [i for i, c in enumerate(c0.candidates) if c not in exclude]
    nodes, start = [], 0
    for srcs in c0.edge_sources:
        rows = probs[start:start + len(srcs)][:, allowed]
        best_w, best_i = rows.max(dim=1)
        score = best_w * beta[start:start + len(srcs)]
        order = torch.argsort(score, descending=True, stable=True)[:k]
        nodes.append([[c0.candidates[allowed[int(best_i[s])]], srcs[int(s)]]
                      for s in sorted(order.tolist())])
        start += len(srcs)
    comp['nodes'] = nodes
    return comp
