# Copyright (c) pose_nas contributors. All rights reserved.
"""Pictures of derived architectures and of a search's progress."""
from .arch_history import plot_arch_history, read_arch_history
from .genotype_drawing import draw_genotype

__all__ = ['draw_genotype', 'read_arch_history', 'plot_arch_history']
