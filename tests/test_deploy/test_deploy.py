# Copyright (c) pose_nas contributors. All rights reserved.
"""BN folding, ONNX export / ONNX Runtime and tools/benchmark.py."""
import copy
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.deploy import (OnnxPoseRunner, OpenVinoPoseRunner,
                             calibrate_bn_stats,
                             compare_heatmaps, decode_heatmaps, export_onnx,
                             fuse_conv_bn, unfused_batchnorms)
from pose_nas.nas.genotype import Genotype
from pose_nas.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'benchmark.py')

TINY_STAGES = ((8, 2, 2), (16, 2, 2), (24, 2, 2), (32, 2, 1))
TINY_OPS = ('ir_k3_e3', 'ir_k5_e6', 'ir_k7_e3', 'skip_connect', 'ir_k3_e6',
            'ir_k5_e3', 'ir_k7_e6', 'skip_connect')


def _estimator(backbone: dict, in_channels: int, hw=(64, 48)):
    h, w = hw
    init_default_scope('mmpose')
    return MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(
                type='PoseDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True),
            backbone=backbone,
            head=dict(
                type='SlimDeconvHead',
                in_channels=in_channels,
                out_channels=17,
                loss=dict(type='KeypointMSELoss', use_target_weight=True),
                decoder=dict(
                    type='MSRAHeatmap',
                    input_size=(w, h),
                    heatmap_size=(w // 4, h // 4),
                    sigma=2))))


def _calibrated(model, hw=(64, 48), seed=0):
    gen = torch.Generator().manual_seed(seed)
    calibrate_bn_stats(model, torch.randn(4, 3, *hw, generator=gen))
    return model, torch.randn(2, 3, *hw, generator=gen)


def _tensor(model, x):
    with torch.no_grad():
        return model(x, None, mode='tensor')


def _tiny_model():
    genotype = Genotype(
        space='EfficientPoseBackbone',
        components=dict(blocks=dict(type='chain', ops=list(TINY_OPS)))
    ).to_dict()
    return _estimator(
        dict(type='EfficientPoseBackbone', stages=TINY_STAGES,
             stem_channels=8, stem_out_channels=8, genotype=genotype), 32)


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    # OpenMP threads waiting for a core the other processes hold make CPU
    # forwards tens of times slower on a small shared machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def efficientpose_a():
    # EfficientPose-A as its shipped COCO config builds it
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/efficientpose/'
        'td-hm_efficientpose-a_slimdeconv_2xb64-240e_coco-256x192.py'))
    backbone = cfg.model.backbone
    model = _estimator(backbone, backbone.stages[-1][0])
    return _calibrated(model)


def test_fuse_efficientpose_a(efficientpose_a):
    model, x = efficientpose_a
    n_bn = sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert len(unfused_batchnorms(model)) == n_bn > 80
    ref = _tensor(model, x)
    state = copy.deepcopy(model.state_dict())
    fused = fuse_conv_bn(model)  # a copy; the model itself is untouched
    assert fused is not model and not fused.training
    assert all(torch.equal(v, model.state_dict()[k])
               for k, v in state.items())
    # no BatchNorm left anywhere: every BN of EfficientPose follows a conv
    # (the head's two follow its ConvTranspose2d layers)
    assert unfused_batchnorms(fused) == []
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
    deconvs = [m for m in fused.head.deconv_layers
               if isinstance(m, nn.ConvTranspose2d)]
    assert len(deconvs) == 2 and all(d.bias is not None for d in deconvs)
    out = _tensor(fused, x)
    assert out.shape == ref.shape == (2, 17, 16, 12)
    # float32 rounding through 26 blocks: ~2e-5 on heatmaps of scale ~1
    assert torch.allclose(out, ref, rtol=1e-4, atol=1e-4)
    assert compare_heatmaps(model, ref, out)['keypoint_max_px'] <= 1e-3
    # in float64 folding is exact
    m64 = copy.deepcopy(model).double()
    f64 = fuse_conv_bn(m64, inplace=True)
    assert f64 is m64
    assert torch.allclose(
        _tensor(f64, x.double()),
        _tensor(copy.deepcopy(model).double(), x.double()),
        rtol=1e-5, atol=1e-9)


def test_fuse_deconv_groups_and_guard():
    # grouped ConvTranspose2d + BN (not in the head, but handled)
    seq = nn.Sequential(
        nn.ConvTranspose2d(8, 12, 4, 2, 1, groups=4, bias=True),
        nn.BatchNorm2d(12), nn.ReLU())
    calibrate_bn_stats(seq, torch.randn(3, 8, 5, 4))
    x = torch.randn(2, 8, 5, 4)
    with torch.no_grad():
        ref = seq(x)
    fused = fuse_conv_bn(seq)
    assert isinstance(fused[1], nn.Identity)
    with torch.no_grad():
        assert torch.allclose(fused(x), ref, atol=1e-5)
    assert not isinstance(fuse_conv_bn(seq, fuse_deconv=False)[1],
                          nn.Identity)
    # MMCV would fold this BN into the conv across the ReLU: refused
    bad = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.BatchNorm2d(4))
    with pytest.raises(ValueError, match='cannot fold'):
        fuse_conv_bn(bad)
    with pytest.raises(ValueError, match='no affine'):
        fuse_conv_bn(nn.Sequential(nn.Conv2d(3, 4, 3),
                                   nn.BatchNorm2d(4, affine=False)))


