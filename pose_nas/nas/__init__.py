# Copyright (c) pose_nas contributors. All rights reserved.
"""Search-space primitives shared by every method."""
from .arch import (ARCH_PREFIX, SearchableMixin, arch_parameters, arch_weights,
                   find_searchable, is_arch_param_name, named_arch_parameters,
                   named_weight_parameters, normalized_entropy,
                   softmax_entropy, unwrap_model, weight_parameters)
from .cell import (SearchCell, derive_edge_normalized, num_cell_edges,
                   set_partial_channels)
from .derive_rules import (derive_cell, derive_chain, derive_continuous,
                           derive_decisions)
from .genotype import Genotype, GenotypeError, load_genotype, validate_genotype
from .genotype_specs import (cell_spec, chain_spec, continuous_spec,
                             decisions_spec)
from .mixed_op import MixedOp, channel_shuffle, set_mixed_op_attr
from .ops import (ALIASES, NAS_OPS, available_ops, build_op,
                  canonical_op_name)

__all__ = [
    'ARCH_PREFIX', 'SearchableMixin', 'arch_parameters', 'arch_weights',
    'find_searchable', 'is_arch_param_name', 'named_arch_parameters',
    'named_weight_parameters', 'normalized_entropy', 'softmax_entropy',
    'unwrap_model', 'weight_parameters', 'SearchCell', 'num_cell_edges',
    'derive_edge_normalized', 'set_partial_channels', 'channel_shuffle',
    'Genotype', 'GenotypeError', 'cell_spec', 'chain_spec',
    'continuous_spec', 'decisions_spec', 'derive_cell', 'derive_chain',
    'derive_continuous', 'derive_decisions', 'load_genotype',
    'validate_genotype', 'MixedOp', 'set_mixed_op_attr', 'ALIASES', 'NAS_OPS',
    'available_ops', 'build_op', 'canonical_op_name'
]
