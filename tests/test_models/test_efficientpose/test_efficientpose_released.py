# Copyright (c) pose_nas contributors. All rights reserved.
"""The released EfficientPose A/B/C.

The genotype files ``configs/efficientpose/genotypes/efficientpose_*.json``
are the one source of truth: the shipped configs read them, and
``tools/benchmark.py`` builds its models from those configs, so neither can
drift from the files.
"""
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.nas import load_genotype
from pose_nas.nas.ops import InvertedResidual
from pose_nas.registry import MODELS

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
GENOTYPE = osp.join(REPO, 'configs', 'efficientpose', 'genotypes',
                    'efficientpose_{}.json')
CONFIGS = (
    'configs/efficientpose/'
    'td-hm_efficientpose-{}_slimdeconv_2xb64-240e_coco-256x192.py',
    'configs/efficientpose/'
    'td-hm_efficientpose-{}_slimdeconv_1xb64-200e_mpii-256x256.py',
)

#: the paper's layouts (EfficientPose, Zhang et al., Computational Visual
#: Media 2021): stem width, (width, blocks, first stride) per stage
PAPER = dict(
    a=(16, ((24, 4, 2), (32, 6, 2), (64, 8, 2), (96, 8, 1))),
    b=(24, ((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1))),
    c=(24, ((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1))),
)


def _benchmark_tool():
    spec = importlib.util.spec_from_file_location(
        'pose_nas_tools_benchmark', osp.join(REPO, 'tools', 'benchmark.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_backbone(backbone, ops, stem_out, stages):
    """The built backbone has the paper's layout and the file's ops."""
    assert backbone.genotype['blocks']['ops'] == ops
    assert [b.chosen for b in backbone.blocks] == ops
    assert backbone.stem[-1].num_features == stem_out
    assert [tuple(s) for s in backbone.stages] == [tuple(s) for s in stages]
    i = 0
    for width, n, stride in stages:
        for j in range(n):
            block, op = backbone.blocks[i], ops[i]
            assert block.C_out == width
            assert block.stride == (stride if j == 0 else 1)
            module = block.ops[0]
            if op == 'skip_connect':
                assert not isinstance(module, InvertedResidual)
            else:
                k, e = int(op[4]), int(op[7])  # 'ir_k{k}_e{e}'
                assert isinstance(module, InvertedResidual)
                assert (module.kernel_size, module.expand_ratio) == (k, e)
                assert module.project[0].out_channels == width
            i += 1
    assert i == len(backbone.blocks)


@pytest.mark.parametrize('name', ['a', 'b', 'c'])
def test_genotype_files_have_the_paper_layout(name):
    genotype = load_genotype(GENOTYPE.format(name))
    stem_out, stages = PAPER[name]
    ops = genotype['blocks']['ops']
    assert genotype.space == 'EfficientPoseBackbone'
    assert len(ops) == sum(n for _, n, _ in stages)
    # skip only where a block keeps its shape (never a stage's first block)
    starts = [sum(n for _, n, _ in stages[:k]) for k in range(len(stages))]
    assert all(ops[i] != 'skip_connect' for i in starts)
    assert all(op == 'skip_connect' or op.startswith('ir_k') for op in ops)
    assert [tuple(s) for s in genotype.meta['stages']] == list(stages)
    assert genotype.meta['stem_out_channels'] == stem_out


@pytest.mark.parametrize('name', ['a', 'b', 'c'])
@pytest.mark.parametrize('config', CONFIGS)
def test_shipped_configs_read_the_genotype_files(name, config):
    cfg = Config.fromfile(osp.join(REPO, config.format(name)))
    backbone_cfg = cfg.model.backbone
    assert osp.samefile(backbone_cfg.genotype, GENOTYPE.format(name))
    stem_out, stages = PAPER[name]
    assert cfg.model.head.in_channels == stages[-1][0]
    init_default_scope('mmpose')
    backbone = MODELS.build(backbone_cfg)
    ops = load_genotype(GENOTYPE.format(name))['blocks']['ops']
    _check_backbone(backbone, ops, stem_out, stages)
    assert not any('arch_' in n for n, _ in backbone.named_parameters())
    if config is CONFIGS[0]:
        backbone.eval()
        with torch.no_grad():
            y = backbone(torch.randn(1, 3, 256, 192))[0]
        assert y.shape == (1, backbone.out_channels, 16, 12)


@pytest.mark.parametrize('name', ['a', 'b', 'c'])
def test_benchmark_builds_the_shipped_configs(name):
    """What tools/benchmark.py times is the shipped COCO config's model."""
    bench = _benchmark_tool()
    key = f'efficientpose-{name}'
    path = osp.join(REPO, CONFIGS[0].format(name))
    assert osp.samefile(bench.efficientpose_config_path(key), path)
    model, source = bench.build_model(key)
    assert source == CONFIGS[0].format(name)

    init_default_scope('mmpose')
    reference = MODELS.build(Config.fromfile(path).model)
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    want = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    assert got == want
    assert type(model.backbone) is type(reference.backbone)
    assert type(model.head) is type(reference.head)
    stem_out, stages = PAPER[name]
    ops = load_genotype(GENOTYPE.format(name))['blocks']['ops']
    _check_backbone(model.backbone, ops, stem_out, stages)
