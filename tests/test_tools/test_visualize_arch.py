# Copyright (c) pose_nas contributors. All rights reserved.
"""Genotype drawings, search-history plots and tools/visualize_arch.py."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.image import imread

from pose_nas.nas.genotype import Genotype
from pose_nas.visualization import (draw_genotype, plot_arch_history,
                                    read_arch_history)
from pose_nas.visualization.genotype_drawing import _genotype_figure

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'visualize_arch.py')

CELL_OPS = ['sep_conv_3x3', 'skip_connect', 'conv_3x3', 'dil_conv_3x3_r2',
            'avg_pool_3x3', 'max_pool_3x3']
CHAIN_OPS = ['ir_k3_e6', 'ir_k5_e3', 'skip_connect', 'ir_k7_e6']
CANDS = ['none', 'skip_connect', 'sep_conv_3x3']


def _genotype() -> Genotype:
    return Genotype(
        space='CellSearchBackbone',
        components=dict(
            normal=dict(
                type='cell',
                num_inputs=2,
                nodes=[[[CELL_OPS[0], 0], [CELL_OPS[1], 1]],
                       [[CELL_OPS[2], 1], [CELL_OPS[3], 2]],
                       [[CELL_OPS[4], 0], [CELL_OPS[5], 3]]],
                concat=[2, 3, 4]),
            blocks=dict(type='chain', ops=list(CHAIN_OPS)),
            fabric=dict(
                type='continuous',
                candidates=list(CANDS),
                weights=[[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]),
            depth=dict(type='decisions', choices=[2, 3, 2],
                       values=[1, 2, 0])),
        meta=dict(epoch=3, rule='test'))


def _history(decisions: bool = True, one_d: bool = False) -> list:
    g = _genotype().to_dict()
    records = []
    for epoch in (1, 2, 3):
        s = epoch / 3
        normal = [[0.4 - 0.1 * s, 0.3, 0.3 + 0.1 * s],
                  [0.3, 0.4 - 0.1 * s, 0.3 + 0.1 * s]]
        beta = [0.5 + 0.1 * s, 0.5 - 0.1 * s]
        rec = dict(
            epoch=epoch,
            iter=40 * epoch,
            arch={
                'backbone.arch_alpha_normal':
                dict(labels=list(CANDS), weights=normal,
                     entropy=1.0 - 0.1 * epoch),
                'backbone.arch_beta':
                dict(labels=['a', 'b'],
                     weights=beta if one_d else [beta],
                     entropy=0.9 - 0.2 * epoch),
            },
            genotypes={'backbone': g})
        if decisions:
            rec['decisions'] = {
                '': dict(choices=[2, 2],
                         probs=[[0.5 - 0.1 * s, 0.5 + 0.1 * s], [0.6, 0.4]],
                         greedy=[1, 0], best=None)
            }
        records.append(rec)
    return records


def _write_history(path, records) -> str:
    with open(path, 'w') as f:
        for rec in records:
            f.write(json.dumps(rec) + '\n')
    return str(path)


def _assert_png(path) -> None:
    assert osp.isfile(path), path
    img = imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    assert np.ptp(img[..., :3]) > 0  # not a blank canvas


def _run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)


def _load_tool_module():
    spec = importlib.util.spec_from_file_location(
        'visualize_arch_tool', osp.join(REPO_ROOT, TOOL))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------
@pytest.mark.parametrize('form', ['genotype', 'dict', 'json', 'yaml'])
def test_draw_genotype_all_components(tmp_path, form):
    g = _genotype()
    src = {'genotype': g, 'dict': g.to_dict()}.get(form)
    if src is None:
        src = g.dump(str(tmp_path / f'g.{form}'))
    out = draw_genotype(src, str(tmp_path / 'sub' / 'g.png'), title='T')
    assert out == str(tmp_path / 'sub' / 'g.png')
    _assert_png(out)


def test_genotype_figure_shows_ops_and_panels():
    fig = _genotype_figure(_genotype())
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    for op in CELL_OPS + CHAIN_OPS:
        assert op in texts, op
    for label in ('in 0', 'in 1', 'b0', 'b3', 'd2\n0/2', '0.70'):
        assert label in texts, label
    titles = [ax.get_title(loc='left') for ax in fig.axes]
    for t in ('normal (cell)', 'blocks (chain)', 'fabric (continuous)',
              'depth (decisions)'):
        assert t in titles
    heat = [ax for ax in fig.axes if ax.get_title(loc='left') ==
            'fabric (continuous)'][0]
    assert [t.get_text() for t in heat.get_xticklabels()] == CANDS
    assert fig._suptitle.get_text() == 'CellSearchBackbone (epoch 3)'


def test_continuous_1d_weights(tmp_path):
    g = Genotype(space='S', components=dict(
        w=dict(type='continuous', candidates=CANDS, weights=[0.2, 0.3, 0.5])))
    _assert_png(draw_genotype(g, str(tmp_path / 'c.png')))


@pytest.mark.parametrize('decisions,one_d', [(True, False), (False, False),
                                             (True, True)])
def test_plot_arch_history(tmp_path, decisions, one_d):
    out = plot_arch_history(_history(decisions, one_d),
                            str(tmp_path / 'h.png'))
    _assert_png(out)


def test_plot_arch_history_sparse_and_empty(tmp_path):
    hist = _history()
    del hist[0]['arch']['backbone.arch_beta']  # appears later
    hist[1].pop('decisions')
    hist[2]['arch'] = {}
    _assert_png(plot_arch_history(hist, str(tmp_path / 'sparse.png')))
    # decisions only (a controller search without arch params)
    only = [dict(epoch=1, arch={}, decisions={'backbone': dict(
        choices=[3], probs=[[0.2, 0.3, 0.5]])})]
    _assert_png(plot_arch_history(only, str(tmp_path / 'only.png')))
    with pytest.raises(ValueError, match='empty'):
        plot_arch_history([], str(tmp_path / 'e.png'))


def test_read_arch_history(tmp_path):
    path = _write_history(tmp_path / 'h.jsonl', _history())
    with open(path, 'a') as f:
        f.write('\n')  # blank lines are skipped
    recs = read_arch_history(path)
    assert [r['epoch'] for r in recs] == [1, 2, 3]
    with pytest.raises(FileNotFoundError, match='not found'):
        read_arch_history(str(tmp_path / 'missing.jsonl'))
    bad = tmp_path / 'bad.jsonl'
    bad.write_text(json.dumps(_history()[0]) + '\n{"epoch": 2, "arch": \n')
    with pytest.raises(ValueError, match='line 2'):
        read_arch_history(str(bad))
    notobj = tmp_path / 'list.jsonl'
    notobj.write_text('[1, 2]\n')
    with pytest.raises(ValueError, match='line 1'):
        read_arch_history(str(notobj))


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------
def test_cli_genotype_file(tmp_path):
    gfile = _genotype().dump(str(tmp_path / 'genotype_backbone.yaml'))
    res = _run_tool(gfile)
    assert res.returncode == 0, res.stderr
    expected = tmp_path / 'genotype_backbone.png'
    assert str(expected) in res.stdout
    _assert_png(expected)


def test_cli_workdir(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    hist = _history()
    hist[-1]['genotypes'][''] = _genotype().to_dict()
    _write_history(work / 'arch_history.jsonl', hist)
    res = _run_tool(work)
    assert res.returncode == 0, res.stderr
    out = work / 'arch_vis'
    for name in ('genotype_backbone.png', 'genotype_model.png',
                 'arch_history.png'):
        assert str(out / name) in res.stdout
        _assert_png(out / name)


def test_cli_in_process_options(tmp_path, capsys):
    tool = _load_tool_module()
    gfile = _genotype().dump(str(tmp_path / 'g.json'))
    hfile = _write_history(tmp_path / 'other.jsonl', _history(False, True))
    written = tool.main([gfile, '--out-dir', str(tmp_path / 'o'),
                         '--history', hfile, '--title', 'mine'])
    assert written == [str(tmp_path / 'o' / 'g.png'),
                       str(tmp_path / 'o' / 'arch_history.png')]
    for p in written:
        _assert_png(p)
    # a work dir with --history elsewhere and --out-dir
    work = tmp_path / 'w'
    work.mkdir()
    written = tool.main([str(work), '--history', hfile, '--out-dir',
                         str(tmp_path / 'o2')])
    assert sorted(osp.basename(p) for p in written) == [
        'arch_history.png', 'genotype_backbone.png']
    # the history file itself as positional
    written = tool.main([hfile])
    assert written[-1] == str(tmp_path / 'arch_vis' / 'arch_history.png')
    assert str(tmp_path / 'arch_vis' / 'arch_history.png') in \
        capsys.readouterr().out
    # bad inputs: clear messages, non-zero exits
    bad = tmp_path / 'bad.jsonl'
    bad.write_text('{"epoch": 1}\nnot json\n')
    with pytest.raises(SystemExit, match='line 2'):
        tool.main([str(bad)])
    broken = tmp_path / 'broken.json'
    broken.write_text(json.dumps(dict(space='S', components=dict(
        c=dict(type='chain', ops=['no_such_op'])))))
    with pytest.raises(SystemExit, match='no_such_op'):
        tool.main([str(broken)])


def test_cli_errors(tmp_path):
    res = _run_tool(tmp_path / 'does_not_exist.json')
    assert res.returncode != 0
    assert 'path not found' in res.stderr
    assert 'does_not_exist.json' in res.stderr
    empty = tmp_path / 'empty_work'
    empty.mkdir()
    res = _run_tool(empty)
    assert res.returncode != 0
    assert 'arch_history.jsonl' in res.stderr
