# Copyright (c) pose_nas contributors. All rights reserved.
from .nas_train_loops import (NASEpochBasedTrainLoop, NASIterBasedTrainLoop,
                              apply_search)

__all__ = ['NASEpochBasedTrainLoop', 'NASIterBasedTrainLoop', 'apply_search']
