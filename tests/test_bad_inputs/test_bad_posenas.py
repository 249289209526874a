# Copyright (c) pose_nas contributors. All rights reserved.
"""Bad PoseNAS genotypes and arguments: one-line errors naming the input."""
import copy
import os.path as osp

import pytest
from bad_input_harness import REPO, Case, check, params

from pose_nas.models.posenas import (PoseNASBackbone, PoseNASHead,
                                     posenas_layout)
from pose_nas.nas.genotype import Genotype, GenotypeError, load_genotype
from pose_nas.registry import MODELS

PUBLISHED = osp.join(REPO, 'configs/posenas/genotypes/posenas_published.json')
CH = [8, 16, 32, 64]


def _published():
    return copy.deepcopy(load_genotype(PUBLISHED).to_dict())


def _estimator(genotype=None, backbone=None, head=None):
    return MODELS.build(dict(
        type='PoseNASEstimator', genotype=genotype,
        backbone=dict(type='PoseNASBackbone', channels=4, num_layers=4,
                      **(backbone or {})),
        head=dict(type='PoseNASHead', in_channels=CH, out_channels=5,
                  stage2_channels=4, stage2_layers=4, **(head or {}))))


def _with(edit):
    def run(tmp):
        g = _published()
        edit(g['components'])
        return _estimator(g)
    return run


def _three_nodes(comps):
    comps['decoder2']['nodes'] = comps['decoder2']['nodes'][:3]
    comps['decoder2']['concat'] = [2, 3, 4]


def _foreign_op(comps):
    comps['normal']['nodes'][1][0][0] = 'sep_conv_3x3'  # not in PoseNAS


def _three_edges(comps):
    comps['reduce']['nodes'][0].append(['conv_3x3', 1])


def _encoder_genotype_to_decoder(tmp):
    comps = _published()['components']
    enc = Genotype('PoseNASBackbone', {k: comps[k]
                                       for k in ('normal', 'reduce')})
    return PoseNASHead(CH, 5, num_stages=1, genotype=enc)


def _encoder_only_to_model(tmp):
    comps = _published()['components']
    return _estimator(Genotype('PoseNASEstimator', {
        k: comps[k] for k in ('normal', 'reduce')}))


def _encoder_cell_as_decoder_cells(tmp):
    g = _published()
    g['space'] = 'PoseNASHead'
    comps = g['components']
    g['components'] = {'decoder1': comps['normal'],
                       'decoder2': comps['normal'],
                       'normal': comps['normal'],
                       'reduce': comps['reduce']}
    return PoseNASHead(CH, 5, genotype=g, stage2_channels=4,
                       stage2_layers=4)


CASES = [
    Case('three-node-cell', _with(_three_nodes), match=r"'decoder2'.*3 nodes",
         exc=GenotypeError),
    Case('op-outside-space', _with(_foreign_op),
         match=r"'normal'.*'sep_conv_3x3' is not in this model's search",
         exc=GenotypeError),
    Case('three-edges-per-node', _with(_three_edges),
         match=r"'reduce'.*node 0 has 3 edges, at most 2", exc=GenotypeError),
    Case('encoder-genotype-to-decoder', _encoder_genotype_to_decoder,
         match=r"derived for 'PoseNASBackbone'.*given to 'PoseNASHead'",
         exc=GenotypeError),
    Case('encoder-only-to-model', _encoder_only_to_model,
         match=r"missing \['decoder1', 'decoder2', 'decoder3'\]",
         exc=GenotypeError),
    Case('decoder-cells-missing', _encoder_cell_as_decoder_cells,
         match=r"missing \['decoder3'\]", exc=GenotypeError),
    Case('genotype-on-backbone-of-model',
         lambda tmp: _estimator(backbone=dict(genotype=PUBLISHED)),
         match=r'give the genotype to the model', exc=GenotypeError),
    Case('published-for-another-space',
         lambda tmp: PoseNASBackbone(channels=4, num_layers=4,
                                     genotype=PUBLISHED),
         match=r"derived for 'PoseNASEstimator'.*'PoseNASBackbone'",
         exc=GenotypeError),
    Case('three-stages', lambda tmp: _estimator(head=dict(num_stages=3)),
         match=r'num_stages must be 1 or 2', exc=ValueError),
    Case('odd-channels', lambda tmp: PoseNASBackbone(channels=7),
         match=r'channels must be even, got 7', exc=ValueError),
    Case('layout-without-default', lambda tmp: posenas_layout(10),
         match=r'num_layers=10 has no default layout', exc=ValueError),
    Case('wrong-head-type',
         lambda tmp: MODELS.build(dict(
             type='PoseNASEstimator',
             backbone=dict(type='PoseNASBackbone', channels=4, num_layers=4),
             head=dict(type='HeatmapHead', in_channels=8, out_channels=5))),
         match=r"needs a PoseNASHead, got 'HeatmapHead'", exc=ValueError),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_posenas_input(case, tmp_path):
    check(case, tmp_path)
