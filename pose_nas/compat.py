# Copyright (c) pose_nas contributors. All rights reserved.
"""Fixes for the pinned stack, applied once on ``import pose_nas``.

* **MMEngine checkpoints under torch >= 2.6.** ``torch.load`` defaults to
  ``weights_only=True`` since torch 2.6, and MMEngine 0.10.7 calls it without
  the argument. Its checkpoints hold more than tensors: numpy arrays and
  scalars (``meta['dataset_meta']``, the message hub) and
  :class:`~mmengine.logging.HistoryBuffer` objects, which pickle their
  statistics methods as ``getattr(HistoryBuffer, 'mean')``. Instead of turning
  safe loading off, :func:`allow_mmengine_checkpoint_globals` allow-lists
  exactly these types, and maps ``builtins.getattr`` to a function that only
  resolves HistoryBuffer's registered statistics methods.
* **MMPose's visualiser under numpy >= 2.4.** ``PoseLocalVisualizer`` draws
  keypoints with ``draw_circles(kpt, radius=np.array([r]))`` and its OpenCV
  backend calls ``int()`` on that one-element array, which numpy 2.4 refuses.
  :func:`patch_opencv_visualizer_radius` passes the backend a scalar.
* **Unreadable checkpoints.** For an empty, truncated or foreign file (or
  objects outside the allow-list) ``torch.load`` raises a ``KeyError: 101``,
  an ``EOFError`` or advice to retry with ``weights_only=False``;
  :func:`patch_checkpoint_read_errors` makes MMEngine's local checkpoint
  loader raise a :class:`~pose_nas.nas.checkpoint_check.CheckpointReadError`
  naming the file instead, and never suggests unsafe loading.
* **MPII head boxes that do not fit.** MMPose's ``MpiiDataset`` indexes the
  head boxes by person: too few is a bare ``IndexError``, too many or a
  zero-size box a silently wrong PCKh. :func:`patch_mpii_headbox_check`
  checks them first (:func:`pose_nas.datasets.mpii_headboxes.check_headboxes`)
  and names the file and the person.
"""
from typing import Any, Callable, Dict, List, Tuple, Union

_APPLIED: Dict[str, bool] = {}

SafeGlobal = Union[Callable, Tuple[Callable, str]]

# statistics methods every HistoryBuffer registers in its __init__
_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """A ``getattr`` that only resolves HistoryBuffer statistics methods.

    Used in place of ``builtins.getattr`` while unpickling with
    ``weights_only=True``; anything else is refused.
    """
    import pickle

    from mmengine.logging import HistoryBuffer
    allowed = set(_HISTORY_BUFFER_STATISTICS) | set(
        HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return HistoryBuffer._statistics_methods.get(
            name, getattr(HistoryBuffer, name))
    raise pickle.UnpicklingError(
        f'pose_nas refuses getattr({obj!r}, {name!r}) in a weights_only '
        'checkpoint load: only HistoryBuffer statistics methods are allowed.')


def mmengine_checkpoint_globals() -> List[SafeGlobal]:
    """The non-tensor globals found in checkpoints MMEngine writes.

    Returns:
        list: Entries for :func:`torch.serialization.add_safe_globals`:
        numpy arrays/scalars/dtypes (under the module names numpy 1 and
        numpy 2 pickle them with), HistoryBuffer, and a restricted getattr.
    """
    import numpy as np
    from mmengine.logging import HistoryBuffer

    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover  numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    safe: List[SafeGlobal] = [HistoryBuffer, np.ndarray, np.dtype]
    for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        safe.append((_reconstruct, f'{module}._reconstruct'))
        safe.append((scalar, f'{module}.scalar'))
    # dtype classes (numpy.dtypes.Float32DType, ...) as numpy 2 pickles them
    for code in '?bBhHiIlLqQefdgFDGUSV':
        dtype_cls = type(np.dtype(code))
        safe.append((dtype_cls,
                     f'{dtype_cls.__module__}.{dtype_cls.__qualname__}'))
    safe.append((_history_buffer_getattr, 'builtins.getattr'))
    return safe


def allow_mmengine_checkpoint_globals() -> None:
    """Let ``torch.load(weights_only=True)`` read MMEngine's checkpoints.

    Covers ``tools/test.py CONFIG CHECKPOINT``, ``resume=True`` and
    ``load_from``, :func:`mmpose.apis.init_model` and anything else that
    goes through :func:`mmengine.runner.load_checkpoint`. A no-op on torch
    versions without ``add_safe_globals`` (< 2.4), which load everything.
    """
    import torch.serialization
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())


