# Copyright (c) pose_nas contributors. All rights reserved.
"""Latency of one module on a CPU runtime (ONNX Runtime or PyTorch eager).

The measurement behind latency lookup tables
(:mod:`pose_nas.nas.latency_table`) and behind the end-to-end checks of a
latency-budgeted search: the module runs in eval mode on a random
``(N, C, H, W)`` float32 input, ``warmup`` untimed then ``repeats`` timed
calls, median reported (:func:`pose_nas.utils.time_fn`).

- ``'onnxruntime'``: exported by :func:`export_onnx` (TorchScript exporter,
  fixed batch, BN folded) and run by :class:`OnnxPoseRunner` (``threads``
  intra-op threads, sequential execution, all graph optimizations);
- ``'pytorch'``: ``module(x)`` under ``torch.inference_mode()`` with
  ``torch.set_num_threads(threads)`` (restored afterwards).
"""
import os.path as osp
import tempfile
from typing import Any, Dict, Sequence

import torch
import torch.nn as nn

from pose_nas.utils.timing import pinned_cpus, time_fn
from .onnx_export import export_onnx
from .onnx_pose_runner import OnnxPoseRunner
from .tensor_forward import TensorForward, _is_pose_estimator

#: the runtimes a latency can be measured on
RUNTIMES = ('onnxruntime', 'pytorch')


class CallOverhead(nn.Module):
    """The cheapest graph a runtime can run (``x + 1`` on a ``1x1x1x1``
    input): its latency is the fixed cost of one call, which a sum of
    per-module latencies counts once per module instead of once."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 1.0


def check_runtime(runtime: str) -> str:
    """``runtime`` if known, else a one-line ``ValueError``."""
    if runtime not in RUNTIMES:
        raise ValueError(f'unknown latency runtime {runtime!r}; known: '
                         f'{list(RUNTIMES)}')
    return runtime


def measure_latency(module: nn.Module,
                    input_shape: Sequence[int],
                    runtime: str = 'onnxruntime',
                    threads: int = 1,
                    warmup: int = 10,
                    repeats: int = 50,
                    rounds: int = 1,
                    pin: bool = True,
                    seed: int = 0) -> Dict[str, Any]:
    """Time ``module`` on one runtime.

    Args:
        module (nn.Module): ``forward(x)`` of one tensor, or an MMPose pose
            estimator (timed through its tensor forward: backbone, neck,
            head).
        input_shape (Sequence[int]): ``(N, C, H, W)``.
        runtime (str): ``'onnxruntime'`` or ``'pytorch'``.
        threads (int): intra-op threads.
        warmup (int): untimed calls.
        repeats (int): timed calls per round (more for a module faster
            than 2 ms: a round lasts at least 0.1 s).
        rounds (int): rounds of ``repeats`` calls; the round with the
            lowest median is reported (the least disturbed by other
            processes of a shared machine), ``round_medians_ms`` lists all.
        pin (bool): time on ``threads`` CPUs only (the process's affinity,
            restored afterwards; :func:`~pose_nas.utils.pinned_cpus`), so
            that the timed threads do not migrate. Defaults to True.
        seed (int): seed of the random input.

    Returns:
        dict: :func:`~pose_nas.utils.time_fn`'s statistics (``median_ms``,
        ...), plus ``runtime``, ``threads``, ``input_shape``,
        ``round_medians_ms`` and ``cpus`` (the CPUs pinned, ``[]``: none).
    """
    check_runtime(runtime)
    if _is_pose_estimator(module):
        module = TensorForward(module)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(*input_shape, generator=gen)
    was_training = module.training
    module.eval()
    try:
        timer = _time_pytorch if runtime == 'pytorch' else _time_onnxruntime
        with pinned_cpus(int(threads) if pin else 0) as cpus:
            stats = timer(module, x, threads, warmup, repeats, rounds)
    finally:
        module.train(was_training)
    return dict(stats, runtime=runtime, threads=int(threads), cpus=cpus,
                input_shape=[int(s) for s in input_shape])


def _best_round(fn, warmup: int, repeats: int, rounds: int,
                min_round_s: float = 0.1):
    """The round of timed calls with the lowest median; a round has
    ``repeats`` calls, or more for a fast ``fn``: at least ``min_round_s``
    seconds (a short disturbance of a shared machine then spoils fewer
    rounds)."""
    warm = time_fn(fn, 0, max(1, warmup))
    n = max(int(repeats), int(min_round_s / max(warm['min_ms'] / 1e3, 1e-6)))
    results = [time_fn(fn, 0, n) for _ in range(max(1, int(rounds)))]
    best = min(results, key=lambda r: r['median_ms'])
    return dict(best, warmup=warmup,
                round_medians_ms=[r['median_ms'] for r in results])


def _time_pytorch(module, x, threads, warmup, repeats, rounds):
    before = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        def run():
            with torch.inference_mode():
                return module(x)

        return _best_round(run, warmup, repeats, rounds)
    finally:
        torch.set_num_threads(before)


def _time_onnxruntime(module, x, threads, warmup, repeats, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(module, osp.join(tmp, 'module.onnx'),
                           input_shape=tuple(x.shape), dynamic_batch=False,
                           output_name='output')
        runner = OnnxPoseRunner(path, threads=threads)
        x = x.numpy()
        return _best_round(lambda: runner.run_all(x), warmup, repeats,
                           rounds)
