# Copyright (c) pose_nas contributors. All rights reserved.
"""Decode head outputs with the model's codec and compare two backends.

:func:`decode_heatmaps` / :func:`decode_outputs` decode heatmaps (or SimCC
outputs) with the model's codec; :func:`compare_heatmaps` compares two
backends (e.g. PyTorch and ONNX Runtime) in output values and in keypoint
pixels.
"""
from typing import Dict, Tuple, Union

import numpy as np
import torch

__all__ = ['decode_heatmaps', 'decode_outputs', 'compare_heatmaps']

ArrayLike = Union[np.ndarray, torch.Tensor]


def _codec(model_or_codec):
    if hasattr(model_or_codec, 'head'):
        return model_or_codec.head.decoder
    if hasattr(model_or_codec, 'decoder'):
        return model_or_codec.decoder
    return model_or_codec


def decode_heatmaps(model_or_codec, heatmaps: ArrayLike
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints of a batch of heatmaps with the model's codec.

    Args:
        model_or_codec: a pose estimator (``model.head.decoder`` is used), a
            head (``.decoder``) or a codec with ``decode(heatmaps)`` (e.g.
            ``MSRAHeatmap``).
        heatmaps: ``(N, K, H, W)``.

    Returns:
        tuple: keypoints ``(N, K, 2)`` in input-image pixels (the codec's
        ``input_size`` frame) and scores ``(N, K)``.
    """
    codec = _codec(model_or_codec)
    if isinstance(heatmaps, torch.Tensor):
        heatmaps = heatmaps.detach().cpu().numpy()
    kpts, scores = [], []
    for hm in np.asarray(heatmaps, dtype=np.float32):
        k, s = codec.decode(hm.copy())
        kpts.append(k[0])
        scores.append(s[0])
    return np.stack(kpts), np.stack(scores)


def _to_numpy(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().contiguous().numpy()
    return np.asarray(a)


def decode_outputs(model_or_codec, outputs) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints ``(N, K, 2)`` and scores ``(N, K)`` of a batch of head
    outputs: heatmaps ``(N, K, H, W)`` (:func:`decode_heatmaps`) or the
    ``(simcc_x, simcc_y)`` pair of a SimCC head (RTMPose; ``SimCCLabel``)."""
    if not isinstance(outputs, (tuple, list)):
        return decode_heatmaps(model_or_codec, outputs)
    codec = _codec(model_or_codec)
    if len(outputs) != 2 or not hasattr(codec, 'simcc_split_ratio'):
        raise ValueError(f'cannot decode {len(outputs)} outputs with '
                         f'{type(codec).__name__}')
    kpts, scores = codec.decode(*(_to_numpy(o).astype(np.float32)
                                  for o in outputs))
    if isinstance(scores, tuple):  # (scores, visibility)
        scores = scores[0]
    return kpts, scores


def compare_heatmaps(model_or_codec, reference, other) -> Dict[str, float]:
    """How far ``other`` head outputs are from ``reference``.

    Args:
        model_or_codec: see :func:`decode_heatmaps`.
        reference, other: heatmaps ``(N, K, H, W)`` (arrays or tensors), or
            tuples of outputs (SimCC: ``(simcc_x, simcc_y)``).

    Returns:
        dict: ``heatmap_max_abs`` (max abs difference of the output values,
        over all outputs), ``heatmap_scale`` (max abs reference value),
        ``keypoint_max_px`` (max abs coordinate difference of the decoded
        keypoints, input pixels) and ``score_max_abs``.
    """
    refs = reference if isinstance(reference, (tuple, list)) else [reference]
    oths = other if isinstance(other, (tuple, list)) else [other]
    if len(refs) != len(oths):
        raise ValueError(f'{len(refs)} reference outputs, {len(oths)} other')
    refs = [_to_numpy(a) for a in refs]
    oths = [_to_numpy(a) for a in oths]
    for a, b in zip(refs, oths):
        if a.shape != b.shape:
            raise ValueError(f'output shapes differ: {a.shape} vs '
                             f'{b.shape}')
    single = not isinstance(reference, (tuple, list))
    k_ref, s_ref = decode_outputs(model_or_codec,
                                  refs[0] if single else refs)
    k_oth, s_oth = decode_outputs(model_or_codec,
                                  oths[0] if single else oths)
    return dict(
        heatmap_max_abs=max(float(np.abs(a - b).max())
                            for a, b in zip(refs, oths)),
        heatmap_scale=max(float(np.abs(a).max()) for a in refs),
        keypoint_max_px=float(np.abs(k_ref - k_oth).max()),
        score_max_abs=float(np.abs(s_ref - s_oth).max()))
