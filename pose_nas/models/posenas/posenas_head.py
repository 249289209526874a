# Copyright (c) pose_nas contributors. All rights reserved.
"""PoseNAS's pose decoder: scale-adaptive fusion cells and the
Fusion-and-Enhancement stage (Bao et al., ACM MM 2020)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads import HeatmapHead
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import ConfigType, OptConfigType, OptSampleList
from torch import Tensor

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.cell import derive_edge_normalized, num_cell_edges
from pose_nas.nas.genotype import Genotype, GenotypeError, validate_genotype
from pose_nas.nas.genotype_specs import cell_spec
from pose_nas.nas.ops import ReLUConvBN, canonical_op_name
from pose_nas.registry import MODELS
from pose_nas.utils.checks import check_int, check_ints
from .posenas_backbone import POSENAS_CANDIDATES, PoseNASBackbone
from .scale_adaptive_decoder import (DECODER_CELLS, NUM_NODES,
                                     ScaleAdaptiveDecoder)


@MODELS.register_module()
class PoseNASHead(HeatmapHead, SearchableMixin):
    """Scale-adaptive fusion decoder + Fusion-and-Enhancement, as a head.

    Stage 1: a :class:`ScaleAdaptiveDecoder` over the encoder's four taps,
    then ReLU + 1x1 conv to K heatmaps at 1/4. With ``num_stages=2``
    (Fusion-and-Enhancement): a lighter :class:`PoseNASBackbone` (projection
    stem, ``stage2_layers`` cells, channel factor ``stage2_channels``) reads
    the stage-1 decoded 1/4 feature; each of its taps is projected
    (ReLU-conv1x1-BN) to the stage-1 width and added to the stage-1
    multi-scale features (encoder tap + decoded feature at that scale); a
    second decoder (same architecture, own weights) and final conv predict
    the heatmaps used at test time. Both stages are supervised: the loss is
    the sum of the per-stage heatmap losses, logged as
    ``loss_kpt_stage{1,2}`` (``loss_kpt`` with one stage).

    The second encoder and decoder live in the head (not in a neck) because
    they read the stage-1 *decoded* feature: they are part of the pose
    decoder, and the head is the module that owns the per-stage
    supervision. Loss, decoding and flip test are MMPose's
    :class:`HeatmapHead`'s (``forward`` returns the last stage).

    Search mode: ``arch_alpha_decoder{1,2,3}`` (one per fusion cell, shared
    by the stages); the stage-2 encoder's alphas are tied to the main
    encoder's by :class:`PoseNASEstimator`. Derived mode: ``genotype`` with
    ``decoder1..3`` (and ``normal`` / ``reduce`` for the stage-2 encoder
    when ``num_stages=2``).

    Args:
        in_channels (Sequence[int]): the encoder's 1/4..1/32 widths.
        out_channels (int): keypoints K.
        num_stages (int): 1 (no enhancement) or 2.
        stage2_channels (int): channel factor of the stage-2 encoder.
        stage2_layers (int): its cells.
        candidates (Sequence[str]): candidate ops (search mode).
        mode (str): MixedOp mode while searching.
        genotype (str | dict | Genotype, optional): the derived head.
        derive_k (int): incoming edges kept per node when deriving.
        loss, decoder, init_cfg: as :class:`HeatmapHead`.

    Shapes:
        ``feats``: 4-tuple of ``(N, in_channels[i], H/2^i, W/2^i)`` ->
        ``(N, K, H, W)`` (the last stage).
    """
    derive_options = ('k', )

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_stages: int = 2,
                 stage2_channels: int = 32,
                 stage2_layers: int = 12,
                 candidates: Sequence[str] = POSENAS_CANDIDATES,
                 mode: str = 'softmax',
                 genotype: Union[str, dict, Genotype, None] = None,
                 derive_k: int = 2,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        who = type(self).__name__
        chans = check_ints(in_channels, f'{who}: in_channels', 4, length=4)
        out_channels = check_int(out_channels, f'{who}: out_channels', 1)
        super().__init__(chans, out_channels, deconv_out_channels=None,
                         final_layer=None, loss=loss, decoder=decoder,
                         init_cfg=init_cfg)
        self.register_checkpoint_check()
        self.num_stages = check_int(num_stages, f'{who}: num_stages', 1)
        if self.num_stages > 2:
            raise ValueError(f'{who}: num_stages must be 1 or 2, got '
                             f'{num_stages}')
        self.derive_k = check_int(derive_k, f'{who}: derive_k', 1)
        self.candidates = [canonical_op_name(c) for c in candidates]
        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            self.genotype = validate_genotype(genotype, self.genotype_spec(),
                                              space=who)
        cells = None if self.genotype is None else [
            self.genotype[n] for n in DECODER_CELLS]
        self.decoders = nn.ModuleList()
        self.final_layers = nn.ModuleList()
        for _ in range(self.num_stages):
            self.decoders.append(
                ScaleAdaptiveDecoder(chans, self.candidates, mode, cells))
            self.final_layers.append(
                nn.Sequential(nn.ReLU(), nn.Conv2d(chans[0], out_channels,
                                                   1)))
        if self.num_stages == 2:
            enc_g = None
            if self.genotype is not None:
                enc_g = Genotype('PoseNASBackbone', {
                    k: self.genotype[k] for k in ('normal', 'reduce')})
            self.encoder2 = PoseNASBackbone(
                chans[0], stage2_channels, stage2_layers, stem_strides=(),
                candidates=self.candidates, mode=mode, genotype=enc_g)
            self.fuse = nn.ModuleList(
                ReLUConvBN(c2, c, 1, 1)
                for c2, c in zip(self.encoder2.out_channels, chans))
        if self.genotype is None:
            n = num_cell_edges(2, NUM_NODES)
            for name in DECODER_CELLS:
                setattr(self, f'arch_alpha_{name}', nn.Parameter(
                    1e-3 * torch.randn(n, len(self.candidates))))

    # ------------------------------------------------------------------
    def genotype_spec(self) -> Dict[str, dict]:
        names = list(DECODER_CELLS)
        if self.num_stages == 2:
            names += ['normal', 'reduce']
        return {n: cell_spec(2, NUM_NODES, self.candidates, max_edges=2)
                for n in names}

    def derive_genotype(self, k: Optional[int] = None, **meta) -> Genotype:
        """Top-``k`` incoming edges per node, ``none`` excluded, argmax op
        (DARTS, Liu et al., ICLR 2019, Sec. 2.4; after a PC-DARTS search,
        edges ranked by ``softmax(beta) * op weight``) for every fusion
        cell (and the stage-2 encoder)."""
        if self.genotype is not None:
            return self.genotype
        k = self.derive_k if k is None else k
        comps = {
            n: derive_edge_normalized(
                getattr(self, f'arch_alpha_{n}'),
                [d.cells[i] for d in self.decoders], k,
                name=f'arch_alpha_{n}')
            for i, n in enumerate(DECODER_CELLS)
        }
        if self.num_stages == 2:
            comps.update(self.encoder2.derive_genotype(k=k).components)
        meta.setdefault('rule', f'darts_top{k}')
        return Genotype(space=type(self).__name__, components=comps,
                        meta=meta)

    def arch_labels(self) -> Dict[str, List[str]]:
        return {
            name: list(self.candidates)
            for name, _ in self.named_parameters() if 'arch_' in name
        }

    def share_encoder_alphas(self, encoder: PoseNASBackbone) -> None:
        """Tie the stage-2 encoder's ``arch_alpha_{normal,reduce}`` to
        ``encoder``'s (one encoder architecture, as the genotype has)."""
        if self.num_stages < 2 or self.genotype is not None:
            return
        if encoder.genotype is not None or encoder.candidates != \
                self.candidates:
            raise GenotypeError('PoseNASHead: the stage-2 encoder can only '
                                'share the alphas of a searching encoder '
                                'with the same candidates')
        for kind in ('normal', 'reduce'):
            setattr(self.encoder2, f'arch_alpha_{kind}',
                    getattr(encoder, f'arch_alpha_{kind}'))

    # ------------------------------------------------------------------
    def _alphas(self) -> Optional[List[Tensor]]:
        if self.genotype is not None:
            return None
        return [getattr(self, f'arch_alpha_{n}') for n in DECODER_CELLS]

    def forward_stages(self, feats: Tuple[Tensor, ...]) -> List[Tensor]:
        """Heatmaps of every stage, ``(N, K, H/4, W/4)`` each."""
        feats = list(feats[-4:])
        alphas = self._alphas()
        decoded = self.decoders[0](feats, alphas)
        heatmaps = [self.final_layers[0](decoded[0])]
        if self.num_stages == 2:
            taps = self.encoder2(decoded[0])
            fused = [f + proj(t) for f, proj, t in zip(feats, self.fuse, taps)]
            fused = [f + d for f, d in zip(fused[:3], decoded)] + fused[3:]
            decoded = self.decoders[1](fused, alphas)
            heatmaps.append(self.final_layers[1](decoded[0]))
        return heatmaps

    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        return self.forward_stages(feats)[-1]

    def loss(self,
             feats: Tuple[Tensor, ...],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Sum of the per-stage heatmap losses, each logged."""
        preds = self.forward_stages(feats)
        gt = torch.stack([d.gt_fields.heatmaps for d in batch_data_samples])
        weights = torch.cat([
            d.gt_instance_labels.keypoint_weights for d in batch_data_samples
        ])
        losses = dict()
        for i, pred in enumerate(preds):
            key = 'loss_kpt' if len(preds) == 1 else f'loss_kpt_stage{i + 1}'
            losses[key] = self.loss_module(pred, gt, weights)
        if train_cfg.get('compute_acc', True):
            _, acc, _ = pose_pck_accuracy(
                output=to_numpy(preds[-1]), target=to_numpy(gt),
                mask=to_numpy(weights) > 0)
            losses['acc_pose'] = torch.tensor(acc, device=gt.device)
        return losses
