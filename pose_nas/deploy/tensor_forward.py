# Copyright (c) pose_nas contributors. All rights reserved.
"""The tensor forward of an MMPose pose estimator as a one-argument module."""
import torch
import torch.nn as nn

__all__ = ['TensorForward']


def _is_pose_estimator(model: nn.Module) -> bool:
    from mmpose.models.pose_estimators.base import BasePoseEstimator
    return isinstance(model, BasePoseEstimator)


class TensorForward(nn.Module):
    """``inputs -> model(inputs, None, mode='tensor')``: the backbone, neck
    and head forward of an MMPose pose estimator (heatmaps for heatmap
    heads, a tuple for SimCC heads), as a one-argument module for tracing
    and FLOPs counting.

    Args:
        model (nn.Module): an MMPose pose estimator; the wrapper takes over
            its train/eval mode.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.train(model.training)

    def forward(self, inputs: torch.Tensor):
        return self.model(inputs, None, mode='tensor')
