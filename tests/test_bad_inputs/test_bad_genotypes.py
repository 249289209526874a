# Copyright (c) pose_nas contributors. All rights reserved.
"""Bad genotypes and non-finite architectures: clear errors.

Every number of a genotype is checked (finite, typed, in range) where the
genotype is read, and every architecture parameter is checked finite
before a genotype is derived from it.
"""
import copy
import math
import os.path as osp

import pytest
import torch
from bad_input_harness import REPO, Case, check, params, tool

from pose_nas.apis.derive import derive_genotypes
from pose_nas.models.common import CellSearchBackbone
from pose_nas.models.efficientpose import EfficientPoseBackbone
from pose_nas.models.pnfs import NeuralFabric
from pose_nas.nas.cost import project_to_budget
from pose_nas.nas.derive_rules import (derive_cell, derive_chain,
                                       derive_continuous, derive_decisions)
from pose_nas.nas.genotype import Genotype, GenotypeError
from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import MODELS

COCO_META = dict(from_file='configs/_base_/datasets/coco.py')
TINY_FABRIC = dict(channel_factor=2, num_hidden=1, num_layers=6,
                   num_kept_layers=3)
CELL = dict(stem_channels=4, channels=4, layout=('normal', 'reduce'),
            num_nodes=2)
OPS = ['none', 'skip_connect', 'sep_conv_3x3']


def _fabric_comps(num_hidden=1):
    """The components of a tiny subnetwork fabric (no weight pruned)."""
    return copy.deepcopy(
        NeuralFabric(channel_factor=2, num_hidden=num_hidden)
        .derive_components(prune_below=0.0))


def _fabric_with(component, row, col, value):
    def run(tmp):
        comps = _fabric_comps()
        comps[component]['weights'][row][col] = value
        return NeuralFabric(channel_factor=2, genotype=comps)
    return run


def _fabric_with_rows(component, rows, num_hidden=1):
    def run(tmp):
        comps = _fabric_comps(num_hidden)
        for r in rows:
            w = comps[component]['weights'][r]
            comps[component]['weights'][r] = [0.0] * len(w)
        return NeuralFabric(channel_factor=2, num_hidden=num_hidden,
                            genotype=comps)
    return run


def _genotype(**components):
    return lambda tmp: Genotype(space='X', components=components)


def _continuous(weights):
    return dict(type='continuous', candidates=['skip_connect', 'none'],
                weights=weights)


def _cell_genotype(**depth):
    """A CellSearchBackbone genotype with ``depth`` values replaced."""
    sup = CellSearchBackbone(searchable_depth=True, **CELL)
    g = sup.derive_genotype().to_dict()
    g['components']['depth'].update(depth)
    return lambda tmp: CellSearchBackbone(searchable_depth=True,
                                          genotype=g, **CELL)


def _nan_(param, index=0):
    with torch.no_grad():
        param.view(-1)[index] = float('nan')


def _pnfs_head_nan(tmp):
    head = MODELS.build(
        dict(type='PartFabricHead', in_channels=(8, 16, 24, 32),
             out_channels=17, parts=3, metainfo=COCO_META,
             fabric=TINY_FABRIC,
             decoder=dict(type='MSRAHeatmap', input_size=(48, 64),
                          heatmap_size=(12, 16), sigma=2)))
    _nan_(head.branches[head.part_names[1]].fabric.arch_alpha, 3)
    return derive_genotypes(head, {})


def _efficientpose_nan(tmp):
    net = EfficientPoseBackbone(stages=((8, 1, 2), (16, 2, 2)),
                                stem_channels=8, stem_out_channels=8)
    _nan_(net.arch_alpha[2], 1)
    return ArchMutator(net).derive_genotypes()


def _efficientpose_inf(tmp):
    net = EfficientPoseBackbone(stages=((8, 1, 2), (16, 2, 2)),
                                stem_channels=8, stem_out_channels=8)
    with torch.no_grad():
        net.arch_alpha[1][0] = float('inf')
    return derive_genotypes(net, {})


def _efficientpose_nan_budget(tmp):
    net = EfficientPoseBackbone(stages=((8, 1, 2), (16, 2, 2)),
                                stem_channels=8, stem_out_channels=8)
    _nan_(net.arch_alpha[0], 0)
    return derive_genotypes(net, {}, budget=dict(target=1e6,
                                                 input_size=(32, 32)))


