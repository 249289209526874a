# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS's cell-based neural fabric, the fabric backbone and the genotype
helpers they use (``op_names=False`` continuous components)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

import pose_nas  # noqa: F401  (registers the modules)
from pose_nas.models.pnfs import (BACKBONE_CANDIDATES, SOURCES,
                                  SUBNET_CANDIDATES, CoarserToScale,
                                  FabricBackbone, FabricCell, FinerToScale,
                                  NeuralFabric, SameScale,
                                  fabric_genotype_spec, fabric_layer_sizes,
                                  select_fabric_components, source_indices)
from pose_nas.nas import (Genotype, GenotypeError, arch_parameters,
                          continuous_spec, derive_continuous,
                          find_searchable, named_arch_parameters,
                          validate_genotype)
from pose_nas.nas.ops import Zero


def _ceil_chain(h, w, n=4):
    sizes = [(h, w)]
    for _ in range(n - 1):
        h, w = -(-h // 2), -(-w // 2)
        sizes.append((h, w))
    return sizes


def _pyramid(fabric, h, w, n=2, seed=0):
    """Random inputs for ``fabric`` whose finest input is ``h x w``."""
    g = torch.Generator().manual_seed(seed)
    sizes = _ceil_chain(h, w)
    return [
        torch.randn(n, c, *sizes[i], generator=g)
        for i, c in enumerate(fabric.in_channels)
    ]


def _n_weights(module):
    return sum(p.numel() for name, p in module.named_parameters()
               if 'arch_' not in name)


def _randomise_arch(fabric, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in named_arch_parameters(fabric):
            p.copy_(torch.randn(p.shape, generator=g))


def _weights_from(derived, supernet):
    """Copy every supernet tensor whose name exists in ``derived``."""
    state = {
        k: v
        for k, v in supernet.state_dict().items() if 'arch_' not in k
    }
    result = derived.load_state_dict(state, strict=False)
    assert result.missing_keys == []  # derived names are supernet names
    return result


# --------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------
def test_layer_sizes_and_cell_counts():
    assert fabric_layer_sizes(6) == [2, 3, 4, 3, 2, 1]
    assert fabric_layer_sizes(3) == [2, 2, 1]
    bb = NeuralFabric(channel_factor=2, keep='first', num_kept_layers=3)
    assert bb.layers == [0, 1, 2] and bb.num_cells == 9
    assert bb.in_channels == [8] and bb.out_channels == [8, 16, 32, 64]
    sub = NeuralFabric(channel_factor=2, keep='last', num_kept_layers=3)
    assert sub.layers == [3, 4, 5] and sub.num_cells == 6
    assert sub.in_channels == [8, 16, 32, 64] and sub.out_channels == [8]
    assert sub.channels == [8, 16, 32, 64]
    assert NeuralFabric(channel_factor=10).channels == [40, 80, 160, 320]
    # a subnetwork keeping every layer is fed the stem output
    whole = NeuralFabric(channel_factor=2, keep='last', num_kept_layers=6)
    assert whole.in_channels == [8] and whole.num_cells == 15
    # defaults: pools only in backbone fabrics
    assert bb.candidates == list(BACKBONE_CANDIDATES)
    assert sub.candidates == list(SUBNET_CANDIDATES)
    for bad in (dict(keep='middle'), dict(num_kept_layers=7),
                dict(num_kept_layers=0), dict(num_hidden=0)):
        with pytest.raises(ValueError):
            NeuralFabric(channel_factor=2, **bad)


@pytest.mark.parametrize('H,edges', [(1, 1), (2, 3), (3, 6)])
def test_arch_shapes(H, edges):
    sub = NeuralFabric(channel_factor=2, num_hidden=H)
    assert tuple(sub.arch_alpha.shape) == (edges, len(SUBNET_CANDIDATES))
    assert tuple(sub.arch_beta.shape) == (6, 3)
    assert not sub.arch_alpha.detach().any()  # zero init
    assert not sub.arch_beta.detach().any()
    for cell in sub.cells.values():
        assert len(cell.edges) == edges
    bb = NeuralFabric(channel_factor=2, num_hidden=H, keep='first')
    assert tuple(bb.arch_beta.shape) == (9, 3)
    assert tuple(bb.arch_alpha.shape) == (edges, len(BACKBONE_CANDIDATES))


def test_source_wiring_and_missing_neighbours():
    # first layer (the stem only): every slot reads the stem
    assert source_indices(0, 1) == (0, 0, 0)
    assert source_indices(1, 1) == (0, 0, 0)
    # the 1/4 cell: no finer neighbour -> the same-scale tensor
    assert source_indices(0, 4) == (0, 0, 1)
    # a 1/32 cell after a 3-scale layer: only the 1/16 tensor exists
    assert source_indices(3, 3) == (2, 2, 2)
    # the coarsest cell of a layer: no coarser neighbour
    assert source_indices(2, 3) == (2, 1, 2)
    assert source_indices(1, 3) == (1, 0, 2)
    with pytest.raises(ValueError):
        source_indices(3, 2)

    bb = NeuralFabric(channel_factor=2, keep='first')
    kinds = {k: [type(bb.cells[k].transforms[s]) for s in SOURCES]
             for k in bb.cell_keys}
    assert kinds['l0_s0'] == [SameScale] * 3
    assert kinds['l0_s1'] == [FinerToScale] * 3
    assert kinds['l2_s3'] == [FinerToScale] * 3
    assert kinds['l1_s0'] == [SameScale, SameScale, CoarserToScale]
    assert kinds['l2_s1'] == [SameScale, FinerToScale, CoarserToScale]
    assert kinds['l2_s2'] == [SameScale, FinerToScale, SameScale]
    # a reused tensor goes through one transform per slot (own weights)
    t = bb.cells['l2_s3'].transforms
    assert t['same'][0].weight.data_ptr() != t['coarser'][0].weight.data_ptr()


def test_cell_formula():
    """``relu(3 * sum beta T(O))``, node ``= K * sum softmax(alpha) op``,
    output ``= conv1x1(concat)``; both factors are options."""
    torch.manual_seed(0)
    chans = [4, 8, 16, 32]
    x = torch.randn(2, 4, 6, 5)
    alpha_w = F.softmax(torch.zeros(1, 2), -1)
    beta_w = torch.full((3, ), 1 / 3)
    for beta_scale, mix_scale in ((True, True), (False, False)):
        cell = FabricCell(0, chans, (0, 0, 0), 1, ['none', 'skip_connect'],
                          beta_scale=beta_scale, mix_scale=mix_scale)
        out = cell([x, x, x], alpha_w, beta_w, (6, 5))
        h0 = F.relu(3 * x) if beta_scale else F.relu(x)
        node = h0 if mix_scale else 0.5 * h0
        torch.testing.assert_close(out, cell.project(node))


# --------------------------------------------------------------------------
# shapes, gradients
# --------------------------------------------------------------------------
@pytest.mark.parametrize('hw', [(64, 48), (96, 72), (65, 49)])
def test_subnetwork_shapes(hw):
    """A subnetwork fed the pyramid of an ``hw`` image's 1/4..1/32."""
    h, w = _ceil_chain(*hw, n=3)[2]  # the 1/4 scale (two stride-2 steps)
    sub = NeuralFabric(channel_factor=2, num_hidden=2)
    out = sub(_pyramid(sub, h, w))
    assert len(out) == 1 and out[0].shape == (2, 8, h, w)


@pytest.mark.parametrize('hw', [(64, 48), (96, 72), (65, 49)])
def test_backbone_shapes_and_strides(hw):
    init_default_scope('mmpose')
    from mmpose.registry import MODELS
    net = MODELS.build(
        dict(type='FabricBackbone', channel_factor=2, stem_channels=8,
             num_hidden=1, out_indices=(0, 1, 2, 3)))
    assert isinstance(net, FabricBackbone)
    outs = net(torch.randn(1, 3, *hw))
    sizes = _ceil_chain(*hw, n=6)[2:]
    assert [tuple(o.shape[-2:]) for o in outs] == sizes
    assert [o.shape[1] for o in outs] == [8, 16, 32, 64] == net.out_channels


def test_backbone_out_indices_and_config():
    init_default_scope('mmpose')
    from mmpose.registry import MODELS
    net = MODELS.build(
        dict(type='FabricBackbone', channel_factor=2, stem_channels=8,
             out_indices=(1, 3)))
    outs = net(torch.randn(1, 3, 64, 48))
    assert [tuple(o.shape) for o in outs] == [(1, 16, 8, 6), (1, 64, 2, 2)]
    assert net.out_channels == [16, 64]
    # m = 2 ends with three scales
    net = FabricBackbone(channel_factor=2, stem_channels=8,
                         num_kept_layers=2, out_indices=(0, 1, 2))
    assert len(net(torch.randn(1, 3, 64, 48))) == 3
    with pytest.raises(ValueError, match='out_indices'):
        FabricBackbone(channel_factor=2, num_kept_layers=2,
                       out_indices=(3, ))
    # stem: conv-BN, conv-BN-ReLU, 1x1 conv to 4C
    convs = [m for m in net.stem if isinstance(m, torch.nn.Conv2d)]
    assert [c.stride for c in convs] == [(2, 2), (2, 2), (1, 1)]
    assert convs[-1].out_channels == 8


def test_backbone_norm_and_act_cfg():
    """MMPose-style ``norm_cfg`` / ``act_cfg`` for the stem; the defaults
    are the stem of existing checkpoints (BN, ReLU, names stem.0..5)."""
    net = FabricBackbone(channel_factor=2, stem_channels=8)
    assert [type(m) for m in net.stem] == [
        torch.nn.Conv2d, torch.nn.BatchNorm2d, torch.nn.Conv2d,
        torch.nn.BatchNorm2d, torch.nn.ReLU, torch.nn.Conv2d
    ]
    assert net.stem[4].inplace
    gn = FabricBackbone(channel_factor=2, stem_channels=8,
                        norm_cfg=dict(type='GN', num_groups=4),
                        act_cfg=dict(type='LeakyReLU'))
    assert isinstance(gn.stem[1], torch.nn.GroupNorm)
    assert isinstance(gn.stem[3], torch.nn.GroupNorm)
    assert isinstance(gn.stem[4], torch.nn.LeakyReLU)
    assert len(gn(torch.randn(1, 3, 64, 48))) == 4


def test_gradients_reach_arch_and_weights():
    torch.manual_seed(0)
    sub = NeuralFabric(channel_factor=2, num_hidden=2)
    _randomise_arch(sub)
    sub(_pyramid(sub, 16, 12))[0].pow(2).mean().backward()
    assert sub.arch_alpha.grad is not None
    assert float(sub.arch_alpha.grad.abs().sum()) > 0
    # every cell's beta row gets a gradient (each has >= 2 distinct inputs)
    assert (sub.arch_beta.grad.abs().sum(-1) > 0).all()
    for name, p in sub.named_parameters():
        assert p.grad is not None, name
    # alpha is one parameter shared by every cell; beta one row per cell
    names = [n for n, _ in named_arch_parameters(sub)]
    assert names == ['arch_alpha', 'arch_beta']
    assert len(arch_parameters(sub)) == 2


def test_single_path_samples_one_op_per_edge_and_cell():
    """GDAS on the fabric (the edges in hard 'gumbel' mode): every edge of
    every cell runs one sampled op, and the straight-through weight carries
    a gradient to arch_alpha from zero logits (the fabric once passed its
    softmax to the edges, which then ran argmax = 'none' everywhere: the
    logits never moved)."""
    from pose_nas.nas import set_mixed_op_attr
    from pose_nas.nas.mixed_op import MixedOp
    torch.manual_seed(0)
    sub = NeuralFabric(channel_factor=2, num_hidden=2)
    set_mixed_op_attr(sub, mode='gumbel', tau=1.0, hard=True)
    seen = []
    for m in sub.modules():
        if isinstance(m, MixedOp):
            m.register_forward_pre_hook(
                lambda mod, args, kwargs: seen.append(kwargs['weights']),
                with_kwargs=True)
    sub(_pyramid(sub, 16, 12))[0].pow(2).mean().backward()
    assert seen and all(sorted(w.detach().tolist())[-1] == pytest.approx(1)
                        and float(w.detach().sum()) == pytest.approx(1) for w in seen)
    # samples differ between edges and cells, 'none' is not always chosen
    picks = {int(w.argmax()) for w in seen}
    assert len(picks) > 1
    assert float(sub.arch_alpha.grad.abs().sum()) > 0
    assert float(sub.arch_beta.grad.abs().sum()) > 0


def test_a_mode_the_fabric_cannot_mix_is_refused():
    from pose_nas.nas import set_mixed_op_attr
    sub = NeuralFabric(channel_factor=2, num_hidden=1)
    set_mixed_op_attr(sub, mode='sampled')
    with pytest.raises(ValueError, match="edges are in mode 'sampled'"):
        sub(_pyramid(sub, 16, 12))


def test_backbone_gradients_and_edge_cells():
    torch.manual_seed(0)
    net = FabricBackbone(channel_factor=2, stem_channels=8, num_hidden=1)
    _randomise_arch(net)
    outs = net(torch.randn(2, 3, 64, 48))
    sum(o.pow(2).mean() for o in outs).backward()
    beta_grad = net.fabric.arch_beta.grad.abs().sum(-1)
    rows = {k: r for r, k in enumerate(net.fabric.cell_keys)}
    # l0_s0 reads the stem through three identities: beta cannot matter
    # there (the weights sum to one); every other cell has a gradient
    for key, r in rows.items():
        if key != 'l0_s0':
            assert beta_grad[r] > 0, key
    assert net.fabric.arch_alpha.grad.abs().sum() > 0
    assert all(p.grad is not None for p in net.parameters())


def test_beta_and_alpha_change_output():
    torch.manual_seed(0)
    sub = NeuralFabric(channel_factor=2, num_hidden=1).eval()
    x = _pyramid(sub, 16, 12)
    with torch.no_grad():
        ref = sub(x)[0]
        row = sub.cell_keys.index('l3_s2')  # one 1/16 cell
        sub.arch_beta[row, 2] = 3.0
        changed = sub(x)[0]
        assert not torch.allclose(ref, changed)
        sub.arch_beta.zero_()
        torch.testing.assert_close(sub(x)[0], ref)
        sub.arch_alpha[0, 2] = 2.0
        assert not torch.allclose(ref, sub(x)[0])

    bb = FabricBackbone(channel_factor=2, stem_channels=8).eval()
    img = torch.randn(1, 3, 64, 48)
    with torch.no_grad():
        ref = bb(img)
        row = bb.fabric.cell_keys.index('l2_s3')  # the first 1/32 cell
        bb.fabric.arch_beta[row] = torch.tensor([2.0, -1.0, 0.0])
        new = bb(img)
    torch.testing.assert_close(new[:3], ref[:3])  # only 1/32 changes
    assert not torch.allclose(new[3], ref[3])


def test_input_validation():
    sub = NeuralFabric(channel_factor=2)
    x = _pyramid(sub, 16, 12)
    with pytest.raises(ValueError, match='expects 4 inputs'):
        sub(x[:3])
    with pytest.raises(ValueError, match=r'\(N, 16, H, W\)'):
        sub([x[0], x[0], x[2], x[3]])
    bad = list(x)
    bad[2] = torch.randn(2, 32, 5, 3)
    with pytest.raises(ValueError, match='halve in size'):
        sub(bad)
    bb = NeuralFabric(channel_factor=2, keep='first')
    assert len(bb(torch.randn(1, 8, 16, 12))) == 4  # a bare tensor is fine


def test_arch_state_labels_and_searchable():
    net = FabricBackbone(channel_factor=2, stem_channels=8)
    found = find_searchable(net)
    assert list(found) == ['']  # the fabric is left to its parent
    state = net.arch_state()
    assert set(state) == {'fabric.arch_alpha', 'fabric.arch_beta'}
    assert torch.allclose(state['fabric.arch_beta'].sum(-1), torch.ones(9))
    labels = net.arch_labels()
    assert labels['fabric.arch_beta'] == list(SOURCES)
    assert labels['fabric.arch_alpha'] == list(BACKBONE_CANDIDATES)


def test_frozen_random_architecture_runs():
    """RandomArchHook's setting: arch params drawn, then frozen."""
    sub = NeuralFabric(channel_factor=2)
    named = sorted(named_arch_parameters(sub), key=lambda kv: kv[0])
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for _, p in named:
            p.copy_(torch.randn(p.shape, generator=gen))
            p.requires_grad_(False)
    sub(_pyramid(sub, 16, 12))[0].sum().backward()
    assert sub.arch_alpha.grad is None and sub.arch_beta.grad is None
    assert all(p.grad is not None for n, p in sub.named_parameters()
               if 'arch_' not in n)


# --------------------------------------------------------------------------
# derived (retrain) mode
# --------------------------------------------------------------------------
def _trained_supernet(**kwargs):
    torch.manual_seed(0)
    sup = NeuralFabric(channel_factor=2, **kwargs)
    _randomise_arch(sup)
    x = _pyramid(sup, 16, 12, seed=1)
    sup.train()
    with torch.no_grad():
        for _ in range(2):  # non-trivial BN statistics
            sup(x)
    return sup.eval(), x


def test_derived_equals_supernet_without_pruning():
    sup, x = _trained_supernet(num_hidden=2)
    g = sup.derive_genotype(prune_below=0.0)
    assert g.space == 'NeuralFabric'
    assert g.meta['num_hidden'] == 2 and g.meta['keep'] == 'last'
    assert g.meta['channel_factor'] == 2 and g.meta['num_kept_layers'] == 3
    assert g['beta']['candidates'] == list(SOURCES)
    assert g['beta']['op_names'] is False
    net = NeuralFabric(channel_factor=2, num_hidden=2, genotype=g).eval()
    assert not any('arch_' in n for n, _ in net.named_parameters())
    assert not list(named_arch_parameters(net))
    buffers = dict(net.named_buffers())
    assert buffers['alpha_weights'].shape == (3, 4)
    assert buffers['beta_weights'].shape == (6, 3)
    assert 'alpha_weights' not in net.state_dict()  # the genotype is the
    assert net.arch_labels() == {}  # source of truth
    _weights_from(net, sup)
    with torch.no_grad():
        torch.testing.assert_close(net(x)[0], sup(x)[0], rtol=1e-4,
                                   atol=1e-5)
    # no op pruned, only the never-run 'none' is not built
    assert _n_weights(net) == _n_weights(sup)
    # derive_genotype of a derived net returns its genotype
    assert net.derive_genotype() is net.genotype


def test_pruning_exact_zeros_changes_nothing():
    sup, x = _trained_supernet(num_hidden=2)
    sep = SUBNET_CANDIDATES.index('sep_conv_3x3')
    last = sup.cell_keys.index('l5_s0')
    with torch.no_grad():
        sup.arch_alpha[:, sep] = -1e4  # softmax weight exactly 0
        sup.arch_beta[last, SOURCES.index('coarser')] = -1e4
        ref = sup(x)[0]
    g = sup.derive_genotype(prune_below=0.0)
    assert all(row[sep] == 0.0 for row in g['alpha']['weights'])
    net = NeuralFabric(channel_factor=2, num_hidden=2, genotype=g).eval()
    # l5_s0 no longer reads l4_s1, which was the only reader of l3_s2, the
    # only reader of the 1/32 input
    assert set(net.cells) == {'l3_s0', 'l3_s1', 'l4_s0', 'l5_s0'}
    assert net.input_used == [True, True, True, False]
    assert net.beta_weights.shape == (4, 3)
    assert 'coarser' not in net.cells['l5_s0'].transforms
    for cell in net.cells.values():
        for edge in cell.edges.values():
            assert isinstance(edge.ops[sep], Zero)
            assert edge.candidates[sep] == 'none'
    assert _n_weights(net) < _n_weights(sup)
    _weights_from(net, sup)
    with torch.no_grad():
        torch.testing.assert_close(net(x)[0], ref, rtol=1e-4, atol=1e-5)


def test_prune_below_threshold_and_dead_node():
    sup, x = _trained_supernet(num_hidden=2)
    with torch.no_grad():
        sup.arch_alpha.fill_(-20.0)
        sup.arch_alpha[:, 0] = 20.0  # 'none' dominates every edge
    g = sup.derive_genotype(prune_below=1e-3)
    net = NeuralFabric(channel_factor=2, num_hidden=2, genotype=g).eval()
    for cell in net.cells.values():
        assert len(cell.edges) == 0  # nothing but 'none' left
    _weights_from(net, sup)
    with torch.no_grad():
        out = net(x)[0]
        # every hidden node is zero: the output is the projection's bias
        bias = net.cells['l5_s0'].project.bias.view(1, -1, 1, 1)
        torch.testing.assert_close(out, bias.expand_as(out))
        # pruned mass is ~e-18: the supernet is the same up to it
        torch.testing.assert_close(out, sup(x)[0], rtol=1e-4, atol=1e-5)


def test_derived_backbone_roundtrip(tmp_path):
    torch.manual_seed(0)
    sup = FabricBackbone(channel_factor=2, stem_channels=8, num_hidden=1,
                         out_indices=(0, 2)).eval()
    _randomise_arch(sup)
    g = sup.derive_genotype(prune_below=1e-3, epoch=3)
    assert g.space == 'FabricBackbone' and g.meta['epoch'] == 3
    assert g.meta['keep'] == 'first'
    validate_genotype(g, sup.genotype_spec(), space='FabricBackbone')
    path = g.dump(str(tmp_path / 'fabric.yaml'))
    net = FabricBackbone(channel_factor=2, stem_channels=8, num_hidden=1,
                         out_indices=(0, 2), genotype=path).eval()
    assert not any('arch_' in n for n, _ in net.named_parameters())
    assert net.derive_genotype().to_dict() == g.to_dict()
    _weights_from(net, sup)
    img = torch.randn(1, 3, 64, 48)
    with torch.no_grad():
        for a, b in zip(net(img), sup(img)):
            torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-4)
    other = copy.deepcopy(g)
    other.space = 'NeuralFabric'
    with pytest.raises(GenotypeError, match="derived for 'NeuralFabric'"):
        FabricBackbone(channel_factor=2, stem_channels=8, genotype=other)


def test_bad_genotypes_have_clear_errors():
    h2 = NeuralFabric(channel_factor=2, num_hidden=2).derive_genotype()
    with pytest.raises(GenotypeError, match=r'shape \[3, 4\].*\[1, 4\]'):
        NeuralFabric(channel_factor=2, num_hidden=1, genotype=h2)
    sub = NeuralFabric(channel_factor=2).derive_genotype()
    with pytest.raises(GenotypeError, match='candidates'):
        NeuralFabric(channel_factor=2, candidates=BACKBONE_CANDIDATES,
                     genotype=sub)
    # L=5, n=3 also has 6 cells (3+2+1): the structure in meta catches it
    with pytest.raises(GenotypeError, match='num_layers=6'):
        NeuralFabric(channel_factor=2, num_layers=5, genotype=sub)
    # ... and a genotype without meta has the same shapes, so it builds
    comps = select_fabric_components(sub)
    NeuralFabric(channel_factor=2, num_layers=5, genotype=comps)
    bad = copy.deepcopy(comps)
    bad['beta']['candidates'] = ['same', 'up', 'down']
    with pytest.raises(GenotypeError, match='differ'):
        NeuralFabric(channel_factor=2, genotype=bad)
    bad = copy.deepcopy(comps)
    del bad['beta']['op_names']
    with pytest.raises(GenotypeError, match="op 'same'|unknown candidate"):
        NeuralFabric(channel_factor=2, genotype=bad)
    bad = copy.deepcopy(comps)
    bad['beta']['weights'][-1] = [0.0, 0.0, 0.0]
    with pytest.raises(GenotypeError, match='l5_s0 has every beta'):
        NeuralFabric(channel_factor=2, genotype=bad)
    with pytest.raises(GenotypeError, match=r"missing \['alpha'\]"):
        NeuralFabric(channel_factor=2, genotype={'beta': comps['beta']})


def test_combined_genotype_of_several_fabrics():
    """A parent with several fabrics: one genotype, a slice per fabric."""
    parts = {'head': 1, 'limbs': 2}
    fabrics = {
        p: NeuralFabric(channel_factor=2, num_hidden=h)
        for p, h in parts.items()
    }
    for i, f in enumerate(fabrics.values()):
        _randomise_arch(f, seed=i)
    spec, comps = {}, {}
    for p, f in fabrics.items():
        spec.update(f.genotype_spec(prefix=f'{p}/'))
        comps.update(f.derive_components(prune_below=1e-3, prefix=f'{p}/'))
    assert spec == {
        **fabric_genotype_spec(1, 6, 'last', 3, SUBNET_CANDIDATES, 'head/'),
        **fabric_genotype_spec(2, 6, 'last', 3, SUBNET_CANDIDATES,
                               'limbs/')
    }
    g = Genotype(space='PartHead', components=comps)
    g = validate_genotype(g.to_dict(), spec, space='PartHead')
    for p, h in parts.items():
        net = NeuralFabric(channel_factor=2, num_hidden=h,
                           genotype=NeuralFabric.select_components(
                               g, f'{p}/'))
        assert torch.allclose(
            net.alpha_weights,
            torch.tensor(comps[f'{p}/alpha']['weights'],
                         dtype=torch.float32))
        assert net.derive_components(prefix=f'{p}/') == {
            f'{p}/alpha': comps[f'{p}/alpha'],
            f'{p}/beta': comps[f'{p}/beta']
        }
    with pytest.raises(GenotypeError, match="no component 'arms/alpha'"):
        select_fabric_components(g, 'arms/')


# --------------------------------------------------------------------------
# genotype helpers: continuous components over labels
# --------------------------------------------------------------------------
def test_continuous_label_components():
    spec = continuous_spec((2, 3), SOURCES, op_names=False)
    assert spec['op_names'] is False and spec['candidates'] == list(SOURCES)
    assert 'op_names' not in continuous_spec((2, 2), ['skip', 'none'])
    comp = derive_continuous(torch.zeros(2, 3), SOURCES, op_names=False)
    assert comp['op_names'] is False
    ops_comp = derive_continuous(torch.zeros(2, 2), ['skip', 'none'])
    assert 'op_names' not in ops_comp
    assert ops_comp['candidates'] == ['skip_connect', 'none']
    g = Genotype(space='X', components=dict(b=comp))
    validate_genotype(g, dict(b=spec))
    # labels are not resolved as ops, but must be distinct strings
    with pytest.raises(GenotypeError, match='duplicate labels'):
        Genotype(space='X', components=dict(b=dict(
            type='continuous', op_names=False, candidates=['a', 'a', 'b'],
            weights=[[1, 0, 0]])))
    with pytest.raises(GenotypeError, match='op_names must be'):
        Genotype(space='X', components=dict(b=dict(
            type='continuous', op_names='no', candidates=['a'],
            weights=[[1]])))
    # ops given where labels are expected, and the reverse
    with pytest.raises(GenotypeError, match='the model expects labels'):
        validate_genotype(
            Genotype(space='X', components=dict(
                b=derive_continuous(torch.zeros(2, 3),
                                    ['none', 'skip', 'conv_3x3']))),
            dict(b=spec))
    with pytest.raises(GenotypeError, match='the model expects op names'):
        validate_genotype(g, dict(b=continuous_spec(
            (2, 3), ['none', 'skip', 'conv_3x3'])))
    # op columns still refuse unknown ops
    with pytest.raises(GenotypeError, match='unknown candidate op'):
        Genotype(space='X', components=dict(b=dict(
            type='continuous', candidates=['same'], weights=[[1]])))
