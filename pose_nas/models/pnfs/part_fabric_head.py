# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS head: part-specific neural-fabric subnetworks with a vector-in-pixel
keypoint representation (Pose Neural Fabrics Search, Yang, Yang and Cui,
arXiv:1909.07068: Sec. III-C part subnetworks, III-D vector in pixel, III-E
and Table I part groupings, III-F a personalised fabric per part)."""
import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpose.models.heads import HeatmapHead
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor

from pose_nas.nas.arch import SearchableMixin, is_arch_param_name
from pose_nas.nas.genotype import (Genotype, GenotypeError, load_genotype,
                                   validate_genotype)
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints
from .body_parts import resolve_keypoint_names, resolve_parts
from .fabric_layout import select_fabric_components
from .neural_fabric import NeuralFabric
from .part_branch import PartBranch, build_fabric
from .vector_in_pixel import squash_score, sum_part_scores


@MODELS.register_module()
class PartFabricHead(HeatmapHead, SearchableMixin):
    """PNFS head: P part-specific neural fabrics + vector in pixel.

    For every body part ``p`` (a group of ``J_p`` joints, see
    :mod:`pose_nas.models.pnfs.body_parts`):

    1. each level of the backbone's 4-scale pyramid (1/4 ... 1/32) is
       projected by the part's own 1x1 conv to the width its fabric expects
       (skipped where the widths already match);
    2. the part's own :class:`~pose_nas.models.pnfs.NeuralFabric` (its own
       ``arch_alpha`` / ``arch_beta``; the last ``num_kept_layers`` layers
       of an ``L``-layer fabric) maps the pyramid to a 1/4-scale feature
       with ``C * 4`` channels;
    3. ReLU + 1x1 conv to ``J_p * d`` channels, read as one ``d``-dim vector
       per joint and pixel: shape ``(N, J_p, d, H, W)``, **channel
       ``j * d + k`` is component ``k`` of joint ``j``'s vector** (the
       authors' layout);
    4. the joint's score map is the squashed length
       ``||v||^2 / (1 + ||v||^2)`` in ``[0, 1)`` (:func:`squash_score`).
       With ``d = 1`` (the scalar baseline) the conv output itself is the
       heatmap unless ``squash=True``.

    The part maps are placed at their joints' indices of a ``K``-channel
    heatmap in the dataset's keypoint order; a joint in several parts gets
    the **sum** of those parts' scores. Everything downstream (MSE loss
    against MMPose's Gaussian targets with target weights, accuracy, flip
    test with ``flip_indices``, decoding through the codec) is
    :class:`~mmpose.models.heads.HeatmapHead`'s, so MMPose's codecs,
    ``CocoMetric`` and ``MpiiPCKAccuracy`` work unchanged.

    **Search.** The head is the searchable module: its architecture
    parameters are the fabrics' (``branches.<part>.fabric.arch_alpha`` /
    ``arch_beta``). :meth:`derive_genotype` keeps every part's continuous
    mixture (PNFS derives no discrete cell; only weights at or below
    ``prune_below`` are dropped). The genotype has the components
    ``'<part>/alpha'`` and ``'<part>/beta'`` for every part (space
    ``'PartFabricHead'``); ``genotype=`` builds each part's fabric in
    derived mode from its slice.

    Weights keep PyTorch's default initialisation (as the authors' code):
    HeatmapHead's ``Normal(std=0.001)`` would start every vector near zero,
    where the squash has a vanishing gradient.

    Args:
        in_channels (Sequence[int]): widths of the backbone's 4 pyramid
            levels (strides 4, 8, 16, 32), finest first, e.g.
            ``MobileNetV2Features`` (MMPose's MobileNetV2 built only as far
            as read) ``out_indices=(1, 2, 4, 5)``: ``(24, 32, 96, 160)``
            (the authors' pyramid); ResNet-50 ``out_indices=(0,
            1, 2, 3)``: ``(256, 512, 1024, 2048)``; ``HRNetPyramid`` (W32):
            ``(32, 64, 128, 256)``.
        out_channels (int): number of keypoints ``K`` (checked against the
            dataset's keypoint names).
        parts (int | str | list): body parts: a Table I preset (``1, 3, 5,
            8`` or ``'P3'`` ...) for the dataset, or a list of
            ``dict(name=..., keypoints=[joint names])``. Defaults to 3.
        metainfo (dict, optional): the dataset's metainfo, e.g.
            ``dict(from_file='configs/_base_/datasets/coco.py')`` (resolved
            like MMPose's datasets do); gives the keypoint names and the
            preset table (``dataset_name``).
        keypoint_names (Sequence[str], optional): the keypoint names in
            index order, instead of (or checked against) ``metainfo``.
        dataset_name (str, optional): preset table to use when only
            ``keypoint_names`` is given (otherwise inferred from the names).
        vector_dim (int): ``d``. Defaults to 8.
        squash (bool, optional): use the squashed length as the score.
            ``None`` (default): ``True`` for ``d > 1``, ``False`` for
            ``d = 1``. ``squash=False`` needs ``d = 1``.
        fabric (dict): keyword arguments of every part's fabric
            (``channel_factor``, ``num_hidden``, ``num_layers``,
            ``num_kept_layers``, ``candidates`` ...; ``keep`` is ``'last'``);
            an optional ``type`` picks another subnetwork class (see
            :func:`build_fabric`).
        part_fabric (dict, optional): part name -> overrides of ``fabric``
            for that part (e.g. a wider fabric for the lower limbs).
        genotype (str | dict | Genotype, optional): a derived architecture
            for every part: build the derived head.
        final_init_std (float): every part's output 1x1 conv starts from
            Normal(0, std) weights and zero bias (default 0.01), so that the
            initial vectors are short but not zero: initial scores are small,
            outside both the squash's saturation near 1 (PyTorch's default
            init of a 1x1 conv gives scores near 1 everywhere, and training
            stalls once it has pushed them all to ~0) and its flat region at
            exactly 0. Measured on 16 synthetic images, 60 Adam steps
            (MobileNetV2-0.5, P=3, C=4, d=8): MSE 0.0100 / PCK 0.21 with
            PyTorch's default init, 0.00047 / 0.94 with this one.
        loss, decoder: as :class:`HeatmapHead` (default
            ``KeypointMSELoss(use_target_weight=True)``).
        init_cfg (dict, optional): initialisation config.

    Shapes:
        ``feats``: 4 tensors ``(N, in_channels[i], H / 2^(i+2), W / ...)``
        (each level half the previous one, rounding up) ->
        ``(N, K, H / 4, W / 4)``.

    Example (the paper's MPII ablation model: MobileNetV2, P=3, C=10, H=1,
    d=8)::

        model = dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(type='PoseDataPreprocessor', ...),
            backbone=dict(type='MobileNetV2Features',
                          out_indices=(1, 2, 4, 5)),
            head=dict(
                type='PartFabricHead',
                in_channels=(24, 32, 96, 160),
                out_channels=16,
                parts=3,
                metainfo=dict(from_file='configs/_base_/datasets/mpii.py'),
                vector_dim=8,
                fabric=dict(channel_factor=10, num_hidden=1, num_layers=6,
                            num_kept_layers=3),
                decoder=dict(type='MSRAHeatmap', input_size=(256, 256),
                             heatmap_size=(64, 64), sigma=2)),
            test_cfg=dict(flip_test=True, flip_mode='heatmap',
                          shift_heatmap=False))
    """

    _version = 2
    derive_options = ('prune_below', )

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 parts: Union[int, str, Sequence[dict]] = 3,
                 metainfo: Optional[dict] = None,
                 keypoint_names: Optional[Sequence[str]] = None,
                 dataset_name: Optional[str] = None,
                 vector_dim: int = 8,
                 squash: Optional[bool] = None,
                 fabric: Optional[dict] = None,
                 part_fabric: Optional[Dict[str, dict]] = None,
                 genotype: Union[str, dict, Genotype, None] = None,
                 final_init_std: float = 0.01,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        if isinstance(in_channels, int) or len(in_channels) < 1:
            raise ValueError(
                'PartFabricHead takes the backbone\'s multi-scale pyramid: '
                'in_channels must be a sequence of widths (finest first), '
                f'got {in_channels!r}')
        in_channels = check_ints(in_channels, 'PartFabricHead: in_channels', 1)
        out_channels = check_int(out_channels, 'PartFabricHead: out_channels',
                                 1)
        vector_dim = check_int(vector_dim, 'PartFabricHead: vector_dim', 1)
        if squash is None:
            squash = vector_dim > 1
        if not squash and vector_dim > 1:
            raise ValueError(
                f'squash=False needs vector_dim=1 (a {vector_dim}-dim vector '
                'has no scalar score without the squash length)')
        super().__init__(
            in_channels=tuple(int(c) for c in in_channels),
            out_channels=out_channels,
            deconv_out_channels=None,
            deconv_kernel_sizes=None,
            conv_out_channels=None,
            conv_kernel_sizes=None,
            final_layer=None,
            loss=loss,
            decoder=decoder,
            init_cfg=init_cfg)
        # HeatmapHead's layers are unused (Identity); drop them
        del self.deconv_layers, self.conv_layers, self.final_layer
        self.register_checkpoint_check()

        names, dataset_name = resolve_keypoint_names(
            metainfo, keypoint_names, dataset_name)
        if out_channels != len(names):
            raise ValueError(
                f'out_channels={out_channels}, but the dataset has '
                f'{len(names)} keypoints {names}')
        self.keypoint_names = names
        self.dataset_name = dataset_name
        self.parts: List[Tuple[str, List[int]]] = resolve_parts(
            parts, names, dataset_name)
        self.part_names = [name for name, _ in self.parts]
        self.vector_dim = vector_dim
        self.squash = bool(squash)

        fabric = dict(fabric or {})
        if fabric.get('keep', 'last') != 'last':
            raise ValueError(
                "the part subnetworks must keep the fabric's last layers "
                f"(keep='last'), got keep={fabric['keep']!r}")
        if 'genotype' in fabric:
            raise ValueError('give the genotype to the head (genotype=), '
                             'not inside fabric=')
        part_fabric = dict(part_fabric or {})
        unknown = sorted(set(part_fabric) - set(self.part_names))
        if unknown:
            raise ValueError(f'part_fabric names unknown parts {unknown}; '
                             f'the parts are {self.part_names}')
        self.fabric_cfgs: Dict[str, dict] = {}
        for name in self.part_names:
            cfg = copy.deepcopy(fabric)
            cfg.update(copy.deepcopy(part_fabric.get(name, {})))
            if cfg.get('type', None) is None:
                cfg['keep'] = 'last'
            self.fabric_cfgs[name] = cfg

        self.genotype: Optional[Genotype] = None
        slices: Dict[str, Optional[dict]] = {n: None for n in self.part_names}
        if genotype is not None:
            self.genotype = self._check_genotype_parts(genotype)
            slices = {
                n: select_fabric_components(self.genotype, f'{n}/')
                for n in self.part_names
            }

        self.branches = nn.ModuleDict()
        for name, idx in self.parts:
            try:
                fab = build_fabric(self.fabric_cfgs[name], slices[name])
            except GenotypeError as e:
                raise GenotypeError(f'part {name!r}: {e}') from None
            self.branches[name] = PartBranch(self.in_channels, fab,
                                             len(idx) * vector_dim,
                                             final_init_std)
        if self.genotype is not None:
            validate_genotype(
                self.genotype, self.genotype_spec(), space=type(self).__name__)

    def _check_genotype_parts(self, genotype) -> Genotype:
        g = load_genotype(genotype)
        space = type(self).__name__
        if g.space != space:
            raise GenotypeError(f'genotype was derived for {g.space!r}, but '
                                f'is given to {space!r}')
        g_parts = []
        for comp in g.components:
            part = comp.split('/')[0]
            if part not in g_parts:
                g_parts.append(part)
        expected = {f'{n}/{k}' for n in self.part_names
                    for k in ('alpha', 'beta')}
        if set(g.components) != expected:
            raise GenotypeError(
                f'the genotype is for the body parts {g_parts} '
                f'(P={len(g_parts)}), this head has {self.part_names} '
                f'(P={len(self.part_names)}); components missing '
                f'{sorted(expected - set(g.components))}, unexpected '
                f'{sorted(set(g.components) - expected)}')
        return g

    # ------------------------------------------------------------------
    # forward
    # ------------------------------------------------------------------
    def part_vectors(self, feats: Sequence[Tensor]) -> Dict[str, Tensor]:
        """Each part's raw output reshaped to ``(N, J_p, d, H, W)``."""
        self._check_feats(feats)
        out = {}
        for name, _ in self.parts:
            y = self.branches[name](feats)
            n, _, h, w = y.shape
            out[name] = y.view(n, -1, self.vector_dim, h, w)
        return out

    def part_scores(self, feats: Sequence[Tensor]) -> Dict[str, Tensor]:
        """Each part's score maps ``(N, J_p, H, W)`` (before summation)."""
        scores = {}
        for name, v in self.part_vectors(feats).items():
            scores[name] = squash_score(v, dim=2) if self.squash \
                else v[:, :, 0]
        return scores

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """``(N, K, H/4, W/4)`` heatmaps, parts summed per joint."""
        return sum_part_scores(
            self.part_scores(feats), self.parts, self.out_channels)

    def _check_feats(self, feats: Sequence[Tensor]) -> None:
        if isinstance(feats, Tensor) or len(feats) != len(self.in_channels):
            got = 1 if isinstance(feats, Tensor) else len(feats)
            raise ValueError(
                f'PartFabricHead expects the backbone\'s '
                f'{len(self.in_channels)}-level pyramid (in_channels='
                f'{list(self.in_channels)}), got {got} feature map(s)')
        for i, (f, c) in enumerate(zip(feats, self.in_channels)):
            if f.shape[1] != c:
                raise ValueError(f'pyramid level {i} has {f.shape[1]} '
                                 f'channels, in_channels says {c}')

    @property
    def default_init_cfg(self):
        # PyTorch's default init (see the class docstring)
        return None

    # ------------------------------------------------------------------
    # SearchableMixin
    # ------------------------------------------------------------------
    @property
    def derived(self) -> bool:
        return self.genotype is not None

    def genotype_spec(self) -> Dict[str, dict]:
        spec = {}
        for name in self.part_names:
            for k, v in self.branches[name].fabric.genotype_spec().items():
                spec[f'{name}/{k}'] = v
        return spec

    def derive_genotype(self, prune_below: float = 1e-3,
                        **meta) -> Genotype:
        """The PNFS genotype: every part's continuous ``alpha`` / ``beta``
        mixture (softmax weights), weights ``<= prune_below`` set to zero
        (those paths are not built in the derived net).

        Args:
            prune_below (float): pruning threshold; 0 keeps everything.
            **meta: extra provenance stored in ``meta`` (epoch ...).
        """
        if self.genotype is not None:
            return self.genotype
        comps = {}
        for name in self.part_names:
            fab = self.branches[name].fabric
            for k, v in fab.derive_components(prune_below=prune_below).items():
                comps[f'{name}/{k}'] = v
        info = dict(
            rule='pnfs_continuous',
            prune_below=prune_below,
            dataset_name=self.dataset_name,
            parts=[[n, [self.keypoint_names[i] for i in idx]]
                   for n, idx in self.parts],
            vector_dim=self.vector_dim,
            squash=self.squash,
            fabric={
                n: {k: v for k, v in cfg.items() if k != 'type'}
                for n, cfg in self.fabric_cfgs.items()
            })
        info.update(meta)
        return Genotype(space=type(self).__name__, components=comps,
                        meta=_plain_meta(info))

    def arch_state(self) -> Dict[str, Tensor]:
        """``'<part>/<arch param name>'`` -> softmax weights (rows sum to
        one), e.g. ``'head/arch_alpha'``."""
        state = {}
        for name in self.part_names:
            for pname, p in self.branches[name].fabric.named_parameters():
                if is_arch_param_name(pname):
                    state[f'{name}/{pname}'] = torch.softmax(
                        p.detach().float(), dim=-1)
        return state

    def arch_labels(self) -> Dict[str, List[str]]:
        """Column labels of every architecture parameter (names relative to
        this head), for logs and pictures: a :class:`NeuralFabric`'s own
        labels, numbered columns for any other subnetwork."""
        labels = {}
        for name in self.part_names:
            fab = self.branches[name].fabric
            own = fab.arch_labels() if isinstance(fab, NeuralFabric) else {}
            for pname, p in fab.named_parameters():
                if is_arch_param_name(pname):
                    labels[f'branches.{name}.fabric.{pname}'] = list(
                        own.get(pname,
                                [str(i) for i in range(p.shape[-1])]))
        return labels


def _plain_meta(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain_meta(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain_meta(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)
