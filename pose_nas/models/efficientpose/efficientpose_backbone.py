# Copyright (c) pose_nas contributors. All rights reserved.
"""EfficientPose's searchable inverted-residual backbone.

EfficientPose: Efficient human pose estimation with neural architecture
search (Zhang et al., Computational Visual Media 2021), section "Efficient
backbone".
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.utils.typing import ConfigType, OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.derive_rules import derive_chain
from pose_nas.nas.genotype import Genotype, GenotypeError, validate_genotype
from pose_nas.nas.genotype_specs import chain_spec
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.ops import canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints

IR_CANDIDATES = tuple(f'ir_k{k}_e{e}' for k in (3, 5, 7) for e in (3, 6))
DEFAULT_CANDIDATES = IR_CANDIDATES + ('skip_connect', )

#: (width, number of blocks, stride of the first block) per stage: the
#: layout of the paper's EfficientPose-A (the released A, B and C are the
#: genotype files ``configs/efficientpose/genotypes/efficientpose_*.json``)
DEFAULT_STAGES = ((24, 4, 2), (32, 6, 2), (64, 8, 2), (96, 8, 1))


@MODELS.register_module()
class EfficientPoseBackbone(BaseBackbone, SearchableMixin):
    """Stem, then stages of inverted-residual blocks, each a :class:`MixedOp`.

    The searchable backbone of "EfficientPose: Efficient human pose
    estimation with neural architecture search" (Zhang et al., Computational
    Visual Media 2021), section "Efficient backbone": a chain of
    MobileNetV2-style inverted-residual blocks whose kernel size (3, 5, 7)
    and expansion ratio (3, 6), or a skip, are searched per block with
    differentiable NAS; the stage layout (widths, depths, strides) is fixed.

    Stem: 3x3 stride-2 conv (``stem_channels``) + norm-act, depthwise 3x3 +
    norm-act, 1x1 conv + norm to ``stem_out_channels``. Each block chooses
    one of ``candidates`` (``ir_k{3,5,7}_e{3,6}`` and ``skip_connect``; skip
    is never a candidate of a block that changes the stride or the width).
    Every block has its own logits ``arch_alpha.<i>``; the derived net
    (``genotype=``, a ``chain`` component ``blocks``) keeps one op per block.
    The released EfficientPose-A/B/C are such genotypes
    (``configs/efficientpose/genotypes/``).

    Args:
        stages (Sequence[tuple]): ``(width, num_blocks, first_stride)``.
        stem_channels (int): width of the stride-2 stem conv.
        stem_out_channels (int): width after the stem.
        candidates (Sequence[str]): candidate ops.
        mode (str): MixedOp mode while searching.
        genotype (str | dict | Genotype, optional): the derived net.
        norm_cfg (dict): norm layers of the stem (mmcv's
            ``build_norm_layer``). Defaults to ``dict(type='BN')``. The
            candidate ops (:mod:`pose_nas.nas.ops`) use BatchNorm; use
            MMEngine's ``sync_bn`` setting to convert all of them.
        act_cfg (dict): activations of the stem (mmcv's
            ``build_activation_layer``). Defaults to
            ``dict(type='ReLU', inplace=True)``.
        init_cfg (dict | list[dict], optional): MMEngine initialization
            config. Defaults to None (PyTorch's default initialization).

    Shapes:
        ``(N, 3, H, W)`` -> 1-tuple ``(N, stages[-1][0], H / s, W / s)``
        with ``s = 2 * prod(first strides)`` (16 for the defaults).
    """

    def __init__(self,
                 stages: Sequence[Tuple[int, int, int]] = DEFAULT_STAGES,
                 stem_channels: int = 32,
                 stem_out_channels: int = 16,
                 candidates: Sequence[str] = DEFAULT_CANDIDATES,
                 mode: str = 'softmax',
                 genotype: Union[str, dict, Genotype, None] = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU', inplace=True),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_checkpoint_check()
        who = type(self).__name__
        if not isinstance(stages, (list, tuple)) or not stages:
            raise ValueError(f'{who}: stages must be a non-empty list of '
                             f'(width, blocks, stride), got {stages!r}')
        self.stages = [
            tuple(check_ints(s, f'{who}: stages[{i}]', length=3))
            for i, s in enumerate(stages)
        ]
        stem_channels = check_int(stem_channels, f'{who}: stem_channels', 1)
        stem_out_channels = check_int(stem_out_channels,
                                      f'{who}: stem_out_channels', 1)
        for width, n, stride in self.stages:
            if n < 1 or stride not in (1, 2) or width < 1:
                raise ValueError(f'bad stage (width, blocks, stride): '
                                 f'{(width, n, stride)}')
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.norm_cfg = copy.deepcopy(norm_cfg)
        self.act_cfg = copy.deepcopy(act_cfg)
        # a plain Sequential (not ConvModule) keeps the parameter names
        # stem.{0,1,3,4,6,7}.* of existing checkpoints
        self.stem = nn.Sequential(
            nn.Conv2d(3, stem_channels, 3, 2, 1, bias=False),
            self._norm(stem_channels), self._act(),
            nn.Conv2d(stem_channels, stem_channels, 3, 1, 1,
                      groups=stem_channels, bias=False),
            self._norm(stem_channels), self._act(),
            nn.Conv2d(stem_channels, stem_out_channels, 1, bias=False),
            self._norm(stem_out_channels))

        # per-block shapes and the candidates allowed there
        self.block_shapes: List[Tuple[int, int, int]] = []
        c_in = stem_out_channels
        for width, n, stride in self.stages:
            for i in range(n):
                s = stride if i == 0 else 1
                self.block_shapes.append((c_in, width, s))
                c_in = width
        self.out_channels = c_in
        self.block_candidates = [
            [c for c in self.candidates
             if c != 'skip_connect' or (s == 1 and ci == co)]
            for ci, co, s in self.block_shapes
        ]

        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            self.genotype = validate_genotype(
                genotype, self.genotype_spec(), space=type(self).__name__)
            ops = self.genotype['blocks']['ops']
            self.blocks = nn.ModuleList(
                MixedOp(ci, co, s, mode='fixed', chosen=op)
                for (ci, co, s), op in zip(self.block_shapes, ops))
        else:
            self.blocks = nn.ModuleList(
                MixedOp(ci, co, s, cands, mode=mode)
                for (ci, co, s), cands in zip(self.block_shapes,
                                              self.block_candidates))
            self.arch_alpha = nn.ParameterList(
                nn.Parameter(1e-3 * torch.randn(len(cands)))
                for cands in self.block_candidates)

    def _norm(self, channels: int) -> nn.Module:
        return build_norm_layer(self.norm_cfg, channels)[1]

    def _act(self) -> nn.Module:
        return build_activation_layer(self.act_cfg)

    @property
    def num_blocks(self) -> int:
        return len(self.block_shapes)

    def forbidden(self) -> Dict[int, List[str]]:
        """Block index -> ops not allowed there (skip in reshaping
        blocks)."""
        return {
            i: [c for c in self.candidates if c not in cands]
            for i, cands in enumerate(self.block_candidates)
            if len(cands) < len(self.candidates)
        }

    def genotype_spec(self) -> Dict[str, dict]:
        return dict(blocks=chain_spec(self.num_blocks, self.candidates,
                                      self.forbidden()))

    def derive_genotype(self,
                        choices: Optional[Sequence[int]] = None,
                        **meta) -> Genotype:
        """Argmax op per block, or the given candidate indices ``choices``
        (e.g. the budget-aware projection of
        :func:`pose_nas.nas.cost.project_to_budget`)."""
        if self.genotype is not None:
            return self.genotype
        ops = []
        if choices is not None:
            if len(choices) != self.num_blocks:
                raise GenotypeError(f'{len(choices)} choices for '
                                    f'{self.num_blocks} blocks')
            ops = [c[int(i)] for c, i in zip(self.block_candidates, choices)]
            meta.setdefault('rule', 'budget_projection')
        else:
            for alpha, cands in zip(self.arch_alpha, self.block_candidates):
                ops.append(derive_chain(alpha[None], cands)['ops'][0])
        meta.setdefault('rule', 'argmax')
        return Genotype(space=type(self).__name__,
                        components=dict(blocks=dict(type='chain', ops=ops)),
                        meta=meta)

    def cost_table(self, input_size: Tuple[int, int]
                   ) -> Tuple[float, List[torch.Tensor]]:
        """FLOPs of the stem and, per block, of every candidate there, for
        an input of ``input_size = (width, height)`` (MMEngine's counter).

        Returns:
            tuple: ``(stem FLOPs, [tensor(num_candidates_i)] per block)``.
        """
        from pose_nas.nas.cost import count_flops, op_flops
        w, h = input_size
        stem = count_flops(self.stem, (torch.zeros(1, 3, h, w), ))
        h, w = -(-h // 2), -(-w // 2)
        tables = []
        for (ci, co, s), cands in zip(self.block_shapes,
                                      self.block_candidates):
            tables.append(
                torch.tensor([op_flops(c, ci, co, s, h, w) for c in cands],
                             dtype=torch.float64))
            h, w = -(-h // s), -(-w // s)
        return stem, tables

    def latency_items(self, input_size: Tuple[int, int]) -> tuple:
        """The stem and, per block, every candidate as a
        :class:`~pose_nas.nas.latency_table.LatencyItem` for an input of
        ``input_size = (width, height)``; blocks of equal shape share keys
        (``op@CxHxW->C_out/s<stride>``).

        Returns:
            tuple: ``([stem item], [[item per candidate] per block])``.
        """
        from pose_nas.nas.latency_table import LatencyItem
        w, h = input_size
        stem_key = (f'stem[{self.stem[0].out_channels}->'
                    f'{self.stem[6].out_channels}]@3x{h}x{w}')
        fixed = [LatencyItem(stem_key, lambda: copy.deepcopy(self.stem),
                             (3, h, w))]
        h, w = -(-h // 2), -(-w // 2)
        positions = []
        for (ci, co, s), cands in zip(self.block_shapes,
                                      self.block_candidates):
            positions.append([
                LatencyItem(f'{c}@{ci}x{h}x{w}->{co}/s{s}',
                            _fixed_block(c, ci, co, s), (ci, h, w))
                for c in cands
            ])
            h, w = -(-h // s), -(-w // s)
        return fixed, positions

    def cost_logits(self) -> List[torch.Tensor]:
        """The logits matching :meth:`cost_table`'s rows."""
        return list(self.arch_alpha)

    def arch_labels(self) -> Dict[str, List[str]]:
        return {
            f'arch_alpha.{i}': list(c)
            for i, c in enumerate(self.block_candidates)
        }

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.stem(x)
        if self.genotype is not None:
            for block in self.blocks:
                x = block(x)
        else:
            for block, alpha in zip(self.blocks, self.arch_alpha):
                x = block(x, alpha)
        return (x, )


def _fixed_block(op: str, c_in: int, c_out: int, stride: int):
    """A builder of the derived block ``op`` (what a derived net runs)."""
    return lambda: MixedOp(c_in, c_out, stride, mode='fixed', chosen=op)
