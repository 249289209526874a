# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS head: part-specific neural fabrics + vector in pixel."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import MSRAHeatmap
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.structures import PoseDataSample

from pose_nas.models.common import HRNetPyramid
from pose_nas.models.pnfs import (COCO_KEYPOINTS, PartFabricHead,
                                  build_fabric, keypoint_names_from_metainfo,
                                  squash_score)
from pose_nas.nas.arch import (SearchableMixin, arch_parameters,
                               find_searchable)
from pose_nas.nas.genotype import Genotype, GenotypeError
from pose_nas.registry import MODELS

COCO_META = dict(from_file='configs/_base_/datasets/coco.py')
MPII_META = dict(from_file='configs/_base_/datasets/mpii.py')
CODEC = dict(type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16),
             sigma=2)
IN_CHANNELS = (8, 16, 24, 32)  # C=2 fabric: 8, 16, 32, 64 -> 2 projections
TINY_FABRIC = dict(channel_factor=2, num_hidden=1, num_layers=6,
                   num_kept_layers=3)
SIZES = [(16, 12), (8, 6), (4, 3), (2, 2)]  # a 64x48 input's pyramid


def _feats(n=2, in_channels=IN_CHANNELS, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(n, c, h, w, generator=g)
        for c, (h, w) in zip(in_channels, SIZES))


def _head(parts=3, metainfo=COCO_META, out_channels=17, **kw):
    kw.setdefault('fabric', TINY_FABRIC)
    return PartFabricHead(in_channels=IN_CHANNELS, out_channels=out_channels,
                          parts=parts, metainfo=metainfo, decoder=CODEC, **kw)


def _flip_indices(metainfo):
    from pose_nas.models.pnfs.body_parts import load_pose_metainfo
    return load_pose_metainfo(metainfo)['flip_indices']


def _samples(n=2, k=17, seed=0, weights=None, metainfo=COCO_META):
    """Data samples with MSRA Gaussian targets of random keypoints."""
    rng = np.random.RandomState(seed)
    codec = MSRAHeatmap(input_size=(48, 64), heatmap_size=(12, 16), sigma=2)
    flip = _flip_indices(metainfo)
    samples = []
    for _ in range(n):
        kpts = rng.uniform([6, 6], [42, 58], size=(1, k, 2)).astype(
            np.float32)
        enc = codec.encode(kpts, np.ones((1, k), dtype=np.float32))
        s = PoseDataSample()
        s.gt_fields = PixelData(
            heatmaps=torch.from_numpy(enc['heatmaps']).float())
        w = torch.ones(1, k) if weights is None else weights.clone()
        s.gt_instance_labels = InstanceData(keypoint_weights=w)
        s.gt_instances = InstanceData(
            bboxes=np.array([[0, 0, 48, 64]], dtype=np.float32),
            bbox_scores=np.ones(1, dtype=np.float32))
        s.set_metainfo(
            dict(flip_indices=flip, input_size=(48, 64),
                 input_center=np.array([24., 32.]),
                 input_scale=np.array([48., 64.])))
        samples.append(s)
    return samples


