# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS's searchable pose encoder.

"Pose-native Network Architecture Search for Multi-person Human Pose
Estimation" (Bao et al., ACM MM 2020), the pose encoder: a stem, then a
stack of DARTS cells (Liu et al., ICLR 2019, Sec. 2.1) with two inputs,
three of them reduction cells, and four multi-scale taps at 1/4..1/32.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.utils.typing import OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.cell import (SearchCell, derive_edge_normalized,
                               num_cell_edges)
from pose_nas.nas.genotype import Genotype, validate_genotype
from pose_nas.nas.genotype_specs import cell_spec
from pose_nas.nas.ops import ReLUConvBN, canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints

#: the candidate ops of every PoseNAS edge (SPEC 3.3): none + nine ops
POSENAS_CANDIDATES = ('none', 'skip_connect', 'avg_pool_3x3', 'max_pool_3x3',
                      'conv_3x3', 'conv_1x1', 'dil_conv_3x3_r2',
                      'dil_conv_3x3_r4', 'squeeze_excitation',
                      'spatial_attention')
#: the published layouts: L -> (reduction cells, tapped cells)
POSENAS_LAYOUTS = {18: ((3, 8, 15), (2, 7, 14, 17)),
                   12: ((3, 6, 9), (2, 5, 8, 11))}
NUM_NODES = 4


