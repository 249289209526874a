# Copyright (c) pose_nas contributors. All rights reserved.
"""The PoseNAS pose estimator: one searchable model, one genotype."""
import copy
from typing import Dict, Optional, Union

from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.utils.typing import ConfigType, OptConfigType, OptMultiConfig

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.genotype import Genotype, GenotypeError, validate_genotype
from pose_nas.nas.genotype_specs import cell_spec
from pose_nas.registry import MODELS
from .posenas_backbone import NUM_NODES, POSENAS_CANDIDATES
from .scale_adaptive_decoder import DECODER_CELLS

ENCODER_CELLS = ('normal', 'reduce')


@MODELS.register_module()
class PoseNASEstimator(TopdownPoseEstimator, SearchableMixin):
    """MMPose's :class:`TopdownPoseEstimator` with a PoseNAS encoder
    (:class:`PoseNASBackbone`) and decoder (:class:`PoseNASHead`), searched
    end to end and derived as ONE genotype.

    PoseNAS (Bao et al., ACM MM 2020) searches the encoder and the decoder
    together, and its architecture is one genotype: encoder ``normal`` and
    ``reduce`` cells and the three fusion cells ``decoder1..3``. This class
    is the searchable module the engine sees (``ArchMutator`` finds the
    outermost searchable module, so ``tools/derive_arch.py`` writes one
    ``genotype.json`` and a retrain config with ``model.genotype``); it
    composes the backbone's and head's genotypes and, given ``genotype=``,
    hands each its part. In search mode with Fusion-and-Enhancement, the
    stage-2 encoder shares the main encoder's alphas (the genotype has one
    encoder architecture).

    Args:
        backbone (dict): a ``PoseNASBackbone`` config.
        head (dict): a ``PoseNASHead`` config.
        genotype (str | dict | Genotype, optional): a ``PoseNASEstimator``
            genotype (file, dict or object): the derived net.
        others: as :class:`TopdownPoseEstimator`.

    Shapes:
        as :class:`TopdownPoseEstimator`: images ``(N, 3, H, W)`` ->
        heatmaps ``(N, K, H/4, W/4)`` (the last stage) -> keypoints.
    """
    derive_options = ('k', )

    def __init__(self,
                 backbone: ConfigType,
                 head: ConfigType,
                 genotype: Union[str, dict, Genotype, None] = None,
                 neck: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 metainfo: Optional[dict] = None) -> None:
        backbone, head = copy.deepcopy(backbone), copy.deepcopy(head)
        for cfg, kind in ((backbone, 'PoseNASBackbone'),
                          (head, 'PoseNASHead')):
            if cfg.get('type') != kind:
                raise ValueError(f'PoseNASEstimator needs a {kind}, got '
                                 f'{cfg.get("type")!r}')
        self.genotype: Optional[Genotype] = None
        if genotype is not None:
            spec = self._spec(backbone.get('candidates', POSENAS_CANDIDATES),
                              head.get('candidates', POSENAS_CANDIDATES))
            self.genotype = validate_genotype(genotype, spec,
                                              space=type(self).__name__)
            comps = self.genotype.components
            backbone['genotype'] = Genotype(
                'PoseNASBackbone',
                {k: comps[k] for k in ENCODER_CELLS}).to_dict()
            names = list(DECODER_CELLS)
            if head.get('num_stages', 2) == 2:
                names += list(ENCODER_CELLS)
            head['genotype'] = Genotype(
                'PoseNASHead', {k: comps[k] for k in names}).to_dict()
        elif backbone.get('genotype') is not None or head.get(
                'genotype') is not None:
            raise GenotypeError(
                'PoseNASEstimator: give the genotype to the model '
                '(model.genotype), not to its backbone or head')
        super().__init__(backbone=backbone, neck=neck, head=head,
                         train_cfg=train_cfg, test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg, metainfo=metainfo)
        if self.genotype is None:
            self.head.share_encoder_alphas(self.backbone)

    @staticmethod
    def _spec(enc_candidates, dec_candidates) -> Dict[str, dict]:
        spec = {k: cell_spec(2, NUM_NODES, enc_candidates, max_edges=2)
                for k in ENCODER_CELLS}
        spec.update({k: cell_spec(2, NUM_NODES, dec_candidates, max_edges=2)
                     for k in DECODER_CELLS})
        return spec

    def genotype_spec(self) -> Dict[str, dict]:
        return self._spec(self.backbone.candidates, self.head.candidates)

    def derive_genotype(self, k: Optional[int] = None, **meta) -> Genotype:
        """The encoder's ``normal`` / ``reduce`` and the decoder's
        ``decoder1..3`` cells, each by DARTS's top-``k`` rule."""
        if self.genotype is not None:
            return self.genotype
        comps = dict(self.backbone.derive_genotype(k=k).components)
        head = self.head.derive_genotype(k=k).components
        comps.update({n: head[n] for n in DECODER_CELLS})
        meta.setdefault('rule', f'darts_top{k or self.backbone.derive_k}')
        return Genotype(space=type(self).__name__, components=comps,
                        meta=meta)

    def arch_labels(self) -> Dict[str, list]:
        labels = {f'backbone.{k}': v
                  for k, v in self.backbone.arch_labels().items()}
        labels.update({f'head.{k}': v
                       for k, v in self.head.arch_labels().items()})
        return labels
