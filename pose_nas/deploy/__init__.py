# Copyright (c) pose_nas contributors. All rights reserved.
"""Inference-time deployment helpers and model complexity.

BN folding (:func:`fuse_conv_bn`), BN statistics for freshly built nets
(:func:`calibrate_bn_stats`), ONNX export (:func:`export_onnx`) and ONNX
Runtime (:class:`OnnxPoseRunner`) or OpenVINO (:class:`OpenVinoPoseRunner`),
decoding and comparing head outputs
(:func:`compare_heatmaps`), parameters and FLOPs
(:func:`model_complexity`, :func:`conv_rule_macs`).
"""
from .bn_calibration import calibrate_bn_stats
from .bn_folding import fuse_conv_bn, unfused_batchnorms
from .complexity import conv_rule_macs, model_complexity
from .heatmap_decoding import compare_heatmaps, decode_heatmaps, decode_outputs
from .onnx_export import export_onnx
from .onnx_pose_runner import OnnxPoseRunner
from .openvino_pose_runner import OpenVinoPoseRunner
from .tensor_forward import TensorForward

__all__ = [
    'fuse_conv_bn', 'unfused_batchnorms', 'calibrate_bn_stats',
    'TensorForward', 'export_onnx', 'OnnxPoseRunner', 'OpenVinoPoseRunner',
    'decode_heatmaps',
    'decode_outputs', 'compare_heatmaps', 'conv_rule_macs',
    'model_complexity'
]
