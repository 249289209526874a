# Copyright (c) pose_nas contributors. All rights reserved.
"""The AutoPose search space: multi-branch, multi-scale, searched cells."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.utils.typing import ConfigType, OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.cell import num_cell_edges
from pose_nas.nas.derive_rules import derive_cell, derive_decisions
from pose_nas.nas.genotype import Genotype, validate_genotype
from pose_nas.nas.genotype_specs import cell_spec, decisions_spec
from pose_nas.nas.ops import canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints
from .autopose_stem import AutoPoseStem
from .multi_scale_module import MultiScaleModule

#: The six candidate ops (the paper's kernel sizes were lost; SPEC 3.2).
DEFAULT_CANDIDATES = ('conv_1x1', 'conv_3x3', 'conv_5x5', 'avg_pool_3x3',
                      'max_pool_3x3', 'skip_connect')
#: How the branches of a stage are searched: ``'multi'`` (the paper: one
#: on/off bit per branch), ``'single'`` (Table 4: at most one active branch
#: per stage), ``'all'`` (Table 4: every branch forced on, cells searched).
BRANCH_MODES = ('multi', 'single', 'all')
AGGREGATIONS = ('cell', 'concat')


@MODELS.register_module()
class AutoPoseBackbone(BaseBackbone, SearchableMixin):
    """AutoPose (Gong et al., "AutoPose: Searching Multi-Scale Branch
    Aggregation for Pose Estimation", 2020), Sec. 3.1 and 4.2.

    A stem (:class:`AutoPoseStem`) feeds four branches (1/4 .. 1/32);
    ``num_stages`` stages of ``modules_per_stage``
    :class:`MultiScaleModule` s follow, each branch of a stage switched on
    or off by the network-level decisions (an inactive branch is an
    identity; a stage may have none active: depth search). All individual
    cells share ``arch_alpha_individual``, all aggregation cells
    ``arch_alpha_aggregation`` (``(num_edges, num_candidates)`` logits,
    Gumbel-softmax by default). The output is every branch upsampled
    (nearest) to 1/4 and concatenated; MMPose's ``HeatmapHead`` with a
    single 1x1 final conv maps it to the heatmaps.

    Network-level decisions (:meth:`decision_space`, for the REINFORCE
    controller): 12 on/off bits, stage-major (stage 0 branches 1/4 .. 1/32,
    stage 1 ...); with ``branch_mode='single'`` one 5-way choice per stage
    (0 = no branch, ``1 + b`` = branch ``b`` only); with ``'all'`` none.
    Before any decision is applied every branch runs (full supernet).

    Args:
        in_channels (int): image channels.
        stem_channels (int): width of the stem convs.
        channels (Sequence[int]): supernet width of the four branches.
        channel_multiplier (float): widths of the *derived* net
            (``genotype=``) are ``channels * channel_multiplier`` (the paper
            doubles them); the supernet ignores it.
        num_stages (int): stages (each with its own branch decisions).
        modules_per_stage (int): multi-scale modules per stage.
        individual_nodes (int): nodes of an individual cell.
        aggregation_nodes (int): nodes of an aggregation cell.
        candidates (Sequence[str]): candidate ops of every edge.
        aggregation (str): ``'cell'`` (searched aggregation cells) or
            ``'concat'`` (plain concatenation + 1x1 conv).
        branch_mode (str): ``'multi' | 'single' | 'all'``, see above.
        mode (str): MixedOp mode while searching (``gumbel | softmax``).
        tau (float): initial Gumbel temperature.
        hard (bool): straight-through Gumbel.
        genotype (str | dict | Genotype, optional): build the derived net.
        affine (bool): affine BN inside the ops while searching.
        norm_cfg (dict): norm layers outside the cells.
        act_cfg (dict): activations of the stem.
        init_cfg (dict | list[dict], optional): MMEngine init config.

    Shapes:
        ``(N, in_channels, H, W)`` -> a 1-tuple
        ``(N, sum(widths), H / 4, W / 4)``.
    """
    #: cells: argmax op on every edge, so no ``--k``
    derive_options = ()
    #: best-of-K derivation of the branches needs K >= 1 sampled vectors
    #: (checked by ReinforceControllerHook)
    min_derive_samples = 1

    def __init__(self,
                 in_channels: int = 3,
                 stem_channels: int = 64,
                 channels: Sequence[int] = (16, 32, 64, 128),
                 channel_multiplier: float = 2.0,
                 num_stages: int = 3,
                 modules_per_stage: int = 2,
                 individual_nodes: int = 3,
                 aggregation_nodes: int = 2,
                 candidates: Sequence[str] = DEFAULT_CANDIDATES,
                 aggregation: str = 'cell',
                 branch_mode: str = 'multi',
                 mode: str = 'gumbel',
                 tau: float = 1.0,
                 hard: bool = False,
                 genotype: Union[str, dict, Genotype, None] = None,
                 affine: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU', inplace=True),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_checkpoint_check()
        who = type(self).__name__
        channels = check_ints(channels, f'{who}: channels', 1)
        self.num_stages = check_int(num_stages, f'{who}: num_stages', 1)
        self.modules_per_stage = check_int(modules_per_stage,
                                           f'{who}: modules_per_stage', 1)
        self.individual_nodes = check_int(individual_nodes,
                                          f'{who}: individual_nodes', 1)
        self.aggregation_nodes = check_int(aggregation_nodes,
                                           f'{who}: aggregation_nodes', 1)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'{who}: aggregation must be one of '
                             f'{AGGREGATIONS}, got {aggregation!r}')
        if branch_mode not in BRANCH_MODES:
            raise ValueError(f'{who}: branch_mode must be one of '
                             f'{BRANCH_MODES}, got {branch_mode!r}')
        if not channel_multiplier > 0:
            raise ValueError(f'{who}: channel_multiplier must be > 0, got '
                             f'{channel_multiplier}')
        self.num_branches = len(channels)
        self.aggregation = aggregation
        self.branch_mode = branch_mode
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            self.genotype = validate_genotype(genotype, self.genotype_spec(),
                                              space=who)
            channels = [max(1, int(round(c * channel_multiplier)))
                        for c in channels]
        self.channels = list(channels)
        self.out_channels = sum(self.channels)
        self._decisions: Optional[List[int]] = None
        self.stem = AutoPoseStem(in_channels, stem_channels, self.channels,
                                 copy.deepcopy(norm_cfg),
                                 copy.deepcopy(act_cfg))
        comps = None if self.genotype is None else self.genotype.components
        bits = self._derived_bits()
        self.stages = nn.ModuleList()
        for s in range(self.num_stages):
            built = bits[s]
            self.stages.append(nn.ModuleList([
                MultiScaleModule(
                    self.channels, built, self.individual_nodes,
                    self.aggregation_nodes, self.candidates, aggregation,
                    mode=mode, tau=tau, hard=hard, genotype=comps,
                    affine=affine if comps is None else True,
                    norm_cfg=norm_cfg)
                for _ in range(self.modules_per_stage)
            ]))
        if self.genotype is None:
            n_ops = len(self.candidates)
            self.arch_alpha_individual = nn.Parameter(1e-3 * torch.randn(
                num_cell_edges(1, self.individual_nodes), n_ops))
            if aggregation == 'cell':
                self.arch_alpha_aggregation = nn.Parameter(1e-3 * torch.randn(
                    num_cell_edges(self.num_branches,
                                   self.aggregation_nodes), n_ops))

    # ------------------------------------------------------------------
    # genotype
    # ------------------------------------------------------------------
    @property
    def num_bits(self) -> int:
        """Branch bits of a genotype: stages x branches."""
        return self.num_stages * self.num_branches

    def genotype_spec(self) -> Dict[str, dict]:
        spec = dict(
            individual=cell_spec(1, self.individual_nodes, self.candidates),
            branches=decisions_spec([2] * self.num_bits))
        if self.aggregation == 'cell':
            spec['aggregation'] = cell_spec(self.num_branches,
                                            self.aggregation_nodes,
                                            self.candidates)
        return spec

    def _derived_bits(self) -> List[List[bool]]:
        """Per stage, which branches have cells (all in the supernet)."""
        if self.genotype is None:
            values = [1] * self.num_bits
        else:
            values = self.genotype['branches']['values']
        n = self.num_branches
        return [[bool(v) for v in values[s * n:(s + 1) * n]]
                for s in range(self.num_stages)]

    def decisions_to_bits(self, decisions: Sequence[int]) -> List[int]:
        """Controller decisions -> the 12 branch bits (checked)."""
        space = self.decision_space()
        values = [int(v) for v in decisions]
        if len(values) != len(space) or any(
                not 0 <= v < c for v, c in zip(values, space)):
            raise ValueError(
                f'{type(self).__name__}: branch decisions {values} do not '
                f'fit the decision space {space} ({len(space)} values, '
                f'branch_mode={self.branch_mode!r})')
        if self.branch_mode == 'multi':
            return values
        bits = []
        for v in values:  # single: 0 = none, 1 + b = branch b
            bits += [int(v == b + 1) for b in range(self.num_branches)]
        return bits

    def derive_genotype(self,
                        decisions: Optional[Sequence[int]] = None,
                        **meta) -> Genotype:
        """Cells: the argmax op of every edge (all edges kept); branches:
        ``decisions`` (the controller's best of K), else the decisions
        applied now, else all branches on."""
        if self.genotype is not None:
            return self.genotype
        n_all = 1 + self.individual_nodes  # keep every incoming edge
        comps = dict(individual=derive_cell(
            self.arch_alpha_individual, self.candidates, 1,
            self.individual_nodes, k=n_all,
            name='arch_alpha_individual'))
        if self.aggregation == 'cell':
            comps['aggregation'] = derive_cell(
                self.arch_alpha_aggregation, self.candidates,
                self.num_branches, self.aggregation_nodes,
                k=self.num_branches + self.aggregation_nodes,
                name='arch_alpha_aggregation')
        if decisions is None:
            decisions = self._decisions
        if decisions is None or self.branch_mode == 'all':
            bits = [1] * self.num_bits
        else:
            bits = self.decisions_to_bits(decisions)
        comps['branches'] = derive_decisions(bits, [2] * self.num_bits)
        meta.setdefault('rule', 'autopose_argmax_best_of_k')
        return Genotype(space=type(self).__name__, components=comps,
                        meta=meta)

    def arch_labels(self) -> Dict[str, List[str]]:
        return {
            name: list(self.candidates)
            for name, _ in self.named_parameters() if name.startswith('arch_')
        }

    # ------------------------------------------------------------------
    # network-level decisions (controller)
    # ------------------------------------------------------------------
    def decision_space(self) -> List[int]:
        if self.genotype is not None or self.branch_mode == 'all':
            return []
        if self.branch_mode == 'single':
            return [self.num_branches + 1] * self.num_stages
        return [2] * self.num_bits

    def apply_decisions(self, decisions: Optional[Sequence[int]]) -> None:
        """Activate branches (see the class doc); None = every branch."""
        if decisions is None:
            self._decisions = None
            return
        if not self.decision_space():
            raise RuntimeError(f'{type(self).__name__} has no branch '
                               'decisions (derived, or branch_mode=all)')
        self.decisions_to_bits(decisions)  # validates
        self._decisions = [int(v) for v in decisions]

    def current_decisions(self) -> Optional[List[int]]:
        return None if self._decisions is None else list(self._decisions)

    def active_branches(self) -> List[List[bool]]:
        """Per stage, the branches the next forward runs."""
        if self._decisions is None:
            return self._derived_bits()
        bits = self.decisions_to_bits(self._decisions)
        n = self.num_branches
        return [[bool(v) for v in bits[s * n:(s + 1) * n]]
                for s in range(self.num_stages)]

    # ------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        xs = self.stem(x)
        alpha_ind = getattr(self, 'arch_alpha_individual', None)
        alpha_agg = getattr(self, 'arch_alpha_aggregation', None)
        for stage, active in zip(self.stages, self.active_branches()):
            for module in stage:
                xs = module(xs, active, alpha_ind, alpha_agg)
        size = xs[0].shape[-2:]
        outs = [xs[0]] + [F.interpolate(y, size=size, mode='nearest')
                          for y in xs[1:]]
        return (torch.cat(outs, dim=1), )
