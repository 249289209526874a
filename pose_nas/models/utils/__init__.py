# Copyright (c) pose_nas contributors. All rights reserved.
"""Building blocks shared by pose_nas models."""
from .neural_fabric import (BACKBONE_CANDIDATES, FABRIC_SPACE, NUM_SCALES,
                            SCALE_MULTIPLIERS, SOURCES, SUBNET_CANDIDATES,
                            FabricCell, NeuralFabric, fabric_genotype_spec,
                            fabric_layer_sizes, kept_layers,
                            num_fabric_edges, select_fabric_components,
                            source_indices)

__all__ = [
    'BACKBONE_CANDIDATES', 'FABRIC_SPACE', 'NUM_SCALES', 'SCALE_MULTIPLIERS',
    'SOURCES', 'SUBNET_CANDIDATES', 'FabricCell', 'NeuralFabric',
    'fabric_genotype_spec', 'fabric_layer_sizes', 'kept_layers',
    'num_fabric_edges', 'select_fabric_components', 'source_indices'
]