def patch_checkpoint_read_errors() -> None:
    """Clear errors from MMEngine's local checkpoint loader (used by
    ``tools/test.py``, ``load_from`` / ``resume``, ``init_model`` and
    ``derive_arch``) for files ``torch.load`` cannot read; see
    :func:`pose_nas.nas.checkpoint_check.wrap_checkpoint_loader`."""
    from mmengine.runner.checkpoint import CheckpointLoader

    from pose_nas.nas.checkpoint_check import wrap_checkpoint_loader
    local = CheckpointLoader._schemes['']
    if not hasattr(local, '_pose_nas_original'):
        CheckpointLoader.register_scheme(
            prefixes='', loader=wrap_checkpoint_loader(local), force=True)


def _scalar_radius_draw_circles(original: Callable) -> Callable:

    def draw_circles(self, center, radius, *args, **kwargs):
        import numpy as np
        if getattr(self, 'backend', None) == 'opencv' and np.size(radius) == 1:
            radius = float(np.asarray(radius).reshape(-1)[0])
        return original(self, center, radius, *args, **kwargs)

    draw_circles.__doc__ = original.__doc__
    draw_circles._pose_nas_original = original
    return draw_circles


def patch_opencv_visualizer_radius() -> None:
    """Make MMPose's OpenCV drawing of keypoints numpy-2.4 safe.

    ``PoseLocalVisualizer`` draws every keypoint with
    ``draw_circles(kpt, radius=np.array([self.radius]))`` and the OpenCV
    backend then calls ``int(radius)`` on that (1,) array, a TypeError from
    numpy 2.4 on. The shim hands the backend a scalar radius; the matplotlib
    backend still gets what it got before.
    """
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    fn = OpencvBackendVisualizer.draw_circles
    if not hasattr(fn, '_pose_nas_original'):
        OpencvBackendVisualizer.draw_circles = _scalar_radius_draw_circles(fn)


def patch_cpu_distributed() -> None:
    """Let MMEngine's ``pytorch`` launcher run on CPU-only machines.

    MMEngine 0.10.7 calls ``torch.cuda.set_device(local_rank)`` before
    ``init_process_group`` and passes ``device_ids=[local_rank]`` to DDP,
    both of which fail without a GPU, so ``torchrun ... --launcher pytorch``
    cannot start on a CPU (where ``gloo`` works fine). Without CUDA the
    shim skips ``set_device``, falls back from ``nccl`` to ``gloo``, and
    drops ``device_ids`` for modules that live on the CPU. Machines with a
    GPU take MMEngine's path unchanged.
    """
    import torch
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils
    from mmengine.model.wrappers import distributed as mm_ddp

    original_init = dist_utils._init_dist_pytorch
    if not hasattr(original_init, '_pose_nas_original'):

        def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
            if torch.cuda.is_available() or init_backend != 'torch':
                return original_init(backend, init_backend, **kwargs)
            if backend == 'nccl':
                backend = 'gloo'
            torch_dist.init_process_group(backend=backend, **kwargs)

        _init_dist_pytorch._pose_nas_original = original_init
        dist_utils._init_dist_pytorch = _init_dist_pytorch

    ddp_init = mm_ddp.MMDistributedDataParallel.__init__
    if not hasattr(ddp_init, '_pose_nas_original'):

        def __init__(self, module, *args, **kwargs):
            devices = {p.device.type for p in module.parameters()}
            if devices == {'cpu'} and kwargs.get('device_ids') is not None:
                kwargs['device_ids'] = None
            ddp_init(self, module, *args, **kwargs)

        __init__._pose_nas_original = ddp_init
        mm_ddp.MMDistributedDataParallel.__init__ = __init__


def patch_mpii_headbox_check() -> None:
    """Check MPII head boxes against the annotations before MMPose's
    ``MpiiDataset`` reads them (see the module docstring)."""
    from mmpose.datasets import MpiiDataset

    from pose_nas.datasets.mpii_headboxes import check_headboxes
    original = MpiiDataset._load_annotations
    if hasattr(original, '_pose_nas_original'):
        return

    def _load_annotations(self):
        if self.headbox_file:
            check_headboxes(self.ann_file, self.headbox_file)
        return original(self)

    _load_annotations.__doc__ = original.__doc__
    _load_annotations._pose_nas_original = original
    MpiiDataset._load_annotations = _load_annotations


def apply_all() -> None:
    """Apply every shim once (idempotent)."""
    for name, fn in (('checkpoint_globals', allow_mmengine_checkpoint_globals),
                     ('visualizer_radius', patch_opencv_visualizer_radius),
                     ('cpu_distributed', patch_cpu_distributed),
                     ('checkpoint_read_errors',
                      patch_checkpoint_read_errors),
                     ('mpii_headboxes', patch_mpii_headbox_check)):
        if not _APPLIED.get(name):
            fn()
            _APPLIED[name] = True