def test_onnx_tiny_efficientpose(tmp_path):
    model, x = _calibrated(_tiny_model())
    model.train()  # export switches to eval and restores the mode
    onnx_file = export_onnx(model, str(tmp_path / 'tiny.onnx'),
                            input_shape=(1, 3, 64, 48))
    assert model.training
    model.eval()
    runner = OnnxPoseRunner(onnx_file, threads=1)
    assert runner.input_name == 'input' and runner.output_names == [
        'heatmaps'
    ]
    ref = _tensor(model, x)
    out = runner(x)  # batch 2 through the dynamic batch axis
    assert out.dtype == np.float32 and out.shape == (2, 17, 16, 12)
    assert np.abs(ref.numpy()).max() > 0.1  # calibrated: not a flat map
    np.testing.assert_allclose(out, ref.numpy(), rtol=1e-4, atol=1e-5)
    kpts, scores = decode_heatmaps(model, out)
    assert kpts.shape == (2, 17, 2) and scores.shape == (2, 17)
    diff = compare_heatmaps(model, ref, out)
    assert diff['heatmap_max_abs'] <= 1e-5
    assert diff['keypoint_max_px'] <= 1e-3
    # the fused model exports to the same numbers
    fused_file = export_onnx(fuse_conv_bn(model), str(tmp_path / 'f.onnx'),
                             input_shape=(1, 3, 64, 48),
                             dynamic_batch=False)
    out1 = OnnxPoseRunner(fused_file)(x[:1].numpy())
    np.testing.assert_allclose(out1, ref[:1].numpy(), rtol=1e-4, atol=1e-5)


def test_openvino_matches_pytorch_and_onnxruntime(tmp_path):
    """OpenVINO reads the same ONNX file: same heatmaps and keypoints as
    PyTorch and ONNX Runtime, every batch size through the dynamic axis;
    bad options are clear errors."""
    model, x = _calibrated(_tiny_model())
    model.eval()
    onnx_file = export_onnx(model, str(tmp_path / 'tiny.onnx'),
                            input_shape=(1, 3, 64, 48))
    ref = _tensor(model, x).numpy()
    runner = OpenVinoPoseRunner(onnx_file, threads=1)
    out = runner(x)
    assert out.dtype == np.float32 and out.shape == (2, 17, 16, 12)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(runner(x[:1].numpy()), ref[:1], rtol=1e-4,
                               atol=1e-5)
    (only, ) = runner.run_all(x)
    np.testing.assert_array_equal(only, out)
    np.testing.assert_allclose(out, OnnxPoseRunner(onnx_file)(x), rtol=1e-4,
                               atol=1e-5)
    diff = compare_heatmaps(model, ref, out)
    assert diff['keypoint_max_px'] <= 1e-3
    with pytest.raises(ValueError, match='hint must be one of'):
        OpenVinoPoseRunner(onnx_file, hint='FAST')
    with pytest.raises(ValueError, match='precision must be one of'):
        OpenVinoPoseRunner(onnx_file, precision='f16')
    with pytest.raises(ValueError, match='threads must be >= 1'):
        OpenVinoPoseRunner(onnx_file, threads=0)


def _run_tool(*args, timeout=120):
    return subprocess.run([sys.executable, TOOL, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_benchmark_tool(tmp_path):
    out, md = tmp_path / 'tmp.json', tmp_path / 'tmp.md'
    proc = _run_tool('--models', 'efficientpose-a', 'rtmpose-t',
                     '--repeats', '2', '--warmup', '1', '--batch-sizes',
                     '1', '--out', str(out), '--markdown', str(md))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report['settings']['reference'] == 'rtmpose-t [pytorch]'
    assert report['checks_failed'] == []
    res = report['results']
    assert set(res) == {'efficientpose-a', 'rtmpose-t'}
    # both are deployed by default (RTMPose-t: SimCC outputs, tuple)
    for name in res:
        assert set(res[name]) == {
            'pytorch', 'fused', 'fused+cl', 'onnxrt', 'openvino'
        }
    assert res['rtmpose-t']['pytorch']['ratio_to_ref']['1'] == 1.0
    for name, variants in res.items():
        for variant, r in variants.items():
            t = r['timings']['1']
            assert t['repeats'] == 2 and t['median_ms'] > 0
            assert t['p90_ms'] >= t['median_ms'] > 0
            assert r['params'] > 0 and r['flops'] > 0
            if variant != 'pytorch':
                assert r['check']['ok']
    ep = res['efficientpose-a']
    assert 1.2e6 < ep['pytorch']['params'] < 1.4e6
    assert ep['fused']['params'] < ep['pytorch']['params']
    assert ep['fused']['check']['float64_heatmap_max_abs'] < 1e-9
    table = md.read_text()
    for name in ('efficientpose-a', 'rtmpose-t'):
        assert f'| {name} |' in table and f'| {name} |' in proc.stdout
    assert '| efficientpose-a | onnxrt |' in table
    assert '| efficientpose-a | openvino |' in table
    assert report['settings']['fastest']['efficientpose-a']['1'] in set(
        res['efficientpose-a'])


def test_benchmark_tool_unknown_model(tmp_path):
    proc = _run_tool('--models', 'efficientpose-z', '--out',
                     str(tmp_path / 'x.json'), timeout=60)
    assert proc.returncode != 0
    assert 'unknown model' in proc.stderr and 'efficientpose-a' in \
        proc.stderr
    assert not (tmp_path / 'x.json').exists()
