# Copyright (c) pose_nas contributors. All rights reserved.
"""Inference-time deployment helpers: BN folding, ONNX export, ONNX Runtime.

* :func:`fuse_conv_bn` folds every BatchNorm that directly follows a conv
  into that conv. ``Conv2d`` + BN is MMCV's :func:`mmcv.cnn.fuse_conv_bn`
  (wrapped, with a guard for the one pattern it gets wrong); MMCV leaves
  ``ConvTranspose2d`` + BN alone, so the head's deconv + BN pairs are folded
  here (``fuse_deconv=True``).
* :func:`export_onnx` writes the heatmap forward of a pose estimator
  (``model(inputs, None, mode='tensor')``: backbone, neck, head; no data
  preprocessor, no decoding) to ONNX with PyTorch's TorchScript exporter.
* :class:`OnnxPoseRunner` runs such a file in ONNX Runtime on the CPU with a
  fixed number of threads; :func:`decode_heatmaps` and
  :func:`compare_heatmaps` decode heatmaps with the model's codec and compare
  two backends in heatmap values and in keypoint pixels.

``onnx`` and ``onnxruntime`` are imported lazily (``requirements/runtime.txt``
lists them; nothing else in pose_nas needs them).
"""
import copy
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn

ArrayLike = Union[np.ndarray, torch.Tensor]

_BN_TYPES = (nn.modules.batchnorm._BatchNorm, nn.SyncBatchNorm)


# --------------------------------------------------------------------------
# BatchNorm folding
# --------------------------------------------------------------------------
def _mmcv_misfusions(module: nn.Module, prefix: str = '') -> List[str]:
    """BN layers that MMCV's ``fuse_conv_bn`` would fold into a conv that
    does not directly precede them.

    MMCV walks ``named_children`` and keeps the last ``Conv2d`` until a BN
    comes; a child in between that is neither (a ReLU, a block) does not
    reset it, so ``Conv2d -> ReLU -> BN`` would be folded wrongly. This
    replays that walk and reports such BNs (none in pose_nas's models or in
    MMPose's ConvModule-based ones), and the BNs after a conv that MMCV
    cannot fold (``affine=False`` or no running statistics).
    """
    bad = []
    last_conv, since_conv = None, False
    for name, child in module.named_children():
        full = f'{prefix}{name}'
        if isinstance(child, _BN_TYPES):
            if last_conv is not None and since_conv:
                bad.append(f'{full} (after {last_conv})')
            elif last_conv is not None and not (child.affine and
                                                child.track_running_stats):
                bad.append(f'{full} (no affine parameters or no running '
                           'statistics)')
            last_conv = None
        elif isinstance(child, nn.Conv2d):
            last_conv, since_conv = full, False
        else:
            if last_conv is not None:
                since_conv = True
            bad.extend(_mmcv_misfusions(child, f'{full}.'))
    return bad


