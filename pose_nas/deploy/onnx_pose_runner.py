# Copyright (c) pose_nas contributors. All rights reserved.
"""Run an exported pose model in ONNX Runtime on the CPU.

``onnxruntime`` is imported lazily (``requirements/runtime.txt`` lists it;
nothing else in pose_nas needs it).
"""
from typing import List, Union

import numpy as np
import torch

__all__ = ['OnnxPoseRunner', 'as_input_array']

ArrayLike = Union[np.ndarray, torch.Tensor]


def as_input_array(inputs: ArrayLike) -> np.ndarray:
    """A C-contiguous float32 numpy copy/view of an array or tensor: the
    input every CPU runtime runner feeds its engine."""
    if isinstance(inputs, torch.Tensor):
        inputs = inputs.detach().cpu().contiguous().numpy()
    return np.ascontiguousarray(inputs, dtype=np.float32)


class OnnxPoseRunner:
    """Run an exported pose model in ONNX Runtime on the CPU.

    Args:
        onnx_file (str): file written by :func:`export_onnx`.
        threads (int): intra-op threads (``SessionOptions
            .intra_op_num_threads``); inter-op threads are 1 and execution is
            sequential. Defaults to 1.
        optimization (str): ``'all'`` (default), ``'extended'``, ``'basic'``
            or ``'disable'`` graph optimizations.

    Call it with a ``(N, 3, H, W)`` float array or tensor; it returns the
    first output (heatmaps) as a float32 numpy array; :meth:`run_all`
    returns every output.
    """

    _LEVELS = ('disable', 'basic', 'extended', 'all')

    def __init__(self,
                 onnx_file: str,
                 threads: int = 1,
                 optimization: str = 'all') -> None:
        import onnxruntime as ort
        if optimization not in self._LEVELS:
            raise ValueError(f'optimization must be one of {self._LEVELS}')
        so = ort.SessionOptions()
        so.intra_op_num_threads = int(threads)
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = {
            'disable': ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
            'basic': ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            'extended': ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            'all': ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
        }[optimization]
        self.onnx_file = onnx_file
        self.threads = int(threads)
        self.session = ort.InferenceSession(
            onnx_file, so, providers=['CPUExecutionProvider'])
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]

    def run_all(self, inputs: ArrayLike) -> List[np.ndarray]:
        return self.session.run(None,
                                {self.input_name: as_input_array(inputs)})

    def __call__(self, inputs: ArrayLike) -> np.ndarray:
        return self.session.run(self.output_names[:1],
                                {self.input_name: as_input_array(inputs)})[0]
