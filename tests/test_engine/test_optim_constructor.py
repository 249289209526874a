# Copyright (c) pose_nas contributors. All rights reserved.
"""NASOptimWrapperConstructor routes arch params by the naming convention."""
import pytest
import torch.nn as nn
from mmengine.optim import OptimWrapper

from pose_nas.engine.optimizers import (DEFAULT_ARCH_OPTIMIZER,
                                        NASOptimWrapperConstructor,
                                        NASOptimWrapperDict)
from pose_nas.nas.arch import (arch_parameters, is_arch_param_name,
                               weight_parameters)
import torch


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.arch_alpha = nn.Parameter(torch.zeros(3, 5))
        self.sub = nn.Module()
        self.sub.arch_beta = nn.Parameter(torch.zeros(3))
        # looks similar, but is a weight
        self.archive = nn.Linear(2, 2)


def _ids(groups):
    return {id(p) for g in groups for p in g['params']}


def test_naming_convention():
    assert is_arch_param_name('backbone.arch_alpha')
    assert is_arch_param_name('arch_beta')
    assert not is_arch_param_name('backbone.archive.weight')
    net = Net()
    assert len(arch_parameters(net)) == 2
    assert len(weight_parameters(net)) == 6


def test_joint_own_group_no_weight_decay():
    net = Net()
    ow = NASOptimWrapperConstructor(
        dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
             arch=dict(strategy='joint', lr=3e-3, betas=(0.5, 0.999))))(net)
    assert isinstance(ow, OptimWrapper)
    groups = ow.optimizer.param_groups
    arch = [g for g in groups if g.get('name') == 'arch'][0]
    assert {id(p) for p in arch['params']} == {id(p) for p in
                                               arch_parameters(net)}
    assert arch['weight_decay'] == 0.0 and arch['lr'] == 3e-3
    assert arch['betas'] == (0.5, 0.999)
    others = [g for g in groups if g.get('name') != 'arch']
    assert all(g['weight_decay'] == 0.05 for g in others)
    assert _ids(others) == {id(p) for p in weight_parameters(net)}


def test_joint_with_paramwise_cfg_keeps_arch_out_of_weight_groups():
    net = Net()
    ow = NASOptimWrapperConstructor(
        dict(optimizer=dict(type='SGD', lr=0.1, weight_decay=1e-4),
             arch=dict(strategy='joint', weight_decay=1e-3)),
        paramwise_cfg=dict(norm_decay_mult=0.0))(net)
    groups = ow.optimizer.param_groups
    arch = [g for g in groups if g.get('name') == 'arch']
    assert len(arch) == 1 and arch[0]['weight_decay'] == 1e-3
    weight_groups = [g for g in groups if g.get('name') != 'arch']
    assert not (_ids(weight_groups) & {id(p) for p in arch_parameters(net)})
    bn_group = [g for g in weight_groups
                if g['params'][0] is net.bn.weight][0]
    assert bn_group['weight_decay'] == 0.0


def test_separate_two_wrappers_with_spec_defaults():
    net = Net()
    ow = NASOptimWrapperConstructor(
        dict(optimizer=dict(type='SGD', lr=0.1, weight_decay=1e-4),
             arch=dict(strategy='separate')))(net)
    assert isinstance(ow, NASOptimWrapperDict)
    assert _ids(ow['weight'].param_groups) == {
        id(p) for p in weight_parameters(net)}
    assert _ids(ow['arch'].param_groups) == {
        id(p) for p in arch_parameters(net)}
    g = ow['arch'].param_groups[0]
    assert type(ow['arch'].optimizer).__name__ == DEFAULT_ARCH_OPTIMIZER['type']
    assert g['lr'] == 3e-4 and g['betas'] == (0.5, 0.999)
    assert g['weight_decay'] == 1e-3
    # update_params goes to the weight optimizer only
    loss = (net.conv.weight.sum() + net.arch_alpha.sum())
    before = net.arch_alpha.detach().clone()
    w_before = net.conv.weight.detach().clone()
    ow.update_params(loss)
    assert torch.equal(net.arch_alpha.detach(), before)
    assert not torch.equal(net.conv.weight.detach(), w_before)
    assert set(ow.state_dict()) == {'weight', 'arch'}


def test_frozen_and_errors():
    net = Net()
    ow = NASOptimWrapperConstructor(
        dict(optimizer=dict(type='SGD', lr=0.1),
             arch=dict(strategy='frozen')))(net)
    assert not (_ids(ow.param_groups) & {id(p) for p in arch_parameters(net)})
    with pytest.raises(ValueError, match='strategy'):
        NASOptimWrapperConstructor(dict(optimizer=dict(type='SGD', lr=0.1),
                                        arch=dict(strategy='bilevel')))
    with pytest.raises(ValueError, match='arch_'):
        NASOptimWrapperConstructor(
            dict(optimizer=dict(type='SGD', lr=0.1),
                 arch=dict(strategy='joint')))(nn.Conv2d(1, 1, 1))
    with pytest.raises(KeyError, match='unknown arch options'):
        NASOptimWrapperConstructor(
            dict(optimizer=dict(type='SGD', lr=0.1),
                 arch=dict(strategy='joint', optimizer={})))(Net())
