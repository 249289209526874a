# Copyright (c) pose_nas contributors. All rights reserved.
"""Datasets of pose_nas."""
from .heldout_split import HeldOutSplitDataset
from .synthetic import (SyntheticPoseGenerator, SyntheticSample,
                        generate_synthetic_dataset)

__all__ = [
    'generate_synthetic_dataset', 'SyntheticPoseGenerator', 'SyntheticSample',
    'HeldOutSplitDataset'
]
