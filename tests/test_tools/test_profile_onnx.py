# Copyright (c) pose_nas contributors. All rights reserved.
"""tools/profile_onnx.py: node kinds read from the optimized graph and the
time shares of a profiled run."""
import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn as nn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'pose_nas_tools_profile_onnx',
        osp.join(REPO, 'tools', 'profile_onnx.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Block(nn.Module):
    """dense 3x3, depthwise 3x3, pointwise 1x1, deconv, pooling."""

    def __init__(self):
        super().__init__()
        self.dense = nn.Conv2d(3, 8, 3, padding=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pw = nn.Conv2d(8, 16, 1)
        self.up = nn.ConvTranspose2d(16, 4, 4, 2, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(self.up(self.pw(self.dw(self.dense(x)))))


def test_node_kinds_of_an_exported_graph(tmp_path):
    from pose_nas.deploy import export_onnx
    tool = _tool()
    path = export_onnx(Block(), str(tmp_path / 'b.onnx'), (1, 3, 16, 16))
    kinds = sorted(tool.node_kinds(path).values())
    assert kinds == ['deconv', 'dense conv', 'depthwise conv',
                     'other:MaxPool', 'pointwise conv']


@pytest.mark.parametrize('name', ['efficientpose-a'])
def test_profile_shares_sum_to_one(name, tmp_path):
    tool = _tool()
    args = tool.parse_args(['--models', name, '--runs', '3', '--warmup',
                            '1'])
    r = tool.profile_model(name, args, str(tmp_path))
    assert sum(r['share'].values()) == pytest.approx(1.0)
    # EfficientPose is inverted residuals: 1x1 and depthwise convs, two
    # deconvs in the head, one dense conv (the stem)
    assert r['nodes']['deconv'] == 2 and r['nodes']['dense conv'] == 1
    assert r['nodes']['pointwise conv'] > r['nodes']['depthwise conv'] > 10
    assert r['share']['pointwise conv'] > 0 and r['wall_median_ms'] > 0
    with pytest.raises(KeyError, match="unknown model 'nope'"):
        tool.profile_model('nope', args, str(tmp_path))
