# Copyright (c) pose_nas contributors. All rights reserved.
from .arch_visualization import (draw_genotype, plot_arch_history,
                                 read_arch_history)
from .derive import (build_search_model, derive_arch, derive_genotypes,
                     load_search_checkpoint, write_retrain_config)
from .inference import init_topdown_inferencer, topdown_predict
from .mmpose_tools import mmpose_tool_path, run_mmpose_tool

__all__ = [
    'init_topdown_inferencer', 'topdown_predict', 'mmpose_tool_path',
    'run_mmpose_tool', 'draw_genotype', 'plot_arch_history',
    'read_arch_history', 'build_search_model', 'derive_arch',
    'derive_genotypes', 'load_search_checkpoint', 'write_retrain_config'
]
