# Copyright (c) pose_nas contributors. All rights reserved.
"""Partial-channel edges and edge normalisation (PC-DARTS)."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from pose_nas.nas import (MixedOp, SearchCell, arch_parameters,
                          channel_shuffle, derive_cell,
                          derive_edge_normalized, is_arch_param_name,
                          set_partial_channels)

CANDS = ['none', 'skip_connect', 'conv_3x3', 'avg_pool_3x3']


def _x(c=8, size=6):
    torch.manual_seed(0)
    return torch.randn(2, c, size, size)


def _record_inputs(edge):
    seen = []
    for i, op in enumerate(edge.ops):
        op.register_forward_hook(
            lambda m, args, out, i=i: seen.append((i, args[0].shape[1])))
    return seen


def test_channel_shuffle_is_a_permutation():
    x = torch.arange(8.).view(1, 8, 1, 1)
    y = channel_shuffle(x, 4).flatten()
    assert sorted(y.tolist()) == list(range(8))
    assert y.tolist() != list(range(8))
    # channel g * (C / k) + i goes to i * k + g
    assert y.tolist() == [0, 2, 4, 6, 1, 3, 5, 7]


@pytest.mark.parametrize('stride,size', [(1, 6), (2, 6), (2, 7)])
def test_only_c_over_k_channels_go_through_the_ops(stride, size):
    torch.manual_seed(0)
    edge = MixedOp(8, 8, stride, CANDS, partial_channels=4)
    assert edge.partial_channels == 4
    conv = edge.ops[2]
    assert [p.shape[0] for p in conv.parameters()][0] == 2  # built for C/K
    seen = _record_inputs(edge)
    x = _x(8, size)
    alpha = torch.zeros(4, requires_grad=True)
    out = edge(x, alpha)
    out_size = -(-size // stride)
    assert out.shape == (2, 8, out_size, out_size)
    assert seen and all(c == 2 for _, c in seen)  # none is never run
    # the bypassed channels 2..7 come out unchanged (max-pooled at stride
    # 2) at their shuffled places: channel g * 2 + i -> i * 4 + g
    rest = x[:, 2:] if stride == 1 else F.max_pool2d(x[:, 2:], 2, 2,
                                                     ceil_mode=True)
    for c in range(2, 8):
        g, i = divmod(c, 2)
        assert torch.equal(out[:, i * 4 + g], rest[:, c - 2])
    out.sum().backward()
    assert alpha.grad.abs().sum() > 0


@pytest.mark.parametrize('mode', ['gumbel', 'sampled'])
def test_single_path_modes_with_partial_channels(mode):
    torch.manual_seed(0)
    edge = MixedOp(8, 8, 1, CANDS, mode=mode, hard=True, partial_channels=2)
    seen = _record_inputs(edge)
    alpha = torch.tensor([-20., 0., 0., 0.], requires_grad=True)
    out = edge(_x(), alpha)
    assert out.shape == (2, 8, 6, 6)
    assert len(seen) == 1 and seen[0][1] == 4
    if mode == 'gumbel':
        out.sum().backward()
        assert alpha.grad.abs().sum() > 0


def test_switching_a_built_edge_and_a_fixed_edge_is_untouched():
    edge = MixedOp(8, 8, 1, CANDS, pool_bn=True)
    old = {id(p) for p in edge.parameters()}
    edge.set_partial_channels(4, 'cells.0.edges.3')
    assert not old & {id(p) for p in edge.parameters()}  # new candidates
    assert edge.ops[3][1].num_features == 2  # pool BN for C/K too
    assert edge.set_partial_channels(4) is edge  # already: no change
    assert edge.keep([True, True, False, True]).ops[2](_x(2)).shape[1] == 2
    with pytest.raises(ValueError, match='a fixed .derived. edge'):
        MixedOp(8, 8, 1, mode='fixed', chosen='conv_3x3') \
            .set_partial_channels(2)


@pytest.mark.parametrize('edge,k,match', [
    (MixedOp(8, 16, 2, CANDS), 4, r"edge 'blocks.3': C_in=8 != C_out=16"),
    (MixedOp(6, 6, 1, CANDS), 4, r"edge 'blocks.3': 6 channels are not "
     r'divisible by k=4'),
    (MixedOp(8, 8, 1, CANDS), 1, 'k must be an int >= 2'),
])
def test_edges_that_do_not_fit_are_named_in_one_line(edge, k, match):
    with pytest.raises(ValueError, match=match) as info:
        edge.set_partial_channels(k, 'blocks.3')
    assert '\n' not in str(info.value)


class _Chain(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([MixedOp(8, 8, 1, CANDS),
                                     MixedOp(8, 16, 2, CANDS)])


def test_a_model_is_switched_whole_or_not_at_all():
    model = _Chain()
    with pytest.raises(ValueError,
                       match=r"edge 'blocks.1' \(_Chain\): C_in=8 != "
                       'C_out=16'):
        set_partial_channels(model, 4)
    assert model.blocks[0].partial_channels == 1  # nothing changed
    with pytest.raises(ValueError, match='no searchable MixedOp'):
        set_partial_channels(nn.Conv2d(3, 3, 1), 4)


def _cell(**kw):
    torch.manual_seed(0)
    return SearchCell([8, 8], 8, 2, CANDS, **kw)


def test_edge_normalisation_weighs_a_nodes_edges_by_softmax_beta():
    cell = _cell(edge_norm=True, partial_channels=2)
    names = sorted(n for n, _ in cell.named_parameters()
                   if 'arch_beta' in n)
    assert names == ['arch_beta.node0', 'arch_beta.node1']
    assert all(is_arch_param_name(n) for n in names)
    assert len(arch_parameters(cell)) == 2
    with torch.no_grad():
        cell.arch_beta['node0'].copy_(torch.tensor([2., -1.]))
        cell.arch_beta['node1'].copy_(torch.tensor([0., 1., -3.]))
    cell.eval()
    x0, x1 = _x(), _x() * 2
    alpha = torch.randn(cell.num_edges, len(CANDS), requires_grad=True)
    out = cell([x0, x1], alpha)
    # by hand: node j = sum_i softmax(beta_j)_i * edge_i(state_i)
    b0 = F.softmax(cell.arch_beta['node0'], -1)
    b1 = F.softmax(cell.arch_beta['node1'], -1)
    n0 = b0[0] * cell.edges[0](x0, alpha[0]) + b0[1] * cell.edges[1](
        x1, alpha[1])
    n1 = (b1[0] * cell.edges[2](x0, alpha[2]) + b1[1] * cell.edges[3](
        x1, alpha[3]) + b1[2] * cell.edges[4](n0, alpha[4]))
    torch.testing.assert_close(out, torch.cat([n0, n1], 1))
    out.pow(2).mean().backward()
    assert cell.arch_beta['node0'].grad.abs().sum() > 0
    assert cell.arch_beta['node1'].grad.abs().sum() > 0
    assert alpha.grad.abs().sum() > 0
    assert torch.allclose(cell.edge_weights(), torch.cat([b0, b1]).detach())


def test_single_input_nodes_and_derived_cells_get_no_beta():
    cell = SearchCell([8], 8, 2, CANDS, edge_norm=True)
    assert list(cell.arch_beta) == ['node1']  # node 0 has one input
    assert cell.edge_weights()[0] == 1
    derived = SearchCell([8], 8, 1, genotype=dict(
        type='cell', num_inputs=1, nodes=[[['conv_3x3', 0]]]))
    assert derived.set_edge_norm() is False and not derived.edge_norm


def test_derivation_ranks_edges_by_beta_times_op_weight():
    cells = [_cell(), _cell()]
    alpha = torch.zeros(cells[0].num_edges, len(CANDS))
    alpha[0, 2] = 3.0  # node 0: edge from input 0 is stronger by alpha
    alpha[1, 3] = 2.0
    plain = derive_cell(alpha, CANDS, 2, 2, k=1)
    assert derive_edge_normalized(alpha, cells, k=1) == plain
    assert plain['nodes'][0] == [['conv_3x3', 0]]
    for cell in cells:
        cell.set_edge_norm()
        with torch.no_grad():  # beta: input 1's edge far more important
            cell.arch_beta['node0'].copy_(torch.tensor([-3., 3.]))
    normed = derive_edge_normalized(alpha, cells, k=1)
    assert normed['nodes'][0] == [['avg_pool_3x3', 1]]
    assert normed['nodes'][1] == plain['nodes'][1]


def test_a_pc_checkpoint_switches_a_fresh_model_when_loaded():
    from pose_nas.models.common.cell_search_backbone import \
        CellSearchBackbone
    kw = dict(stem_channels=8, channels=8, layout=('normal', 'reduce'),
              num_nodes=2)
    torch.manual_seed(0)
    searched = CellSearchBackbone(**kw)
    assert set_partial_channels(searched, 4) == (6, 2)
    with torch.no_grad():
        searched.cells[0].arch_beta['node1'].fill_(0.7)
    fresh = CellSearchBackbone(**kw)
    fresh.load_state_dict(searched.state_dict())  # strict, checked
    assert fresh.cells[1].edges[0].partial_channels == 4
    assert float(fresh.cells[0].arch_beta['node1'].detach()[0]) == \
        pytest.approx(0.7)
    searched.eval()
    fresh.eval()
    x = torch.randn(1, 3, 32, 32)
    torch.testing.assert_close(fresh(x)[0], searched(x)[0])


@pytest.mark.parametrize('space', ['cellnet', 'posenas', 'posenas_head'])
def test_the_spaces_derive_with_edge_normalisation(space):
    """After a PC-DARTS switch, each cell space's derive_genotype ranks a
    node's edges by beta (equal op weights: only beta decides)."""
    from pose_nas.models.common.cell_search_backbone import \
        CellSearchBackbone
    from pose_nas.models.posenas import PoseNASBackbone, PoseNASHead
    torch.manual_seed(0)
    if space == 'cellnet':
        net = CellSearchBackbone(stem_channels=8, channels=8,
                                 layout=('normal', 'normal'), num_nodes=3)
        comp, cells, node = 'normal', net.cells, 2
    elif space == 'posenas':
        net = PoseNASBackbone(channels=8, num_layers=4)
        comp = 'normal'
        cells = [c for c in net.cells if not c.reduction]
        node = 2
    else:
        net = PoseNASHead(in_channels=[16, 32, 64, 128], out_channels=17)
        comp, cells, node = 'decoder1', [d.cells[0] for d in net.decoders], 2
    with torch.no_grad():  # equal op weights on every edge
        for name, p in net.named_parameters():
            if 'arch_alpha' in name:
                p.zero_()
    before = net.derive_genotype(k=1)[comp]['nodes'][node]
    set_partial_channels(net, 4)
    n_in = len(cells[0].edge_sources[node])
    beta = torch.full((n_in, ), -4.)
    beta[n_in - 1] = 4.  # the last incoming edge wins
    with torch.no_grad():
        for cell in cells:
            cell.arch_beta[f'node{node}'].copy_(beta)
    after = net.derive_genotype(k=1)[comp]['nodes'][node]
    assert [src for _, src in after] == [cells[0].edge_sources[node][-1]]
    assert after != before