@torch.no_grad()
def _fold_deconv_bn(deconv: nn.ConvTranspose2d,
                    bn: nn.modules.batchnorm._BatchNorm) -> None:
    """Fold ``bn`` into the transposed conv in place.

    A ``ConvTranspose2d`` weight is ``(C_in, C_out / groups, kH, kW)``: output
    channel ``g * C_out / groups + j`` is column ``j`` of group ``g``.
    """
    groups, c_out = deconv.groups, deconv.out_channels
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps) \
        if bn.weight is not None else 1.0 / torch.sqrt(bn.running_var + bn.eps)
    shift = bn.bias if bn.bias is not None else torch.zeros_like(scale)
    bias = deconv.bias if deconv.bias is not None else torch.zeros_like(
        bn.running_mean)
    w = deconv.weight  # (C_in, C_out/g, kh, kw)
    c_in = w.shape[0]
    w = w.reshape(groups, c_in // groups, c_out // groups, *w.shape[2:])
    w = w * scale.reshape(groups, 1, c_out // groups, 1, 1)
    deconv.weight = nn.Parameter(w.reshape(c_in, c_out // groups,
                                           *w.shape[3:]))
    deconv.bias = nn.Parameter((bias - bn.running_mean) * scale + shift)


def _fuse_deconv_bn(module: nn.Module) -> int:
    """Fold BNs that directly follow a ``ConvTranspose2d`` in an
    ``nn.Sequential``; the BN becomes ``nn.Identity``. Returns the count."""
    count = 0
    for child in module.children():
        count += _fuse_deconv_bn(child)
    if isinstance(module, nn.Sequential):
        names = list(module._modules)
        for prev, name in zip(names, names[1:]):
            a, b = module._modules[prev], module._modules[name]
            if isinstance(a, nn.ConvTranspose2d) and isinstance(
                    b, _BN_TYPES) and b.track_running_stats:
                _fold_deconv_bn(a, b)
                module._modules[name] = nn.Identity()
                count += 1
    return count


def fuse_conv_bn(model: nn.Module,
                 inplace: bool = False,
                 fuse_deconv: bool = True) -> nn.Module:
    """Fold every BatchNorm that directly follows a conv into the conv.

    For inference only: the fold uses the BN running statistics, so the
    result is put in eval mode. ``Conv2d`` + BN pairs (the stem and every
    expand / depthwise / project ``nn.Sequential`` of the inverted-residual
    blocks, MMCV ``ConvModule``\\ s) are folded by
    :func:`mmcv.cnn.fuse_conv_bn`; each such BN is replaced by
    ``nn.Identity`` and the conv gets a bias. With ``fuse_deconv`` the BNs
    that follow a ``ConvTranspose2d`` in an ``nn.Sequential`` (the deconv
    head's) are folded too (MMCV leaves them alone).

    Args:
        model (nn.Module): any model; BNs that follow no conv stay.
        inplace (bool): fold into ``model`` itself (its convs are replaced,
            its BNs become ``nn.Identity``) and return it. Defaults to False:
            a deep copy is fused and returned, ``model`` is untouched.
        fuse_deconv (bool): also fold ``ConvTranspose2d`` + BN.

    Returns:
        nn.Module: the fused model, in eval mode (``model`` itself when
        ``inplace``).

    Raises:
        ValueError: if MMCV would fold a BN into a conv that does not
            directly precede it (``Conv2d -> other -> BN`` children), or a
            BN after a conv has no affine parameters or running statistics
            (MMCV's fold needs both).
    """
    from mmcv.cnn import fuse_conv_bn as mmcv_fuse_conv_bn
    bad = _mmcv_misfusions(model)
    if bad:
        raise ValueError('cannot fold BN safely (a module sits between the '
                         'conv and the BN): ' + ', '.join(bad))
    fused = model if inplace else copy.deepcopy(model)
    fused.eval()
    with torch.no_grad():
        mmcv_fuse_conv_bn(fused)
        if fuse_deconv:
            _fuse_deconv_bn(fused)
    return fused


def unfused_batchnorms(model: nn.Module) -> List[str]:
    """Names of the BNs that still directly follow a ``Conv2d`` or
    ``ConvTranspose2d`` among the children of one module (what
    :func:`fuse_conv_bn` should have removed)."""
    out = []
    for name, module in model.named_modules():
        prev = None
        for child_name, child in module.named_children():
            if isinstance(child, _BN_TYPES) and isinstance(
                    prev, (nn.Conv2d, nn.ConvTranspose2d)):
                out.append(f'{name}.{child_name}' if name else child_name)
            prev = child
    return out


@torch.no_grad()
def calibrate_bn_stats(model: nn.Module,
                       inputs: torch.Tensor,
                       forward=None,
                       seed: Optional[int] = 0,
                       randomize_affine: bool = True) -> nn.Module:
    """Give every BN running statistics of ``inputs`` (in place).

    A freshly built net has ``running_mean = 0, running_var = 1``, so
    BN folding is a no-op and activations shrink or grow block by block
    (heatmaps near constant, argmax ties, denormals). This sets each BN's
    statistics to the batch statistics of one forward of ``inputs``
    (``momentum=None``: cumulative average), and with ``randomize_affine``
    draws its affine weight in ``[0.5, 1.5)`` and bias from ``N(0, 0.1)``
    (``seed``), so checks of fused / exported nets are not trivial. Not a
    substitute for trained weights; meant for tests and benchmarks.

    Args:
        model (nn.Module): the model (left in eval mode).
        inputs (Tensor): a batch for ``forward``.
        forward (callable, optional): ``forward(model, inputs)``; defaults to
            ``model(inputs, None, mode='tensor')`` for MMPose estimators and
            ``model(inputs)`` otherwise.
        seed (int, optional): seed of the affine draw.
        randomize_affine (bool): draw the BN affine parameters.
    """
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    bns = [m for m in model.modules() if isinstance(m, _BN_TYPES)]
    saved = []
    for bn in bns:
        saved.append(bn.momentum)
        bn.reset_running_stats()
        bn.momentum = None
        if randomize_affine and bn.affine:
            bn.weight.copy_(0.5 + torch.rand(bn.weight.shape, generator=gen))
            bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=gen))
    model.train()
    try:
        if forward is not None:
            forward(model, inputs)
        elif _is_pose_estimator(model):
            model(inputs, None, mode='tensor')
        else:
            model(inputs)
    finally:
        for bn, momentum in zip(bns, saved):
            bn.momentum = momentum
        model.eval()
    return model


# --------------------------------------------------------------------------
# ONNX export and ONNX Runtime
# --------------------------------------------------------------------------
def _is_pose_estimator(model: nn.Module) -> bool:
    from mmpose.models.pose_estimators.base import BasePoseEstimator
    return isinstance(model, BasePoseEstimator)


class TensorForward(nn.Module):
    """``inputs -> model(inputs, None, mode='tensor')``: the backbone, neck
    and head forward of an MMPose pose estimator (heatmaps for heatmap
    heads, a tuple for SimCC heads), as a one-argument module for tracing
    and FLOPs counting."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.train(model.training)

    def forward(self, inputs: torch.Tensor):
        return self.model(inputs, None, mode='tensor')


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
        device = next(model.parameters()).device
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

    @staticmethod
    def _as_array(inputs: ArrayLike) -> np.ndarray:
        if isinstance(inputs, torch.Tensor):
            inputs = inputs.detach().cpu().contiguous().numpy()
        return np.ascontiguousarray(inputs, dtype=np.float32)

    def run_all(self, inputs: ArrayLike) -> List[np.ndarray]:
        return self.session.run(None,
                                {self.input_name: self._as_array(inputs)})

    def __call__(self, inputs: ArrayLike) -> np.ndarray:
        return self.session.run(self.output_names[:1],
                                {self.input_name: self._as_array(inputs)})[0]


# --------------------------------------------------------------------------
# decoding and comparison
# --------------------------------------------------------------------------
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
