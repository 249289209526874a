# Copyright (c) pose_nas contributors. All rights reserved.
"""Integer arguments of registered modules, hooks and datasets: a float, a
bool or a string where an integer is expected is rejected, never rounded
(``vector_dim=1.5`` must not become the scalar ``d = 1`` baseline)."""
import pytest
from bad_input_harness import Case, check, params

import pose_nas  # noqa: F401  (registers the modules)
from pose_nas.models.pnfs import NeuralFabric
from pose_nas.nas.derive_rules import derive_cell
from pose_nas.registry import DATASETS, HOOKS, MODELS
from pose_nas.utils.checks import check_int

COCO_META = dict(from_file='configs/_base_/datasets/coco.py')
CODEC = dict(type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16),
             sigma=2)
TINY_FABRIC = dict(channel_factor=2, num_hidden=1, num_layers=6,
                   num_kept_layers=3)


def _head(**kw):
    cfg = dict(type='PartFabricHead', in_channels=(8, 16, 24, 32),
               out_channels=17, parts=3, metainfo=COCO_META,
               fabric=dict(TINY_FABRIC), decoder=CODEC)
    for k, v in kw.items():
        if k.startswith('fabric_'):
            cfg['fabric'][k[len('fabric_'):]] = v
        else:
            cfg[k] = v
    return lambda tmp: MODELS.build(cfg)


def _model(type, **kw):
    base = dict(
        FabricBackbone=dict(channel_factor=2, stem_channels=8),
        EfficientPoseBackbone=dict(stages=((8, 1, 2), (16, 1, 2)),
                                   stem_channels=8, stem_out_channels=8),
        CellSearchBackbone=dict(stem_channels=4, channels=4,
                                layout=('normal', 'reduce'), num_nodes=2),
        HRNetPyramid=dict(),
        SlimDeconvHead=dict(in_channels=16, out_channels=17))[type]
    cfg = dict(base, type=type, **kw)
    return lambda tmp: MODELS.build(cfg)


def _hook(type, **kw):
    base = dict(
        DartsArchHook=dict(arch_dataloader=dict()),
        ReinforceControllerHook=dict(reward=dict()),
    ).get(type, {})
    cfg = dict(base, type=type, **kw)
    return lambda tmp: HOOKS.build(cfg)


class _Images:
    """A dataset of 4 images, one item each."""

    def __len__(self):
        return 4

    def get_data_info(self, idx):
        return dict(img_id=idx, img_path=f'/x/{idx}.jpg')

    def __getitem__(self, idx):
        return self.get_data_info(idx)


def _split(**kw):
    cfg = dict(type='HeldOutSplitDataset', dataset=_Images(), **kw)
    return lambda tmp: DATASETS.build(cfg)


