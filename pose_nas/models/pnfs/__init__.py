# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS: Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068;
journal version: "Searching part-specific neural fabrics for human pose
estimation", Pattern Recognition 2022).

- :mod:`.fabric_layout`: the fabric's grid, sources and genotype spec;
- :mod:`.fabric_cell`: a cell and its scale transforms;
- :mod:`.fabric_pruning`: which cells a derived fabric keeps;
- :mod:`.neural_fabric`: :class:`NeuralFabric`, the kept layers of a fabric;
- :mod:`.fabric_backbone`: :class:`FabricBackbone` (registered);
- :mod:`.body_parts`: the part groupings of Table I;
- :mod:`.part_branch`, :mod:`.vector_in_pixel`,
  :mod:`.part_fabric_head`: :class:`PartFabricHead` (registered).

Importing this package registers ``FabricBackbone`` and ``PartFabricHead``
in MMPose's ``MODELS``.
"""
from .body_parts import (BODY_PART_PRESETS, COCO_KEYPOINTS, MPII_KEYPOINTS,
                         TABLE_I, available_presets,
                         keypoint_names_from_metainfo, load_pose_metainfo,
                         resolve_keypoint_names, resolve_parts)
from .fabric_backbone import FabricBackbone
from .fabric_cell import (CoarserToScale, FabricCell, FinerToScale,
                          SameScale, build_fabric_edge, source_transform)
from .fabric_layout import (BACKBONE_CANDIDATES, FABRIC_SPACE, NUM_SCALES,
                            SCALE_MULTIPLIERS, SOURCES, STRUCTURE_KEYS,
                            SUBNET_CANDIDATES, fabric_genotype_spec,
                            fabric_layer_sizes, fabric_wiring, kept_layers,
                            num_fabric_edges, select_fabric_components,
                            source_indices)
from .fabric_pruning import FabricPruning, prune_fabric
from .neural_fabric import NeuralFabric
from .part_branch import PartBranch, build_fabric
from .part_fabric_head import PartFabricHead
from .vector_in_pixel import squash_score, sum_part_scores

__all__ = [
    'BACKBONE_CANDIDATES', 'BODY_PART_PRESETS', 'COCO_KEYPOINTS',
    'CoarserToScale', 'FABRIC_SPACE', 'FabricBackbone', 'FabricCell',
    'FabricPruning', 'FinerToScale', 'MPII_KEYPOINTS', 'NUM_SCALES',
    'NeuralFabric', 'PartBranch', 'PartFabricHead', 'SCALE_MULTIPLIERS',
    'SOURCES', 'STRUCTURE_KEYS', 'SUBNET_CANDIDATES', 'SameScale', 'TABLE_I',
    'available_presets', 'build_fabric', 'build_fabric_edge',
    'fabric_genotype_spec', 'fabric_layer_sizes', 'fabric_wiring',
    'keypoint_names_from_metainfo', 'kept_layers', 'load_pose_metainfo',
    'num_fabric_edges', 'prune_fabric', 'resolve_keypoint_names',
    'resolve_parts', 'select_fabric_components', 'source_indices',
    'source_transform', 'squash_score', 'sum_part_scores'
]