def _cell_space_nan(tmp):
    net = CellSearchBackbone(**CELL)
    _nan_(net.arch_alpha_reduce, 4)
    return derive_genotypes(net, {})


def _derive_tool_nan(tmp):
    """``tools/derive_arch.py`` on a search checkpoint whose logits are NaN
    (today: an all-skip genotype, exit 0)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = osp.join(REPO, 'configs/nas_engine',
                   'engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py')
    init_default_scope('mmpose')
    model = MODELS.build(Config.fromfile(cfg).model)
    _nan_(model.backbone.arch_alpha_normal, 2)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)),
               str(tmp / 'nan.pth'))
    return tool('derive_arch.py', cfg, tmp / 'nan.pth', '--out-dir',
                tmp / 'out')


def _logits(bad, shape=(5, 3)):
    x = torch.zeros(shape)
    x[1, 2] = bad
    return x


CASES = [
    # -- numbers in a continuous component (file / dict -> model) --------
    Case('continuous-nan-weight', _fabric_with('alpha', 0, 2, math.nan),
         match=r"'alpha'.*row 0.*column 2.*nan", exc=GenotypeError),
    Case('continuous-inf-weight', _fabric_with('beta', 1, 0, math.inf),
         match=r"'beta'.*row 1.*column 0.*inf", exc=GenotypeError),
    Case('continuous-str-weight', _fabric_with('alpha', 0, 1, '0.5'),
         match=r"'alpha'.*row 0.*column 1.*str", exc=GenotypeError),
    Case('continuous-bool-weight', _fabric_with('alpha', 0, 1, True),
         match=r"'alpha'.*row 0.*column 1.*bool", exc=GenotypeError),
    Case('continuous-none-weight', _fabric_with('beta', 2, 1, None),
         match=r"'beta'.*row 2.*column 1.*None", exc=GenotypeError),
    Case('continuous-negative-weight', _fabric_with('alpha', 0, 0, -0.1),
         match=r"'alpha'.*row 0.*column 0.*>= 0", exc=GenotypeError),
    Case('continuous-nan-weight-genotype-object',
         _genotype(w=_continuous([[0.5, math.nan]])),
         match=r"'w'.*row 0.*column 1", exc=GenotypeError),
    Case('continuous-ragged-weights',
         _genotype(w=_continuous([[0.5, 0.5], [1.0]])),
         match=r"'w'.*row 1", exc=GenotypeError),
    # -- all-zero rows: alpha is treated like beta -------------------------
    Case('all-zero-alpha-row', _fabric_with_rows('alpha', [1], 2),
         match=r"'alpha'.*row 1.*every weight zero", exc=GenotypeError),
    Case('all-zero-alpha', _fabric_with_rows('alpha', [0]),
         match=r"'alpha'.*every weight zero", exc=GenotypeError),
    Case('all-zero-beta-row-live-cell', _fabric_with_rows('beta', [5]),
         match='l5_s0 has every beta weight zero', exc=GenotypeError),
    # -- integers in cell / decisions components ---------------------------
    Case('float-decision-value', _cell_genotype(values=[1.0]),
         match=r"'depth'.*decision 0.*integer.*1\.0", exc=GenotypeError),
    Case('bool-decision-value', _cell_genotype(values=[True]),
         match=r"'depth'.*decision 0.*integer.*True", exc=GenotypeError),
    Case('float-decision-choices', _cell_genotype(choices=[2.5]),
         match=r"'depth'.*choices.*integer", exc=GenotypeError),
    Case('decision-out-of-range', _cell_genotype(values=[2]),
         match=r"'depth'.*decision 0 = 2.*out of range", exc=GenotypeError),
    Case('float-cell-source',
         _genotype(c=dict(type='cell', num_inputs=1,
                          nodes=[[['skip_connect', 0.0]]], concat=[1])),
         match=r"'c'.*node 0.*source.*integer", exc=GenotypeError),
    Case('str-cell-num-inputs',
         _genotype(c=dict(type='cell', num_inputs='1',
                          nodes=[[['skip_connect', 0]]], concat=[1])),
         match=r"'c'.*num_inputs.*integer", exc=GenotypeError),
    Case('chain-op-not-a-name',
         _genotype(c=dict(type='chain', ops=['skip_connect', 3])),
         match=r"'c'.*op 1.*3", exc=GenotypeError),
    # -- non-finite architecture logits: refuse to derive -----------------
    Case('derive-arch-tool-nan-checkpoint', _derive_tool_nan,
         match=r'derive_arch: error: .*backbone\.arch_alpha_normal has '
         r'NaN/Inf'),
    Case('pnfs-head-nan-logits', _pnfs_head_nan,
         match=r'arch_alpha.*NaN/Inf.*refusing to derive',
         exc=RuntimeError),
    Case('efficientpose-nan-logits', _efficientpose_nan,
         match=r'arch_alpha\.2 has NaN/Inf.*refusing to derive',
         exc=RuntimeError),
    Case('efficientpose-inf-logits', _efficientpose_inf,
         match=r'arch_alpha\.1 has NaN/Inf', exc=RuntimeError),
    Case('efficientpose-nan-logits-budget', _efficientpose_nan_budget,
         match=r'arch_alpha\.0 has NaN/Inf', exc=RuntimeError),
    Case('cell-space-nan-logits', _cell_space_nan,
         match=r'arch_alpha_reduce has NaN/Inf', exc=RuntimeError),
    Case('derive-cell-nan',
         lambda tmp: derive_cell(_logits(math.nan, (3, 3)), OPS, 1, 2,
                                 name='arch_alpha_normal'),
         match=r'arch_alpha_normal.*NaN/Inf.*row 1', exc=GenotypeError),
    Case('derive-chain-inf',
         lambda tmp: derive_chain(_logits(math.inf), OPS),
         match=r'NaN/Inf.*row 1', exc=GenotypeError),
    Case('derive-continuous-nan',
         lambda tmp: derive_continuous(_logits(math.nan), OPS),
         match=r'NaN/Inf.*row 1', exc=GenotypeError),
    Case('derive-continuous-nan-prune-below',
         lambda tmp: derive_continuous(torch.zeros(2, 3), OPS,
                                       prune_below=math.nan),
         match='prune_below', exc=ValueError),
    Case('derive-continuous-prunes-a-whole-row',
         lambda tmp: derive_continuous(torch.zeros(2, 3), OPS,
                                       prune_below=0.5),
         match=r'prune_below=0\.5 .*row 0', exc=GenotypeError),
    Case('derive-decisions-float',
         lambda tmp: derive_decisions([1, 0.5], [2, 2]),
         match=r'decision 1.*integer', exc=GenotypeError),
    Case('budget-projection-nan',
         lambda tmp: project_to_budget(
             [torch.zeros(3), torch.tensor([0.0, math.nan])],
             [torch.ones(3), torch.ones(2)], 0.0, 2.0),
         match=r'position 1.*NaN/Inf', exc=ValueError),
    Case('budget-projection-nan-target',
         lambda tmp: project_to_budget([torch.zeros(3)], [torch.ones(3)],
                                       0.0, math.nan),
         match='target', exc=ValueError),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_genotype(case, tmp_path):
    check(case, tmp_path)


def test_good_genotypes_still_build():
    """Zero weights in some columns, -inf-free logits: unchanged."""
    comps = _fabric_comps()
    comps['alpha']['weights'][0][1] = 0.0
    NeuralFabric(channel_factor=2, genotype=comps)
    # an edge whose only weight is on 'none' is a pruned edge, not an error
    comps['alpha']['weights'][0] = [1.0, 0.0, 0.0, 0.0]
    NeuralFabric(channel_factor=2, genotype=comps)
    net = CellSearchBackbone(searchable_depth=True, **CELL)
    assert ArchMutator(net).derive_genotypes()['']['depth']['values'] == [1]


def test_picture_as_genotype_file_is_a_clear_error(tmp_path):
    """A derived config whose ``genotype=`` points at a picture."""
    from pose_nas.nas.genotype import GenotypeError, load_genotype
    png = tmp_path / 'genotype.json'
    png.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe')
    with pytest.raises(GenotypeError, match='is not a text file'):
        load_genotype(str(png))
