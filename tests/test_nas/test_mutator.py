# Copyright (c) pose_nas contributors. All rights reserved.
"""ArchMutator: the one owner of the architecture state."""
import pytest
import torch
import torch.nn as nn

from pose_nas.models.common import CellSearchBackbone
from pose_nas.models.efficientpose import EfficientPoseBackbone
from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.mixed_op import MixedOp
from pose_nas.nas.mutator import ArchMutator

STAGES = ((8, 2, 2), (16, 2, 2))


def _cellnet(**kw):
    kw.setdefault('searchable_depth', True)
    return CellSearchBackbone(
        stem_channels=8, layout=('normal', 'reduce', 'normal'),
        num_nodes=2, **kw)


class TwoSpaces(nn.Module):
    """A model with a decision space and a budget space side by side."""

    def __init__(self):
        super().__init__()
        self.backbone = EfficientPoseBackbone(
            stages=STAGES, stem_channels=8, stem_out_channels=8)
        self.neck = _cellnet()


def test_finds_searchable_modules_and_arch_params():
    model = TwoSpaces()
    mutator = ArchMutator(model)
    assert list(mutator.searchable) == ['backbone', 'neck']
    names = [n for n, _ in mutator.named_arch_parameters()]
    assert names and all('arch_' in n for n in names)
    ids = {id(p) for p in mutator.arch_parameters()}
    assert not ids & {id(p) for p in mutator.weight_parameters()}
    assert len(ids) + len(mutator.weight_parameters()) == len(
        list(model.parameters()))


def test_shared_instance_per_model():
    model = TwoSpaces()
    assert ArchMutator.of(model) is ArchMutator.of(model)
    assert ArchMutator.of(model) is not ArchMutator.of(TwoSpaces())
    # not a module attribute: the state dict is unchanged
    assert not any('mutator' in k for k in model.state_dict())


def test_decisions_rule_best_then_greedy():
    model = TwoSpaces()
    mutator = ArchMutator(model)
    name, module = mutator.decision_module()
    assert name == 'neck'
    n = len(module.decision_space())
    assert mutator.derived_decisions() is None
    mutator.record_decisions(dict(greedy=[0] * n, best=None))
    assert mutator.derived_decisions() == [0] * n
    mutator.record_decisions(dict(greedy=[0] * n, best=[1] * n))
    assert mutator.derived_decisions() == [1] * n
    genotypes = mutator.derive_genotypes()
    assert genotypes['neck']['depth']['values'] == [1] * n
    # the budget space never receives decisions
    assert 'decisions' not in mutator.derive_kwargs(model.backbone)


def test_budget_choices_go_only_to_the_budget_space():
    model = TwoSpaces()
    mutator = ArchMutator(model)
    assert mutator.budget_module()[0] == 'backbone'
    choices = [0] * model.backbone.num_blocks
    mutator.record_budget(1e8, choices)
    kwargs = mutator.derive_kwargs(model.backbone)
    assert kwargs['choices'] == choices and kwargs['budget_flops'] == 1e8
    assert 'choices' not in mutator.derive_kwargs(model.neck)
    genotype = mutator.derive_genotypes()['backbone']
    assert genotype['blocks']['ops'] == [
        c[0] for c in model.backbone.block_candidates]


def test_load_nas_state_reads_what_the_hooks_saved():
    model = TwoSpaces()
    n = len(model.neck.decision_space())
    nas_state = dict(
        reinforce=dict(greedy=[0] * n, best=dict(decisions=[1] * n)),
        darts=dict(budget=dict(target=5e7, fixed=1.0,
                               choices=[1] * model.backbone.num_blocks)))
    mutator = ArchMutator(model)
    mutator.load_nas_state(nas_state)
    assert mutator.derived_decisions() == [1] * n
    assert mutator.budget_record == dict(
        target=5e7, choices=[1] * model.backbone.num_blocks)
    ArchMutator(model).load_nas_state(None)  # a checkpoint without state


def test_no_decisions_or_budget_is_a_clear_error():
    mutator = ArchMutator(_cellnet(searchable_depth=False))
    with pytest.raises(RuntimeError, match='no searchable module with'):
        mutator.decision_module()
    with pytest.raises(RuntimeError, match='cost table'):
        mutator.budget_module()
    with pytest.raises(KeyError, match='not a searchable module'):
        ArchMutator(TwoSpaces()).decision_module('backbone.stem')
    with pytest.raises(RuntimeError, match='no searchable module'):
        ArchMutator(nn.Conv2d(1, 1, 1)).derive_genotypes()


def test_entropy_and_arch_state():
    model = _cellnet()
    mutator = ArchMutator(model)
    ent = mutator.entropy()
    assert set(ent) == {n for n, _ in mutator.named_arch_parameters()}
    assert all(v == pytest.approx(1.0) for v in ent.values())  # zero logits
    with torch.no_grad():
        model.arch_alpha_normal[:, 0] = 50.0
    assert mutator.entropy()['arch_alpha_normal'] < 1e-3
    state = mutator.arch_state()['arch_alpha_normal']
    assert state['labels'] == list(model.candidates)
    assert len(state['weights']) == model.arch_alpha_normal.shape[0]


def test_set_mixed_op_mode_reaches_every_search_edge():
    model = _cellnet()
    mutator = ArchMutator(model)
    edges = [m for m in model.modules() if isinstance(m, MixedOp)]
    assert mutator.set_mixed_op(mode='gumbel', tau=2.0) == len(edges) > 0
    assert all(e.mode == 'gumbel' and e.tau == 2.0 for e in edges)
    with pytest.raises(ValueError, match='fixed'):
        mutator.set_mixed_op(mode='fixed')


def test_optional_capabilities_are_declared_on_the_mixin():
    class Plain(nn.Module, SearchableMixin):

        def __init__(self):
            super().__init__()
            self.arch_alpha = nn.Parameter(torch.zeros(2, 3))

    plain = Plain()
    assert not plain.supports_budget
    assert EfficientPoseBackbone(stages=STAGES, stem_channels=8,
                                 stem_out_channels=8).supports_budget
    assert plain.decision_space() == []
    assert plain.arch_labels() == {'arch_alpha': ['0', '1', '2']}
    with pytest.raises(NotImplementedError, match='Plain has no cost table'):
        plain.cost_table((96, 128))
