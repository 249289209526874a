# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's vector-in-pixel keypoint score.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068),
Sec. III-D: every joint is a ``d``-dimensional vector at every pixel; the
length of the squashed vector is the joint's score at that pixel, and a
joint that falls into several body parts gets the sum of their predictions.
"""
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor


def squash_score(v: Tensor, dim: int = 2) -> Tensor:
    """Length of the squashed vector, ``||v||^2 / (1 + ||v||^2)``.

    The squash function (Sec. III-D, eq. 4) maps ``v`` to ``||v||^2 / (1 +
    ||v||^2) * v / ||v||``; its length, computed here, is the keypoint's
    existence score in ``[0, 1)``. Computed from the squared norm
    (no square root), so the gradient is finite everywhere and zero at
    ``v = 0``: ``d score / d v = 2 v / (1 + ||v||^2)^2``.

    Args:
        v (Tensor): vectors along ``dim``.
        dim (int): the vector dimension (reduced).
    """
    sq = (v * v).sum(dim=dim)
    return sq / (1.0 + sq)


def sum_part_scores(scores: Dict[str, Tensor],
                    parts: Sequence[Tuple[str, Sequence[int]]],
                    num_keypoints: int) -> Tensor:
    """Place every part's score maps at its joints' indices of a
    ``num_keypoints``-channel heatmap; a joint in several parts gets the
    **sum** of those parts' scores (Sec. III-D).

    Args:
        scores (dict): part name -> ``(N, J_p, H, W)`` score maps.
        parts (Sequence[tuple]): ``(part name, keypoint indices)``, the
            indices in the dataset's keypoint order.
        num_keypoints (int): ``K``.

    Returns:
        Tensor: ``(N, K, H, W)``.
    """
    first = next(iter(scores.values()))
    n, _, h, w = first.shape
    heatmaps = first.new_zeros(n, num_keypoints, h, w)
    for name, idx in parts:
        index = torch.as_tensor(idx, device=first.device)
        heatmaps = heatmaps.index_add(1, index, scores[name])
    return heatmaps
