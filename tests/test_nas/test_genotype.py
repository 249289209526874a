# Copyright (c) pose_nas contributors. All rights reserved.
"""Genotype schema, derive rules and validation."""
import json

import pytest
import torch

from pose_nas.nas.derive_rules import (derive_cell, derive_chain,
                                       derive_continuous, derive_decisions)
from pose_nas.nas.genotype import (Genotype, GenotypeError, load_genotype,
                                   validate_genotype)
from pose_nas.nas.genotype_specs import (cell_spec, chain_spec,
                                         continuous_spec, decisions_spec)

CANDS = ['none', 'skip_connect', 'sep_conv_3x3', 'conv_3x3']


def _alpha_cell():
    # 1 input, 2 nodes -> edges: n0<-s0 ; n1<-s0, n1<-s1
    a = torch.zeros(3, 4)
    a[0] = torch.tensor([9., 0., 3., 0.])  # none strongest -> excluded
    a[1] = torch.tensor([0., 0., 0., 2.])
    a[2] = torch.tensor([0., 4., 0., 0.])
    return a


def test_derive_cell_darts_rule():
    comp = derive_cell(_alpha_cell(), CANDS, num_inputs=1, num_nodes=2, k=2)
    assert comp['nodes'][0] == [['sep_conv_3x3', 0]]
    assert comp['nodes'][1] == [['conv_3x3', 0], ['skip_connect', 1]]
    assert comp['concat'] == [1, 2]
    top1 = derive_cell(_alpha_cell(), CANDS, 1, 2, k=1)
    assert top1['nodes'][1] == [['skip_connect', 1]]
    with pytest.raises(GenotypeError, match='does not fit'):
        derive_cell(torch.zeros(4, 4), CANDS, 1, 2)


def test_derive_chain_continuous_decisions():
    a = torch.tensor([[0., 5., 1.], [3., 0., 0.]])
    chain = derive_chain(a, ['skip', 'k3e3', 'k5e6'], forbidden={0: ['skip']})
    assert chain['ops'] == ['ir_k3_e3', 'skip_connect']
    chain = derive_chain(a[[1]], ['skip', 'k3e3', 'k5e6'],
                         forbidden={0: ['skip']})
    assert chain['ops'][0] != 'skip_connect'
    cont = derive_continuous(torch.tensor([[10., 0., 0.]]),
                             ['none', 'skip', 'conv_3x3'], prune_below=1e-3)
    assert cont['weights'][0][1] == 0.0 and cont['weights'][0][0] > 0.99
    dec = derive_decisions([1, 0], [2, 3])
    assert dec == dict(type='decisions', choices=[2, 3], values=[1, 0])


def _genotype():
    return Genotype(
        space='Toy',
        components=dict(
            cell=derive_cell(_alpha_cell(), CANDS, 1, 2),
            chain=dict(type='chain', ops=['k3e6', 'skip_connect']),
            cont=derive_continuous(torch.zeros(2, 3), CANDS[:3]),
            depth=derive_decisions([1, 0], [2, 2])),
        meta=dict(epoch=3))


def _spec():
    return dict(
        cell=cell_spec(1, 2, CANDS),
        chain=chain_spec(2, ['k3e6', 'skip'], forbidden={0: ['skip']}),
        cont=continuous_spec([2, 3], CANDS[:3]),
        depth=decisions_spec([2, 2]))


@pytest.mark.parametrize('suffix', ['.json', '.yaml'])
def test_roundtrip_files(tmp_path, suffix):
    g = _genotype()
    path = g.dump(str(tmp_path / f'g{suffix}'))
    text = open(path).read()
    assert 'pose_nas.genotype' in text and 'sep_conv_3x3' in text
    back = load_genotype(path)
    assert back.to_dict() == g.to_dict()
    assert validate_genotype(path, _spec(), space='Toy').meta['epoch'] == 3


def test_validation_errors_are_specific(tmp_path):
    g = _genotype().to_dict()
    spec = _spec()
    with pytest.raises(GenotypeError, match="derived for 'Toy'"):
        validate_genotype(g, spec, space='Other')
    bad = json.loads(json.dumps(g))
    bad['components']['cell']['nodes'].append([['conv_3x3', 0]])
    with pytest.raises(GenotypeError, match='3 nodes, the model has 2'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['components']['cell']['nodes'][0] = [['conv_9x9', 0]]
    with pytest.raises(GenotypeError, match='unknown candidate op'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['components']['chain']['ops'] = ['skip', 'k3e6']
    with pytest.raises(GenotypeError, match='not allowed at block 0'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['components']['chain']['ops'] = ['k3e6', 'k5e3']
    with pytest.raises(GenotypeError, match='search space'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['components']['cont']['weights'] = [[0.3, 0.3, 0.4]]
    with pytest.raises(GenotypeError, match='weights of shape'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    del bad['components']['depth']
    with pytest.raises(GenotypeError, match="missing \\['depth'\\]"):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['components']['cell']['nodes'][1] = [['conv_3x3', 5]]
    with pytest.raises(GenotypeError, match='takes state 5'):
        validate_genotype(bad, spec)
    bad = json.loads(json.dumps(g))
    bad['version'] = 99
    with pytest.raises(GenotypeError, match='version 99'):
        load_genotype(bad)
    corrupt = tmp_path / 'bad.json'
    corrupt.write_text('{"format": ')
    with pytest.raises(GenotypeError, match='cannot parse'):
        load_genotype(str(corrupt))
    with pytest.raises(FileNotFoundError):
        load_genotype(str(tmp_path / 'missing.json'))
