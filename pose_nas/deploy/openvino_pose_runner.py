# Copyright (c) pose_nas contributors. All rights reserved.
"""Run an exported pose model in OpenVINO on the CPU.

The same ONNX file :func:`~pose_nas.deploy.export_onnx` writes for ONNX
Runtime is read by OpenVINO's own ONNX front end and compiled for its CPU
plugin. ``openvino`` is imported lazily (``requirements/runtime.txt`` lists
it; nothing else in pose_nas needs it).
"""
from typing import List

import numpy as np

from .onnx_pose_runner import ArrayLike, as_input_array

__all__ = ['OpenVinoPoseRunner']


class OpenVinoPoseRunner:
    """Run an exported pose model in OpenVINO on the CPU.

    Args:
        onnx_file (str): file written by :func:`export_onnx` (a dynamic
            batch axis stays dynamic: one compiled model serves every batch
            size).
        threads (int): inference threads (``INFERENCE_NUM_THREADS``).
            Defaults to 1.
        hint (str): OpenVINO performance hint, ``'LATENCY'`` (default: one
            stream, the comparison ONNX Runtime's sequential session makes)
            or ``'THROUGHPUT'``.
        precision (str): CPU inference precision, ``'f32'`` (default: the
            keypoint-equality check compares against float32 PyTorch) or
            ``'bf16'`` where the CPU has it.

    Call it with a ``(N, 3, H, W)`` float array or tensor; it returns the
    first output (heatmaps) as a float32 numpy array; :meth:`run_all`
    returns every output.
    """

    _HINTS = ('LATENCY', 'THROUGHPUT')
    _PRECISIONS = ('f32', 'bf16')

    def __init__(self,
                 onnx_file: str,
                 threads: int = 1,
                 hint: str = 'LATENCY',
                 precision: str = 'f32') -> None:
        import openvino as ov
        if hint not in self._HINTS:
            raise ValueError(f'OpenVinoPoseRunner: hint must be one of '
                             f'{self._HINTS}, got {hint!r}')
        if precision not in self._PRECISIONS:
            raise ValueError(f'OpenVinoPoseRunner: precision must be one of '
                             f'{self._PRECISIONS}, got {precision!r}')
        if int(threads) < 1:
            raise ValueError(f'OpenVinoPoseRunner: threads must be >= 1, '
                             f'got {threads!r}')
        core = ov.Core()
        self.onnx_file = onnx_file
        self.threads = int(threads)
        self.compiled = core.compile_model(
            core.read_model(onnx_file), 'CPU', {
                'INFERENCE_NUM_THREADS': self.threads,
                'PERFORMANCE_HINT': hint,
                'INFERENCE_PRECISION_HINT': precision,
            })
        self.request = self.compiled.create_infer_request()
        self.outputs = list(self.compiled.outputs)

    def run_all(self, inputs: ArrayLike) -> List[np.ndarray]:
        result = self.request.infer({0: as_input_array(inputs)})
        return [np.asarray(result[o], dtype=np.float32).copy()
                for o in self.outputs]

    def __call__(self, inputs: ArrayLike) -> np.ndarray:
        result = self.request.infer({0: as_input_array(inputs)})
        return np.asarray(result[self.outputs[0]], dtype=np.float32).copy()