def posenas_layout(num_layers: int,
                   reduction_cells: Optional[Sequence[int]] = None,
                   out_cells: Optional[Sequence[int]] = None
                   ) -> Tuple[List[int], List[int]]:
    """Reduction and tapped cells of an ``num_layers``-cell encoder: the
    published ones for L = 18 / 12, ``(L/4, L/2, 3L/4)`` and taps just
    before each reduction and at the end for other L divisible by 4, or
    the explicit ``reduction_cells`` / ``out_cells``."""
    L = check_int(num_layers, 'PoseNASBackbone: num_layers', 4)
    if reduction_cells is None and out_cells is None:
        if L in POSENAS_LAYOUTS:
            red, taps = POSENAS_LAYOUTS[L]
        elif L % 4 == 0:
            red = (L // 4, L // 2, 3 * L // 4)
            taps = tuple(r - 1 for r in red) + (L - 1, )
        else:
            raise ValueError(f'PoseNASBackbone: num_layers={L} has no '
                             'default layout; give reduction_cells and '
                             'out_cells')
    else:
        red, taps = reduction_cells, out_cells
    red = check_ints(red, 'PoseNASBackbone: reduction_cells', 1)
    taps = check_ints(taps, 'PoseNASBackbone: out_cells', 0)
    if len(red) != 3 or list(red) != sorted(set(red)) or red[-1] >= L:
        raise ValueError('PoseNASBackbone: reduction_cells must be 3 '
                         f'increasing cells below {L}, got {list(red)}')
    want = [r - 1 for r in red] + [L - 1]
    if list(taps) != want:
        raise ValueError(f'PoseNASBackbone: out_cells must be the last cell '
                         f'of each scale {want}, got {list(taps)}')
    return list(red), list(taps)


@MODELS.register_module()
class PoseNASBackbone(BaseBackbone, SearchableMixin):
    """The PoseNAS encoder (Bao et al., ACM MM 2020), search or derived.

    Stem: three 3x3 convs (stride 2, 2, 1) to ``2C`` channels (or, with
    ``stem_strides=()``, one ReLU-conv1x1-BN, as the Fusion-and-Enhancement
    encoder that reads a 1/4 feature). Then ``num_layers`` DARTS cells: two
    inputs (the two previous cells; ReLU-conv1x1-BN preprocessing,
    factorized reduce after a reduction cell), 4 nodes of 2 inputs, output =
    concat of the 4 nodes; node width ``C/2`` at 1/4, doubled by every
    reduction cell. The cells of the last cell of each scale are the
    outputs: ``2C, 4C, 8C, 16C`` channels at 1/4, 1/8, 1/16, 1/32 of the
    input.

    Search mode (``genotype=None``): every edge is a :class:`MixedOp` over
    ``candidates``; normal cells share ``arch_alpha_normal``, reduction
    cells ``arch_alpha_reduce`` (``(14, num_candidates)`` logits). Derived
    mode: ``genotype`` with ``normal`` and ``reduce`` cell components.

    Args:
        in_channels (int): input channels (3 for images).
        channels (int): the channel factor C (even).
        num_layers (int): cells L (18 and 12 have the published layouts).
        reduction_cells, out_cells (Sequence[int], optional): explicit
            layout (see :func:`posenas_layout`).
        stem_strides (Sequence[int]): strides of the 3x3 stem convs;
            ``()`` = a 1x1 projection stem. Defaults to ``(2, 2, 1)``.
        candidates (Sequence[str]): candidate ops of every edge.
        mode (str): MixedOp mode while searching.
        genotype (str | dict | Genotype, optional): build the derived net.
        derive_k (int): incoming edges kept per node when deriving.
        init_cfg (dict | list[dict], optional): MMEngine init config.

    Shapes:
        ``(N, in_channels, H, W)`` -> 4-tuple ``(N, 2C * 2^i, H / 2^(s + i),
        W / 2^(s + i))``, ``i = 0..3``, ``s = 2`` for the default stem.
    """
    derive_options = ('k', )

    def __init__(self,
                 in_channels: int = 3,
                 channels: int = 48,
                 num_layers: int = 18,
                 reduction_cells: Optional[Sequence[int]] = None,
                 out_cells: Optional[Sequence[int]] = None,
                 stem_strides: Sequence[int] = (2, 2, 1),
                 candidates: Sequence[str] = POSENAS_CANDIDATES,
                 mode: str = 'softmax',
                 genotype: Union[str, dict, Genotype, None] = None,
                 derive_k: int = 2,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_checkpoint_check()
        who = type(self).__name__
        in_channels = check_int(in_channels, f'{who}: in_channels', 1)
        C = check_int(channels, f'{who}: channels', 2)
        if C % 2:
            raise ValueError(f'{who}: channels must be even, got {C}')
        self.derive_k = check_int(derive_k, f'{who}: derive_k', 1)
        self.reduction_cells, self.out_cells = posenas_layout(
            num_layers, reduction_cells, out_cells)
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            self.genotype = validate_genotype(genotype, self.genotype_spec(),
                                              space=who)
        self.stem = self._make_stem(in_channels, 2 * C, stem_strides)

        self.cells = nn.ModuleList()
        c_pp, c_p, c = 2 * C, 2 * C, C // 2
        reduction_prev = False
        self.out_channels: List[int] = []
        for i in range(num_layers):
            reduction = i in self.reduction_cells
            if reduction:
                c *= 2
            kind = 'reduce' if reduction else 'normal'
            cell = SearchCell([c_pp, c_p], c, NUM_NODES, self.candidates,
                              reduction=reduction,
                              input_strides=[2 if reduction_prev else 1, 1],
                              mode=mode,
                              genotype=None if self.genotype is None else
                              self.genotype[kind])
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.out_channels
            if i in self.out_cells:
                self.out_channels.append(c_p)
        if self.genotype is None:
            n = num_cell_edges(2, NUM_NODES)
            self.arch_alpha_normal = nn.Parameter(
                1e-3 * torch.randn(n, len(self.candidates)))
            self.arch_alpha_reduce = nn.Parameter(
                1e-3 * torch.randn(n, len(self.candidates)))

    @staticmethod
    def _make_stem(in_channels: int, out_channels: int,
                   strides: Sequence[int]) -> nn.Module:
        strides = [int(s) for s in strides]
        if not strides:
            return ReLUConvBN(in_channels, out_channels, 1, 1)
        if any(s not in (1, 2) for s in strides):
            raise ValueError(f'PoseNASBackbone: stem_strides must be 1 or 2, '
                             f'got {strides}')
        layers: List[nn.Module] = []
        c_in = in_channels
        for i, s in enumerate(strides):
            # the first conv goes to C, the others to 2C; no ReLU at the end
            c_out = out_channels // 2 if i == 0 and len(strides) > 1 \
                else out_channels
            layers += [nn.Conv2d(c_in, c_out, 3, s, 1, bias=False),
                       nn.BatchNorm2d(c_out)]
            if i < len(strides) - 1:
                layers.append(nn.ReLU(inplace=True))
            c_in = c_out
        return nn.Sequential(*layers)

    # ------------------------------------------------------------------
    def genotype_spec(self) -> Dict[str, dict]:
        return {
            'normal': cell_spec(2, NUM_NODES, self.candidates, max_edges=2),
            'reduce': cell_spec(2, NUM_NODES, self.candidates, max_edges=2)
        }

    def derive_genotype(self, k: Optional[int] = None, **meta) -> Genotype:
        """DARTS derivation (Liu et al., ICLR 2019, Sec. 2.4): per node the
        ``k`` strongest incoming edges, ``none`` excluded, argmax op (after
        a PC-DARTS search, edges ranked by ``softmax(beta) * op weight``)."""
        if self.genotype is not None:
            return self.genotype
        k = self.derive_k if k is None else k
        comps = {
            kind: derive_edge_normalized(
                getattr(self, f'arch_alpha_{kind}'),
                [c for c in self.cells if c.reduction == (kind == 'reduce')],
                k, name=f'arch_alpha_{kind}')
            for kind in ('normal', 'reduce')
        }
        meta.setdefault('rule', f'darts_top{k}')
        return Genotype(space=type(self).__name__, components=comps,
                        meta=meta)

    def arch_labels(self) -> Dict[str, List[str]]:
        return {
            name: list(self.candidates)
            for name, _ in self.named_parameters() if name.startswith('arch_')
        }

    # ------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        s0 = s1 = self.stem(x)
        outs = []
        for i, cell in enumerate(self.cells):
            alpha = None
            if not cell.derived:
                alpha = (self.arch_alpha_reduce if cell.reduction else
                         self.arch_alpha_normal)
            s0, s1 = s1, cell([s0, s1], alpha)
            if i in self.out_cells:
                outs.append(s1)
        return tuple(outs)
