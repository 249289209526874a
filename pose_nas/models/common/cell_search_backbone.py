# Copyright (c) pose_nas contributors. All rights reserved.
"""A small, generic cell-based search space built from the engine's
primitives, after "DARTS: Differentiable Architecture Search" (Liu et al.,
ICLR 2019), Sec. 2.1 (cells) and Sec. 2.4 (deriving the discrete net).

It is the engine's reference search space: the strategy tests, the
``configs/nas_engine`` search configs and the search-cost benchmark use it.
Methods build their own spaces the same way (arch params named ``arch_*``,
:class:`SearchableMixin`, ``genotype=`` for the derived net).
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.utils.typing import ConfigType, OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.cell import (SearchCell, derive_edge_normalized,
                               num_cell_edges)
from pose_nas.nas.derive_rules import derive_decisions
from pose_nas.nas.genotype import Genotype, GenotypeError, validate_genotype
from pose_nas.nas.genotype_specs import cell_spec, decisions_spec
from pose_nas.nas.ops import canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int

DEFAULT_CANDIDATES = ('none', 'skip_connect', 'sep_conv_3x3', 'conv_3x3',
                      'dil_conv_3x3_r2', 'avg_pool_3x3')


@MODELS.register_module()
class CellSearchBackbone(BaseBackbone, SearchableMixin):
    """Stem to 1/4, then a chain of normal / reduction cells.

    The cell search space of "DARTS: Differentiable Architecture Search"
    (Liu et al., ICLR 2019), Sec. 2.1: each cell is a DAG whose edges mix
    the candidate ops; reduction cells halve the resolution and double the
    width. Normal cells share ``arch_alpha_normal`` and reduction cells share
    ``arch_alpha_reduce`` (``(num_edges, num_candidates)`` logits). With
    ``searchable_depth`` every normal cell is also a discrete on/off
    decision (off = identity) for a controller trained with REINFORCE
    (Williams, "Simple statistical gradient-following algorithms for
    connectionist reinforcement learning", Machine Learning 1992); the
    derived net then omits the cells switched off.

    Args:
        in_channels (int): image channels.
        stem_channels (int): width after the two stride-2 stem convs.
        channels (int): width of the first cell; reduction cells double it.
        layout (Sequence[str]): ``'normal'`` / ``'reduce'`` per cell.
        num_nodes (int): intermediate nodes per cell.
        candidates (Sequence[str]): candidate ops of every edge.
        mode (str): MixedOp mode while searching
            (``softmax | gumbel | sampled``).
        tau (float): initial Gumbel temperature.
        hard (bool): straight-through Gumbel.
        searchable_depth (bool): expose normal cells as decisions.
        genotype (str | dict | Genotype, optional): build the derived net.
        derive_k (int): incoming edges kept per node when deriving.
        affine (bool): affine BN inside the ops while searching (derived
            nets always use affine BN).
        norm_cfg (dict): norm layers of the stem (mmcv's
            ``build_norm_layer``). Defaults to ``dict(type='BN')``. The
            cells' ops (:mod:`pose_nas.nas.ops`) use BatchNorm.
        act_cfg (dict): activations of the stem (mmcv's
            ``build_activation_layer``). Defaults to
            ``dict(type='ReLU', inplace=True)``.
        init_cfg (dict | list[dict], optional): MMEngine initialization
            config. Defaults to None (PyTorch's default initialization).

    Shapes:
        ``(N, in_channels, H, W)`` -> a 1-tuple with
        ``(N, out_channels, H / 2^(2 + #reduce), W / ...)``.
    """
    derive_options = ('k', )

    def __init__(self,
                 in_channels: int = 3,
                 stem_channels: int = 16,
                 channels: int = 16,
                 layout: Sequence[str] = ('normal', 'reduce', 'normal',
                                          'reduce', 'normal'),
                 num_nodes: int = 2,
                 candidates: Sequence[str] = DEFAULT_CANDIDATES,
                 mode: str = 'softmax',
                 tau: float = 1.0,
                 hard: bool = False,
                 searchable_depth: bool = False,
                 genotype: Union[str, dict, Genotype, None] = None,
                 derive_k: int = 2,
                 affine: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU', inplace=True),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_checkpoint_check()
        for kind in layout:
            if kind not in ('normal', 'reduce'):
                raise ValueError(f"layout entries must be 'normal' or "
                                 f"'reduce', got {kind!r}")
        self.layout = list(layout)
        who = type(self).__name__
        in_channels = check_int(in_channels, f'{who}: in_channels', 1)
        stem_channels = check_int(stem_channels, f'{who}: stem_channels', 1)
        channels = check_int(channels, f'{who}: channels', 1)
        num_nodes = check_int(num_nodes, f'{who}: num_nodes', 1)
        self.num_nodes = num_nodes
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.searchable_depth = searchable_depth
        self.derive_k = check_int(derive_k, f'{who}: derive_k', 1)
        self.normal_cells = [i for i, k in enumerate(layout) if k == 'normal']

        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            self.genotype = validate_genotype(
                genotype, self.genotype_spec(), space=type(self).__name__)

        self.norm_cfg = copy.deepcopy(norm_cfg)
        self.act_cfg = copy.deepcopy(act_cfg)
        # a plain Sequential (not ConvModule) keeps the parameter names
        # stem.{0,1,3,4}.* of existing checkpoints
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem_channels, 3, 2, 1, bias=False),
            build_norm_layer(norm_cfg, stem_channels)[1],
            build_activation_layer(act_cfg),
            nn.Conv2d(stem_channels, stem_channels, 3, 2, 1, bias=False),
            build_norm_layer(norm_cfg, stem_channels)[1],
            build_activation_layer(act_cfg))

        active = self._derived_active()
        self.cells = nn.ModuleList()
        c_prev, c = stem_channels, channels
        for i, kind in enumerate(layout):
            reduction = kind == 'reduce'
            if reduction:
                c = c * 2
            if self.genotype is not None and not active[i]:
                if c_prev != c:
                    raise GenotypeError(
                        f'cell {i} cannot be switched off: it changes the '
                        f'width {c_prev} -> {c}')
                self.cells.append(nn.Identity())
                continue
            self.cells.append(
                SearchCell([c_prev],
                           c,
                           num_nodes,
                           self.candidates,
                           reduction=reduction,
                           mode=mode,
                           genotype=None if self.genotype is None else
                           self.genotype[kind],
                           out_channels=c,
                           tau=tau,
                           hard=hard,
                           affine=affine if self.genotype is None else True))
            c_prev = c
        self.out_channels = c_prev

        if self.genotype is None:
            num_edges = num_cell_edges(1, num_nodes)
            self.arch_alpha_normal = nn.Parameter(
                1e-3 * torch.randn(num_edges, len(self.candidates)))
            if 'reduce' in self.layout:
                self.arch_alpha_reduce = nn.Parameter(
                    1e-3 * torch.randn(num_edges, len(self.candidates)))
        self._decisions: Optional[List[int]] = None

    # ------------------------------------------------------------------
    # genotype
    # ------------------------------------------------------------------
    def genotype_spec(self) -> Dict[str, dict]:
        spec = {'normal': cell_spec(1, self.num_nodes, self.candidates)}
        if 'reduce' in self.layout:
            spec['reduce'] = cell_spec(1, self.num_nodes, self.candidates)
        if self.searchable_depth:
            spec['depth'] = decisions_spec([2] * len(self.normal_cells))
        return spec

    def _derived_active(self) -> List[bool]:
        active = [True] * len(self.layout)
        if self.genotype is not None and self.searchable_depth:
            for i, v in zip(self.normal_cells,
                            self.genotype['depth']['values']):
                active[i] = bool(v)
        return active

    def derive_genotype(self,
                        k: Optional[int] = None,
                        decisions: Optional[Sequence[int]] = None,
                        **meta) -> Genotype:
        """The DARTS-derived genotype (Liu et al., ICLR 2019, Sec. 2.4):
        top-``k`` non-zero edges per node, argmax op (edges ranked by
        ``softmax(beta) * op weight`` after a PC-DARTS search with edge
        normalisation); ``decisions`` (e.g.
        the controller's best-of-K) for the depth component, all cells on
        otherwise."""
        if self.genotype is not None:
            return self.genotype
        k = self.derive_k if k is None else k
        kinds = ['normal'] + (['reduce'] if 'reduce' in self.layout else [])
        comps = {
            kind: derive_edge_normalized(
                getattr(self, f'arch_alpha_{kind}'),
                [c for c in self.cells if isinstance(c, SearchCell)
                 and c.reduction == (kind == 'reduce')], k,
                name=f'arch_alpha_{kind}')
            for kind in kinds
        }
        if self.searchable_depth:
            values = (decisions if decisions is not None else
                      self._decisions or [1] * len(self.normal_cells))
            comps['depth'] = derive_decisions(values,
                                              self.decision_space())
        meta.setdefault('rule', f'darts_top{k}')
        return Genotype(space=type(self).__name__, components=comps,
                        meta=meta)

    def arch_labels(self) -> Dict[str, List[str]]:
        return {
            name: list(self.candidates)
            for name, _ in self.named_parameters() if name.startswith('arch_')
        }

    # ------------------------------------------------------------------
    # discrete decisions (controller)
    # ------------------------------------------------------------------
    def decision_space(self) -> List[int]:
        if not self.searchable_depth or self.genotype is not None:
            return []
        return [2] * len(self.normal_cells)

    def apply_decisions(self, decisions: Optional[Sequence[int]]) -> None:
        """Switch normal cells on (1) / off (0); None = all on."""
        if decisions is None:
            self._decisions = None
            return
        space = self.decision_space()
        if not space:
            raise RuntimeError('this backbone has no discrete decisions '
                               '(searchable_depth=False or derived)')
        values = [int(v) for v in decisions]
        if len(values) != len(space) or any(not 0 <= v < n
                                            for v, n in zip(values, space)):
            raise ValueError(f'decisions {values} do not fit the decision '
                             f'space {space}')
        self._decisions = values

    def current_decisions(self) -> Optional[List[int]]:
        return None if self._decisions is None else list(self._decisions)

    # ------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.stem(x)
        off = set()
        if self._decisions is not None:
            off = {
                i
                for i, v in zip(self.normal_cells, self._decisions) if v == 0
            }
        for i, (kind, cell) in enumerate(zip(self.layout, self.cells)):
            if i in off:
                continue
            if isinstance(cell, SearchCell) and not cell.derived:
                alpha = (self.arch_alpha_normal
                         if kind == 'normal' else self.arch_alpha_reduce)
                x = cell(x, alpha)
            else:
                x = cell(x)
        return (x, )