INT = r'must be an integer'
CASES = [
    # -- PNFS ---------------------------------------------------------------
    Case('pnfs-head-float-vector-dim', _head(vector_dim=1.5),
         match=r'PartFabricHead: vector_dim must be an integer >= 1, got '
         r'1\.5 \(float\)', exc=ValueError),
    Case('pnfs-head-integral-float-vector-dim', _head(vector_dim=8.0),
         match=r'vector_dim must be an integer.*8\.0 \(float\)',
         exc=ValueError),
    Case('pnfs-head-str-vector-dim', _head(vector_dim='8'),
         match=r"vector_dim must be an integer.*'8' \(str\)", exc=ValueError),
    Case('pnfs-head-bool-vector-dim', _head(vector_dim=True),
         match=r'vector_dim must be an integer.*True \(bool\)',
         exc=ValueError),
    Case('pnfs-head-zero-vector-dim', _head(vector_dim=0),
         match=r'vector_dim must be an integer >= 1, got 0', exc=ValueError),
    Case('pnfs-head-float-out-channels', _head(out_channels=17.0),
         match=f'PartFabricHead: out_channels {INT}', exc=ValueError),
    Case('pnfs-head-float-in-channels', _head(in_channels=(8, 16.5, 24, 32)),
         match=rf'PartFabricHead: in_channels\[1\] {INT}', exc=ValueError),
    Case('pnfs-head-float-channel-factor', _head(fabric_channel_factor=2.5),
         match=f'NeuralFabric: channel_factor {INT}', exc=ValueError),
    Case('pnfs-head-float-num-hidden', _head(fabric_num_hidden=1.5),
         match=f'NeuralFabric: num_hidden {INT}', exc=ValueError),
    Case('pnfs-head-float-num-layers', _head(fabric_num_layers=6.0),
         match=f'NeuralFabric: num_layers {INT}', exc=ValueError),
    Case('pnfs-head-float-num-kept-layers', _head(fabric_num_kept_layers=2.5),
         match=f'NeuralFabric: num_kept_layers {INT}', exc=ValueError),
    Case('neural-fabric-bool-num-hidden',
         lambda tmp: NeuralFabric(channel_factor=2, num_hidden=True),
         match=f'NeuralFabric: num_hidden {INT}', exc=ValueError),
    Case('fabric-backbone-float-channel-factor',
         _model('FabricBackbone', channel_factor=2.5),
         match=f'FabricBackbone: channel_factor {INT}', exc=ValueError),
    Case('fabric-backbone-float-num-kept-layers',
         _model('FabricBackbone', num_kept_layers=3.0),
         match=f'FabricBackbone: num_kept_layers {INT}', exc=ValueError),
    Case('fabric-backbone-float-stem-channels',
         _model('FabricBackbone', stem_channels=8.5),
         match=f'FabricBackbone: stem_channels {INT}', exc=ValueError),
    Case('fabric-backbone-float-out-index',
         _model('FabricBackbone', out_indices=(0, 1.0)),
         match=rf'FabricBackbone: out_indices\[1\] {INT}', exc=ValueError),
    # -- EfficientPose ------------------------------------------------------
    Case('efficientpose-float-blocks',
         _model('EfficientPoseBackbone', stages=((8, 1.5, 2), )),
         match=rf'EfficientPoseBackbone: stages\[0\]\[1\] {INT}',
         exc=ValueError),
    Case('efficientpose-stage-not-a-triple',
         _model('EfficientPoseBackbone', stages=((8, 1), )),
         match=r'EfficientPoseBackbone: stages\[0\] must be', exc=ValueError),
    Case('efficientpose-float-stem',
         _model('EfficientPoseBackbone', stem_channels=8.5),
         match=f'EfficientPoseBackbone: stem_channels {INT}', exc=ValueError),
    Case('efficientpose-str-stem-out',
         _model('EfficientPoseBackbone', stem_out_channels='8'),
         match=f'EfficientPoseBackbone: stem_out_channels {INT}',
         exc=ValueError),
    Case('slim-head-float-deconv',
         _model('SlimDeconvHead', deconv_out_channels=(64, 32.5)),
         match=rf'SlimDeconvHead: deconv_out_channels\[1\] {INT}',
         exc=ValueError),
    Case('slim-head-float-kernel',
         _model('SlimDeconvHead', sic_kernel_size=3.0),
         match=f'SlimDeconvHead: sic_kernel_size {INT}', exc=ValueError),
    Case('slim-head-float-in-channels',
         _model('SlimDeconvHead', in_channels=16.0),
         match=f'SlimDeconvHead: in_channels {INT}', exc=ValueError),
    # -- cell space, HRNet --------------------------------------------------
    Case('cell-backbone-float-num-nodes',
         _model('CellSearchBackbone', num_nodes=2.0),
         match=f'CellSearchBackbone: num_nodes {INT}', exc=ValueError),
    Case('cell-backbone-float-channels',
         _model('CellSearchBackbone', channels=4.5),
         match=f'CellSearchBackbone: channels {INT}', exc=ValueError),
    Case('cell-backbone-float-derive-k',
         _model('CellSearchBackbone', derive_k=1.5),
         match=f'CellSearchBackbone: derive_k {INT}', exc=ValueError),
    Case('derive-cell-float-k',
         lambda tmp: derive_cell(
             __import__('torch').zeros(3, 2), ['none', 'skip_connect'], 1,
             2, k=1.5),
         match=f'k {INT}', exc=ValueError),
    Case('hrnet-float-frozen-stages',
         _model('HRNetPyramid', frozen_stages=1.5),
         match=f'HRNetPyramid: frozen_stages {INT}', exc=ValueError),
    Case('hrnet-float-in-channels', _model('HRNetPyramid', in_channels=3.0),
         match=f'HRNetPyramid: in_channels {INT}', exc=ValueError),
    # -- hooks --------------------------------------------------------------
    Case('darts-float-order', _hook('DartsArchHook', order=1.0),
         match=f'DartsArchHook: order {INT}', exc=ValueError),
    Case('darts-float-interval', _hook('DartsArchHook', interval=1.5),
         match=f'DartsArchHook: interval {INT} >= 1', exc=ValueError),
    Case('darts-float-warmup-epochs', _hook('DartsArchHook',
                                            warmup_epochs=0.5),
         match=f'DartsArchHook: warmup_epochs {INT} >= 0', exc=ValueError),
    Case('darts-negative-warmup-iters', _hook('DartsArchHook',
                                              warmup_iters=-1),
         match=r'DartsArchHook: warmup_iters must be an integer >= 0',
         exc=ValueError),
    Case('random-float-seed', _hook('RandomArchHook', seed=1.5),
         match=f'RandomArchHook: seed {INT}', exc=ValueError),
    Case('reinforce-float-samples',
         _hook('ReinforceControllerHook', samples_per_update=2.5),
         match=f'ReinforceControllerHook: samples_per_update {INT}',
         exc=ValueError),
    Case('reinforce-zero-updates',
         _hook('ReinforceControllerHook', updates_per_epoch=0),
         match=f'ReinforceControllerHook: updates_per_epoch {INT} >= 1',
         exc=ValueError),
    Case('reinforce-float-start-epoch',
         _hook('ReinforceControllerHook', start_epoch=0.5),
         match=f'ReinforceControllerHook: start_epoch {INT}', exc=ValueError),
    Case('reinforce-bool-derive-samples',
         _hook('ReinforceControllerHook', derive_samples=True),
         match=f'ReinforceControllerHook: derive_samples {INT}',
         exc=ValueError),
    Case('reinforce-float-seed',
         _hook('ReinforceControllerHook', seed=0.5),
         match=f'ReinforceControllerHook: seed {INT}', exc=ValueError),
    Case('genotype-logger-float-interval',
         _hook('GenotypeLoggerHook', interval=0.5),
         match=f'GenotypeLoggerHook: interval {INT}', exc=ValueError),
    Case('gumbel-float-hard-from',
         _hook('GumbelTemperatureHook', hard_from=1.5),
         match=f'GumbelTemperatureHook: hard_from {INT}', exc=ValueError),
    # -- held-out split -----------------------------------------------------
    Case('heldout-float-seed', _split(seed=1.5),
         match=f'HeldOutSplitDataset: seed {INT} >= 0', exc=ValueError),
    Case('heldout-str-ratio', _split(heldout_ratio='0.3'),
         match=r"HeldOutSplitDataset: heldout_ratio must be a finite "
         r"number.*'0\.3'",
         exc=ValueError),
    Case('heldout-nan-ratio', _split(heldout_ratio=float('nan')),
         match=r'heldout_ratio must be a finite number.*nan', exc=ValueError),
    Case('heldout-one-ratio', _split(heldout_ratio=1),
         match=r'heldout_ratio must be in \(0, 1\)', exc=ValueError),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_model_arg(case, tmp_path):
    check(case, tmp_path)


def test_check_int():
    import numpy as np
    assert check_int(3, 'x') == 3 and type(check_int(np.int64(3), 'x')) is int
    assert check_int(0, 'x', minimum=0) == 0
    for bad in (1.5, 2.0, True, '2', None, np.float32(2)):
        with pytest.raises(ValueError, match='x must be an integer'):
            check_int(bad, 'x')
    with pytest.raises(ValueError, match=r'x must be an integer >= 1, got 0'):
        check_int(0, 'x', minimum=1)