def _randomize_arch(head, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in arch_parameters(head):
            p.copy_(torch.randn(p.shape, generator=g))



@pytest.fixture(autouse=True, scope='module')
def _single_thread():
    """These tensors are tiny: one intra-op thread is fastest and avoids
    thread contention slowing the tests by orders of magnitude on a busy
    2-core machine (measured: 0.02 s vs 5-13 s per step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

# --------------------------------------------------------------------------
# squash
# --------------------------------------------------------------------------
def test_squash_values_and_gradient():
    v = torch.tensor([[3., 4.], [0., 0.], [1., 0.]])
    torch.testing.assert_close(
        squash_score(v, dim=1), torch.tensor([25 / 26, 0., 0.5]))
    torch.manual_seed(0)
    v = torch.randn(5, 8, dtype=torch.float64, requires_grad=True)
    s = squash_score(v, dim=1)
    assert ((s >= 0) & (s < 1)).all()
    s.sum().backward()
    sq = (v.detach()**2).sum(1, keepdim=True)
    torch.testing.assert_close(v.grad, 2 * v.detach() / (1 + sq)**2)
    assert torch.autograd.gradcheck(lambda x: squash_score(x, dim=1), (v, ))
    zero = torch.zeros(3, 8, requires_grad=True)
    squash_score(zero, dim=1).sum().backward()
    assert torch.isfinite(zero.grad).all() and (zero.grad == 0).all()
    # large vectors saturate below 1
    assert squash_score(torch.full((1, 8), 1e3), dim=1).item() < 1


# --------------------------------------------------------------------------
# structure and shapes
# --------------------------------------------------------------------------
@pytest.mark.parametrize('dataset,metainfo,k', [('coco', COCO_META, 17),
                                                ('mpii', MPII_META, 16)])
@pytest.mark.parametrize('p', [1, 3, 5, 8])
def test_shapes_for_every_preset(dataset, metainfo, k, p):
    head = _head(parts=p, metainfo=metainfo, out_channels=k)
    assert head.dataset_name == dataset and len(head.part_names) == p
    assert len(head.branches) == p
    for name, idx in head.parts:
        assert head.branches[name].final_layer[1].out_channels == \
            len(idx) * 8
    out = head.forward(_feats())
    assert out.shape == (2, k, 16, 12)
    assert (out >= 0).all() and torch.isfinite(out).all()
    names = [n for n, _ in arch_parameters_named(head)]
    assert sorted(names) == sorted(
        f'branches.{part}.fabric.arch_{a}' for part in head.part_names
        for a in ('alpha', 'beta'))


def arch_parameters_named(model):
    from pose_nas.nas.arch import named_arch_parameters
    return list(named_arch_parameters(model))


def test_projections_skip_matching_levels():
    head = _head()
    proj = head.branches['head'].projections
    fabric = head.branches['head'].fabric
    assert list(fabric.in_channels) == [8, 16, 32, 64]
    assert isinstance(proj[0], nn.Identity) and isinstance(proj[1],
                                                           nn.Identity)
    assert (proj[2].in_channels, proj[2].out_channels) == (24, 32)
    assert (proj[3].in_channels, proj[3].out_channels) == (32, 64)
    assert proj[3].kernel_size == (1, 1)
    # every part has its own projections and fabric
    other = head.branches['upper_limb']
    assert other.projections[2] is not proj[2]
    assert other.fabric is not fabric
    # registered, searchable, metainfo names
    assert MODELS.get('PartFabricHead') is PartFabricHead
    assert isinstance(head, SearchableMixin)
    assert list(find_searchable(nn.Sequential(head))) == ['0']
    assert head.keypoint_names == list(COCO_KEYPOINTS)


def test_vector_layout_and_placement():
    """channel ``j * d + k`` = component k of joint j's vector; the score of
    part joint j lands on its dataset index."""
    head = _head(parts=3, vector_dim=4)
    torch.manual_seed(0)
    for name, idx in head.parts:
        conv = head.branches[name].final_layer[1]
        with torch.no_grad():
            conv.weight.zero_()
            conv.bias.copy_(torch.randn(conv.out_channels))
    out = head.forward(_feats())
    for name, idx in head.parts:
        b = head.branches[name].final_layer[1].bias.detach()
        for j, kpt in enumerate(idx):
            vec = b[j * 4:(j + 1) * 4]
            expect = (vec**2).sum() / (1 + (vec**2).sum())
            torch.testing.assert_close(out[:, kpt], expect.expand(2, 16, 12))
    vectors = head.part_vectors(_feats())
    assert vectors['head'].shape == (2, 5, 4, 16, 12)


def test_part_summation():
    """COCO P=8: an elbow is in its upper-arm and lower-arm parts."""
    head = _head(parts=8)
    head.eval()
    feats = _feats()
    elbow = COCO_KEYPOINTS.index('left_elbow')
    shoulder = COCO_KEYPOINTS.index('left_shoulder')
    with torch.no_grad():
        out = head.forward(feats)
        scores = head.part_scores(feats)
    parts = dict(head.parts)
    up = scores['left_upper_arm'][:, parts['left_upper_arm'].index(elbow)]
    low = scores['left_lower_arm'][:, parts['left_lower_arm'].index(elbow)]
    torch.testing.assert_close(out[:, elbow], up + low)
    # every joint: the sum over its parts
    for k in range(17):
        expect = sum(scores[n][:, idx.index(k)] for n, idx in head.parts
                     if k in idx)
        torch.testing.assert_close(out[:, k], expect)
    # zero one part's output layer: its share disappears
    conv = head.branches['left_upper_arm'].final_layer[1]
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
        out2 = head.forward(feats)
    torch.testing.assert_close(out2[:, elbow], low)
    # the shoulder is in head_shoulder and left_upper_arm
    hs = scores['head_shoulder'][:, parts['head_shoulder'].index(shoulder)]
    torch.testing.assert_close(out2[:, shoulder], hs)
    torch.testing.assert_close(out2[:, COCO_KEYPOINTS.index('left_wrist')],
                               out[:, COCO_KEYPOINTS.index('left_wrist')])


def test_scalar_baseline_d1():
    head = _head(vector_dim=1)
    assert head.squash is False
    feats = _feats()
    out = head.forward(feats)
    raw = head.branches['head'](feats)  # (N, 5, H, W) plain conv output
    torch.testing.assert_close(out[:, :5], raw)
    assert (out < 0).any()  # no squash: a plain heatmap
    squashed = _head(vector_dim=1, squash=True)
    out = squashed.forward(feats)
    assert ((out >= 0) & (out < 3)).all()
    with pytest.raises(ValueError, match='squash=False needs vector_dim=1'):
        _head(vector_dim=8, squash=False)
    with pytest.raises(ValueError, match='vector_dim'):
        _head(vector_dim=0)


# --------------------------------------------------------------------------
# loss / predict
# --------------------------------------------------------------------------
def test_loss_falls_on_a_fixed_target():
    torch.manual_seed(0)
    head = _head(parts=3)
    feats = _feats()
    samples = _samples()
    opt = torch.optim.Adam(head.parameters(), lr=3e-3)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        out = head.loss(feats, samples)
        out['loss_kpt'].backward()
        opt.step()
        losses.append(out['loss_kpt'].item())
    assert 'acc_pose' in out
    assert losses[-1] < 0.5 * losses[0], losses


def test_output_conv_starts_small_but_not_zero():
    """The initial vectors are short: scores far from the squash's
    saturation, but not exactly zero (where it has no gradient)."""
    torch.manual_seed(0)
    head = _head(parts=3)
    for branch in head.branches.values():
        conv = branch.final_layer[1]
        assert 0.005 < float(conv.weight.std()) < 0.015
        assert torch.count_nonzero(conv.bias) == 0
    with torch.no_grad():
        scores = head.forward(_feats())
    assert 0 < float(scores.mean()) and float(scores.max()) < 0.5
    # the std is configurable
    wide = _head(parts=3, final_init_std=0.1)
    assert float(wide.branches['head'].final_layer[1].weight.std()) > 0.05


def test_predict_flip_test_and_decode():
    torch.manual_seed(0)
    head = _head(parts=5)
    head.eval()
    feats, feats_flip = _feats(seed=0), _feats(seed=1)
    samples = _samples()
    with torch.no_grad():
        preds, fields = head.predict([feats, feats_flip], samples,
                                     test_cfg=dict(flip_test=True,
                                                   output_heatmaps=True))
        manual = (head.forward(feats) + flip_heatmaps(
            head.forward(feats_flip), flip_mode='heatmap',
            flip_indices=samples[0].metainfo['flip_indices'],
            shift_heatmap=False)) * 0.5
    assert len(preds) == 2 and len(fields) == 2
    assert preds[0].keypoints.shape == (1, 17, 2)
    assert preds[0].keypoint_scores.shape == (1, 17)
    assert fields[0].heatmaps.shape == (17, 16, 12)
    torch.testing.assert_close(torch.stack([f.heatmaps for f in fields]),
                               manual)
    # decoding is the codec's
    codec = MSRAHeatmap(input_size=(48, 64), heatmap_size=(12, 16), sigma=2)
    kpts, scores = codec.decode(manual[0].numpy())
    np.testing.assert_allclose(preds[0].keypoints, kpts, rtol=1e-5)
    np.testing.assert_allclose(preds[0].keypoint_scores, scores, rtol=1e-5)
    # without flip
    with torch.no_grad():
        plain = head.predict(feats, samples)
    assert plain[0].keypoints.shape == (1, 17, 2)


# --------------------------------------------------------------------------
# genotype
# --------------------------------------------------------------------------
def test_genotype_round_trip(tmp_path):
    torch.manual_seed(0)
    head = _head(parts=3)
    _randomize_arch(head)
    g = head.derive_genotype(prune_below=0, epoch=3)
    assert isinstance(g, Genotype) and g.space == 'PartFabricHead'
    assert sorted(g.components) == sorted(
        f'{p}/{k}' for p in ('head', 'upper_limb', 'lower_limb')
        for k in ('alpha', 'beta'))
    assert g.meta['parts'][0] == ['head', list(COCO_KEYPOINTS[:5])]
    assert g.meta['vector_dim'] == 8 and g.meta['epoch'] == 3
    assert g.meta['fabric']['head']['channel_factor'] == 2
    path = g.dump(osp.join(str(tmp_path), 'pnfs.json'))

    for source in (g, path, g.to_dict()):
        derived = _head(parts=3, genotype=source)
        assert derived.derived and not arch_parameters(derived)
        assert derived.derive_genotype() is derived.genotype
        state = {k: v for k, v in head.state_dict().items()
                 if 'arch_' not in k}
        missing, unexpected = derived.load_state_dict(state, strict=False)
        assert not missing and not unexpected
        head.eval()
        derived.eval()
        feats = _feats()
        with torch.no_grad():
            torch.testing.assert_close(derived.forward(feats),
                                       head.forward(feats))

    # pruning drops ops from the derived net
    pruned = _head(parts=3, genotype=head.derive_genotype(prune_below=0.3))
    n_full = sum(p.numel() for p in derived.parameters())
    assert sum(p.numel() for p in pruned.parameters()) < n_full


def test_arch_state_and_labels():
    head = _head(parts=3)
    state = head.arch_state()
    assert sorted(state) == sorted(
        f'{p}/arch_{k}' for p in head.part_names for k in ('alpha', 'beta'))
    torch.testing.assert_close(state['head/arch_beta'].sum(-1),
                               torch.ones(6))
    labels = head.arch_labels()
    assert labels['branches.head.fabric.arch_alpha'] == \
        head.branches['head'].fabric.candidates
    assert len(labels['branches.lower_limb.fabric.arch_beta']) == 3


def test_genotype_mismatch_errors():
    g3 = _head(parts=3).derive_genotype()
    with pytest.raises(GenotypeError, match=r'P=3.*P=5'):
        _head(parts=5, genotype=g3)
    other = Genotype(space='CellSearchBackbone', components=g3.components)
    with pytest.raises(GenotypeError, match='CellSearchBackbone'):
        _head(parts=3, genotype=other)
    # a genotype searched with H=1 does not fit an H=2 fabric
    with pytest.raises(GenotypeError, match="part 'head'"):
        _head(parts=3, genotype=g3,
              fabric=dict(TINY_FABRIC, num_hidden=2))
    # explicit parts with other names
    parts = [dict(name='all', keypoints=list(COCO_KEYPOINTS))]
    with pytest.raises(GenotypeError, match=r"\['all'\]"):
        _head(parts=parts, genotype=g3)


# --------------------------------------------------------------------------
# gradients
# --------------------------------------------------------------------------
def test_gradients_reach_each_parts_arch_params_only_through_its_joints():
    torch.manual_seed(0)
    head = _head(parts=3)
    _randomize_arch(head, seed=1)
    feats = _feats()
    head.loss(feats, _samples())['loss_kpt'].backward()
    for name in head.part_names:
        fab = head.branches[name].fabric
        assert fab.arch_alpha.grad is not None
        assert fab.arch_alpha.grad.abs().sum() > 0, name
        assert fab.arch_beta.grad.abs().sum() > 0, name
    head.zero_grad(set_to_none=True)
    w = torch.zeros(1, 17)
    w[0, :5] = 1  # only the head part's joints (nose .. right_ear)
    head.loss(feats, _samples(weights=w))['loss_kpt'].backward()
    fab = head.branches['head'].fabric
    assert fab.arch_alpha.grad.abs().sum() > 0
    assert fab.arch_beta.grad.abs().sum() > 0
    for name in ('upper_limb', 'lower_limb'):
        fab = head.branches[name].fabric
        for p in (fab.arch_alpha, fab.arch_beta):
            assert p.grad is None or (p.grad == 0).all(), name


# --------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------
def test_configuration_errors_and_options():
    with pytest.raises(ValueError, match='keypoint names'):
        PartFabricHead(in_channels=IN_CHANNELS, out_channels=17,
                       fabric=TINY_FABRIC)
    with pytest.raises(ValueError, match='out_channels=16'):
        _head(out_channels=16)
    with pytest.raises(ValueError, match='differ from the metainfo'):
        _head(keypoint_names=list(COCO_KEYPOINTS[::-1]))
    with pytest.raises(ValueError, match='sequence of widths'):
        PartFabricHead(in_channels=32, out_channels=17, metainfo=COCO_META)
    with pytest.raises(ValueError, match="keep='last'"):
        _head(fabric=dict(TINY_FABRIC, keep='first'))
    with pytest.raises(ValueError, match='unknown parts'):
        _head(part_fabric=dict(legs=dict(channel_factor=4)))
    with pytest.raises(ValueError, match="names joint 'tail'"):
        _head(parts=[dict(name='a', keypoints=['tail'])])
    with pytest.raises(ValueError, match='pyramid'):
        _head().forward(_feats()[:3])
    # keypoint_names alone (the dataset's preset table is inferred)
    names, _ = keypoint_names_from_metainfo(MPII_META)
    head = PartFabricHead(in_channels=IN_CHANNELS, out_channels=16,
                          parts='P5', keypoint_names=names,
                          fabric=TINY_FABRIC)
    assert head.parts[3] == ('thigh', [3, 2, 6])
    # per-part fabric overrides
    head = _head(part_fabric=dict(lower_limb=dict(channel_factor=3)))
    assert head.branches['lower_limb'].fabric.channels == [12, 24, 48, 96]
    assert head.branches['head'].fabric.channels == [8, 16, 32, 64]
    assert head.forward(_feats()).shape == (2, 17, 16, 12)
    # built from a config through the registry
    cfg = dict(type='PartFabricHead', in_channels=IN_CHANNELS,
               out_channels=17, parts=1, metainfo=COCO_META,
               fabric=TINY_FABRIC, decoder=CODEC)
    assert isinstance(MODELS.build(cfg), PartFabricHead)


class StubFabric(nn.Module):
    """A minimal subnetwork with the NeuralFabric interface."""

    def __init__(self, width=4, genotype=None):
        super().__init__()
        self.channels = [width, 2 * width, 4 * width, 8 * width]
        self.in_channels = list(self.channels)
        self.conv = nn.Conv2d(width, width, 1)
        self.genotype = genotype
        if genotype is None:
            self.arch_alpha = nn.Parameter(torch.zeros(1, 2))
            self.arch_beta = nn.Parameter(torch.zeros(1, 3))

    def forward(self, inputs):
        return [self.conv(inputs[0])]

    def genotype_spec(self):
        from pose_nas.nas.genotype_specs import continuous_spec
        return dict(alpha=continuous_spec((1, 2), ['none', 'skip_connect']),
                    beta=continuous_spec((1, 3), ['none', 'skip_connect',
                                                  'sep_conv_3x3']))


def test_subnetwork_factory():
    fab = build_fabric(dict(type=StubFabric, width=8))
    assert isinstance(fab, StubFabric) and fab.channels[0] == 8
    with pytest.raises(KeyError, match='not registered'):
        build_fabric(dict(type='NoSuchFabric'))
    head = _head(fabric=dict(type=StubFabric, width=8))
    assert isinstance(head.branches['head'].fabric, StubFabric)
    assert head.forward(_feats()).shape == (2, 17, 16, 12)


# --------------------------------------------------------------------------
# MMPose backbones / the pose estimator
# --------------------------------------------------------------------------
def _pyramid_channels(backbone, size=(64, 48)):
    backbone.eval()
    with torch.no_grad():
        outs = backbone(torch.randn(1, 3, *size))
    assert [tuple(o.shape[-2:]) for o in outs] == SIZES
    return tuple(o.shape[1] for o in outs), outs


@pytest.mark.parametrize('backbone', [
    dict(type='MobileNetV2', out_indices=(1, 2, 4, 7)),
    dict(type='MobileNetV2', out_indices=(1, 2, 4, 5)),
    dict(type='ResNet', depth=50, out_indices=(0, 1, 2, 3)),
])
def test_mmpose_backbone_pyramids_feed_the_head(backbone):
    channels, outs = _pyramid_channels(MODELS.build(backbone))
    head = PartFabricHead(in_channels=channels, out_channels=17, parts=3,
                          metainfo=COCO_META, fabric=TINY_FABRIC)
    with torch.no_grad():
        assert head.forward(outs).shape == (1, 17, 16, 12)


HRNET_TINY = dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                num_blocks=(1, ), num_channels=(8, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                num_blocks=(1, 1), num_channels=(8, 16)),
    stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                num_blocks=(1, 1, 1, 1), num_channels=(8, 16, 32, 64)))


def test_topdown_estimator_with_hrnet_pyramid():
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(type='PoseDataPreprocessor'),
            backbone=dict(type='HRNetPyramid', extra=HRNET_TINY),
            head=dict(
                type='PartFabricHead',
                in_channels=(8, 16, 32, 64),
                out_channels=17,
                parts=3,
                metainfo=COCO_META,
                fabric=TINY_FABRIC,
                decoder=CODEC),
            test_cfg=dict(flip_test=True, flip_mode='heatmap',
                          shift_heatmap=False)))
    assert isinstance(model.backbone, HRNetPyramid)
    # the C=2 fabric's widths equal the pyramid's: no projection at all
    assert all(isinstance(p, nn.Identity)
               for p in model.head.branches['head'].projections)
    model.init_weights()
    inputs = torch.randn(2, 3, 64, 48)
    losses = model(inputs, _samples(), mode='loss')
    assert set(losses) == {'loss_kpt', 'acc_pose'}
    losses['loss_kpt'].backward()
    assert all(p.grad is not None for p in arch_parameters(model))
    model.eval()
    with torch.no_grad():
        results = model(inputs, _samples(), mode='predict')
    assert results[0].pred_instances.keypoints.shape == (1, 17, 2)
    genotype = model.head.derive_genotype()
    cfg = copy.deepcopy(model.head.fabric_cfgs['head'])
    assert cfg['keep'] == 'last' and genotype.meta['fabric']['head'] == cfg
