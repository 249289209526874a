# Copyright (c) pose_nas contributors. All rights reserved.
"""Export the heatmap forward of a pose estimator to ONNX.

:func:`export_onnx` writes ``model(inputs, None, mode='tensor')`` (backbone,
neck, head; no data preprocessor, no decoding) with PyTorch's TorchScript
exporter and checks the file with ``onnx.checker``. ``onnx`` is imported
lazily (``requirements/runtime.txt`` lists it; nothing else in pose_nas
needs it).
"""
import warnings
from typing import Sequence

import torch
import torch.nn as nn

from .tensor_forward import TensorForward, _is_pose_estimator

__all__ = ['export_onnx']


def export_onnx(model: nn.Module,
                out_file: str,
                input_shape: Sequence[int] = (1, 3, 256, 192),
                opset: int = 17,
                dynamic_batch: bool = True,
                input_name: str = 'input',
                output_name: str = 'heatmaps') -> str:
    """Export a pose estimator's ``mode='tensor'`` forward to ONNX.

    The graph takes the normalized image batch (after the data
    preprocessor) and returns the head output (heatmaps ``(N, K, H, W)`` for
    heatmap heads; several outputs ``output_name``, ``output_name_1``, ...
    when the head returns a tuple). Uses PyTorch's TorchScript exporter
    (``dynamo=False``): the default ``torch.export`` based exporter of
    PyTorch >= 2.9 needs ``onnxscript``, which pose_nas does not install. BN
    is folded by the exporter in eval mode, so exporting the plain or the
    :func:`fuse_conv_bn` model gives the same graph. The model is exported
    in eval mode and its train/eval mode restored afterwards. The file is
    checked with ``onnx.checker``.

    Args:
        model (nn.Module): an MMPose ``BasePoseEstimator`` (or a module
            whose ``forward(inputs)`` is the tensor forward).
        out_file (str): the ``.onnx`` path.
        input_shape (Sequence[int]): ``(N, 3, H, W)`` of the example input.
        opset (int): ONNX opset. Defaults to 17.
        dynamic_batch (bool): make the batch dimension dynamic.
        input_name (str): name of the graph input.
        output_name (str): name of the (first) graph output.

    Returns:
        str: ``out_file``.
    """
    import onnx
    module = TensorForward(model) if _is_pose_estimator(model) else model
    was_training = model.training
    model.eval()
    module.eval()
    try:
        ref = next(model.parameters(), None)  # a module may have none
        device = ref.device if ref is not None else 'cpu'
        example = torch.zeros(*input_shape, device=device)
        with torch.no_grad():
            out = module(example)
        n_out = len(out) if isinstance(out, (tuple, list)) else 1
        output_names = [output_name] + [
            f'{output_name}_{i}' for i in range(1, n_out)
        ]
        dynamic_axes = None
        if dynamic_batch:
            dynamic_axes = {input_name: {0: 'batch'}}
            dynamic_axes.update({n: {0: 'batch'} for n in output_names})
        with warnings.catch_warnings():
            # "You are using the legacy TorchScript-based ONNX export"
            warnings.simplefilter('ignore', DeprecationWarning)
            torch.onnx.export(
                module, (example, ),
                out_file,
                dynamo=False,
                opset_version=opset,
                input_names=[input_name],
                output_names=output_names,
                dynamic_axes=dynamic_axes,
                do_constant_folding=True)
    finally:
        model.train(was_training)
    onnx.checker.check_model(onnx.load(out_file))
    return out_file
