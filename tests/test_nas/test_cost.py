# Copyright (c) pose_nas contributors. All rights reserved.
"""Budget-aware search: FLOPs lookup tables, expected cost, projection."""
import pytest
import torch
import torch.nn as nn

from pose_nas.models.efficientpose import (EfficientPoseBackbone,
                                           SlimDeconvHead)
from pose_nas.nas.cost import (ArchBudget, BudgetPenalty, count_flops,
                               expected_cost, project_to_budget)

STAGES = ((8, 2, 2), (16, 3, 2), (24, 3, 2), (32, 2, 1))


class Net(nn.Module):

    def __init__(self, **kw):
        super().__init__()
        self.backbone = EfficientPoseBackbone(
            stages=STAGES, stem_channels=8, stem_out_channels=8, **kw)
        self.head = SlimDeconvHead(32, 17, deconv_out_channels=(16, 8))

    def forward(self, x):
        return self.head.forward(self.backbone(x))


def _flops(net):
    return count_flops(net, (torch.zeros(1, 3, 128, 96), ))


def test_table_matches_the_counter_on_derived_nets():
    torch.manual_seed(0)
    sup = Net()
    budget = ArchBudget(sup, target=1e7, input_size=(96, 128))
    # a one-hot distribution: the expected cost is the derived net's cost
    choices = [len(t) - 1 for t in budget.tables]
    with torch.no_grad():
        for a, c in zip(sup.backbone.arch_alpha, choices):
            a.fill_(-30.0)
            a[c] = 30.0
    g = sup.backbone.derive_genotype()
    derived = Net(genotype=g.to_dict())
    assert float(budget.expected()) == pytest.approx(_flops(derived),
                                                     rel=1e-6)
    assert budget.min_cost < budget.max_cost


def test_expected_cost_gradient_and_penalty():
    logits = [torch.zeros(3, requires_grad=True)]
    tables = [torch.tensor([1.0, 2.0, 3.0])]
    cost = expected_cost(logits, tables, fixed=1.0)
    assert float(cost) == pytest.approx(3.0)
    BudgetPenalty(2.0)(cost).backward()
    g = logits[0].grad
    assert g[2] > 0 > g[0]  # over budget: push toward the cheap op
    hard = expected_cost([torch.tensor([0., 5., 0.])], tables, hard=True)
    assert float(hard) == pytest.approx(2.0)
    with pytest.raises(ValueError, match='target'):
        BudgetPenalty(0)
    with pytest.raises(ValueError, match='cost table'):
        expected_cost(logits, tables * 2)


@pytest.mark.parametrize('frac', [0.2, 0.5, 0.8])
def test_projection_lands_within_tolerance(frac):
    torch.manual_seed(0)
    sup = Net()
    lo, hi = None, None
    budget = ArchBudget(sup, target=1.0, input_size=(96, 128))
    lo, hi = budget.min_cost, budget.max_cost
    target = lo + frac * (hi - lo)
    with torch.no_grad():
        for a in sup.backbone.arch_alpha:
            a.normal_()
    choices = project_to_budget(sup.backbone.cost_logits(), budget.tables,
                                budget.fixed, target, tolerance=0.05)
    derived = Net(genotype=sup.backbone.derive_genotype(
        choices=choices).to_dict())
    assert abs(_flops(derived) / target - 1) <= 0.05


def test_penalty_moves_the_distribution_to_the_budget():
    torch.manual_seed(0)
    sup = Net()
    budget = ArchBudget(sup, target=1.0, input_size=(96, 128))
    target = budget.min_cost + 0.3 * (budget.max_cost - budget.min_cost)
    budget = ArchBudget(sup, target=target, input_size=(96, 128))
    start = float(budget.expected())
    opt = torch.optim.Adam(sup.backbone.arch_alpha.parameters(), lr=0.05)
    for _ in range(100):
        opt.zero_grad()
        budget.penalty().backward()
        opt.step()
    end = float(budget.expected())
    assert abs(end - target) < 0.25 * abs(start - target)


def test_budget_follows_the_model_dtype():
    """Tables and dummy inputs follow the model (the CPU stand-in for the
    GPU device-mismatch bug class): a float64 model gets float64 tables, a
    budget arch step runs and the projection is the float32 one."""
    torch.manual_seed(0)
    sup32 = Net()
    sup64 = Net()
    sup64.load_state_dict(sup32.state_dict())
    sup64.double()
    b32 = ArchBudget(sup32, target=2e7, input_size=(96, 128))
    b64 = ArchBudget(sup64, target=2e7, input_size=(96, 128))
    assert all(t.dtype == torch.float64 for t in b64.tables)
    assert all(t.dtype == torch.float32 for t in b32.tables)
    assert b64.fixed == pytest.approx(b32.fixed)
    assert b64.project() == b32.project()
    penalty = b64.penalty()
    assert penalty.dtype == torch.float64
    opt = torch.optim.Adam(sup64.backbone.arch_alpha.parameters(), lr=0.1)
    before = [a.detach().clone() for a in sup64.backbone.arch_alpha]
    penalty.backward()
    assert all(a.grad is not None and torch.isfinite(a.grad).all()
               for a in sup64.backbone.arch_alpha)
    opt.step()
    assert any(not torch.equal(a, b)
               for a, b in zip(sup64.backbone.arch_alpha, before))
    assert b64.min_cost <= float(b64.expected()) <= b64.max_cost
