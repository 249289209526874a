# Copyright (c) pose_nas contributors. All rights reserved.
"""The cheap strategies, selected the way configs do (``train_cfg.search``):
single path (``'gdas'``) and partial channels (``'pc'``) still find the
toy task's target op, and run as intended inside MMEngine's loop."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from toy_search import (CANDIDATES, TARGET_OP, toy_loader,  # noqa: E402
                        toy_search_cfg)

from pose_nas.nas.mixed_op import MixedOp  # noqa: E402

TARGET = CANDIDATES.index(TARGET_OP)
CELL_NET = dict(type='ToyCellNet')


def _darts(**kw):
    return dict(arch_dataloader=toy_loader(32, seed=1), **kw)


def _arch(lr=0.05):
    return dict(type='Adam', lr=lr, betas=(0.5, 0.999), weight_decay=0.0)


def _run(cfg, *hooks):
    runner = Runner.from_cfg(cfg)
    for hook in hooks:
        runner.register_hook(hook, priority='LOWEST')
    runner.train()
    return runner


class OpCalls(Hook):
    """Per searchable edge, how many candidate ops each forward ran."""

    def before_train(self, runner):
        self.calls = {}
        for name, edge in runner.model.named_modules():
            if not isinstance(edge, MixedOp):
                continue
            self.calls[name] = []
            edge.register_forward_pre_hook(
                lambda m, a, n=name: self.calls[n].append(0))
            for op in edge.ops:
                op.register_forward_hook(
                    lambda m, a, o, n=name: self.calls[n].__setitem__(
                        -1, self.calls[n][-1] + 1))

    def before_train_epoch(self, runner):
        edge = next(m for m in runner.model.modules()
                    if isinstance(m, MixedOp))
        self.taus = getattr(self, 'taus', []) + [(edge.tau, edge.hard)]


def test_gdas_runs_one_sampled_op_per_edge_and_trains_the_logits(tmp_path):
    calls = OpCalls()
    cfg = toy_search_cfg(
        str(tmp_path), dict(strategy='darts1+gdas', darts=_darts(),
                            arch_optimizer=_arch()),
        max_epochs=3, model=CELL_NET)
    runner = _run(cfg, calls)
    assert set(calls.calls) == {'cell.edges.0', 'cell.edges.1'}
    for forwards in calls.calls.values():
        # an arch step (held-out batch) and a weight step per iteration
        assert len(forwards) == 2 * 3 * 4
        assert set(forwards) == {1}  # one op ran, never more
    # GDAS's schedule: straight-through from the start, tau 10 -> 0.1
    assert [h for _, h in calls.taus] == [True] * 3
    assert [t for t, _ in calls.taus] == pytest.approx([10, 5.05, 0.1])
    hook = [h for h in runner.hooks if type(h).__name__ == 'DartsArchHook']
    assert hook[0].arch_steps == 3 * 4
    assert runner.model.arch_alpha.abs().sum() > 0  # the logits learned


def test_gdas_finds_the_target_op(tmp_path):
    # without 'none': a sampled 'none' outputs zero, so its one-hot weight
    # gets no gradient, and on this task the target op's gradient is zero
    # too (it reproduces the targets): nothing would tell them apart
    cands = CANDIDATES[1:]
    cfg = toy_search_cfg(
        str(tmp_path), dict(strategy='darts1+gdas', darts=_darts(),
                            arch_optimizer=_arch(),
                            gdas=dict(tau_start=2.0, tau_end=0.5)),
        max_epochs=8, model=dict(type='ToySearchNet', candidates=cands))
    runner = _run(cfg)
    alpha = runner.model.arch_alpha.detach()
    assert cands[int(alpha.argmax())] == TARGET_OP, alpha
    assert runner.model.edge.mode == 'gumbel' and runner.model.edge.hard


def _ids(wrapper):
    return {id(p) for g in wrapper.param_groups for p in g['params']}


def test_pc_darts_finds_the_target_op(tmp_path):
    cfg = toy_search_cfg(
        str(tmp_path), dict(strategy='darts1+pc', darts=_darts(),
                            arch_optimizer=_arch(), pc=dict(k=2)),
        max_epochs=8)
    runner = _run(cfg)
    model = runner.model
    alpha = model.arch_alpha.detach()
    assert int(alpha.argmax()) == TARGET, alpha
    assert model.edge.partial_channels == 2
    assert model.edge.ops[4][1].weight.shape[:2] == (2, 2)  # conv 1x1
    # the optimizers hold the rebuilt edge's weights, not the old ones
    weights = {id(p) for n, p in model.named_parameters() if 'arch_' not in n}
    assert _ids(runner.optim_wrapper['weight']) == weights
    assert _ids(runner.optim_wrapper['arch']) == {id(model.arch_alpha)}


def test_pc_with_edge_normalisation_finds_the_data_edge(tmp_path):
    cfg = toy_search_cfg(
        str(tmp_path), dict(strategy='darts1+pc', darts=_darts(),
                            arch_optimizer=_arch(), pc=dict(k=2)),
        max_epochs=8, model=CELL_NET)
    runner = _run(cfg)
    cell = runner.model.cell
    beta = cell.arch_beta['node0']
    assert _ids(runner.optim_wrapper['arch']) == {
        id(runner.model.arch_alpha), id(beta)}
    assert float(beta.detach().softmax(-1)[0]) > 0.7, beta  # data edge
    genotype = runner.model.derive_genotype()
    assert genotype['cell']['nodes'] == [[[TARGET_OP, 0]]]


def test_sync_pc_puts_beta_in_the_arch_group(tmp_path):
    cfg = toy_search_cfg(str(tmp_path), dict(strategy='sync+pc'),
                         max_epochs=1, model=CELL_NET)
    runner = _run(cfg)
    groups = runner.optim_wrapper.optimizer.param_groups
    arch = [g for g in groups if g.get('name') == 'arch'][0]
    beta = runner.model.cell.arch_beta['node0']
    assert {id(p) for p in arch['params']} == {
        id(runner.model.arch_alpha), id(beta)}
    assert beta.abs().sum() > 0  # stepped with the weights


def test_a_pc_search_resumes_exactly(tmp_path):
    def cfg(work_dir, epochs):
        c = toy_search_cfg(
            str(work_dir), dict(strategy='darts1+gdas+pc', darts=_darts(),
                                arch_optimizer=_arch(), pc=dict(k=2)),
            max_epochs=epochs, model=CELL_NET)
        c['default_hooks']['checkpoint'] = dict(type='CheckpointHook',
                                                interval=1)
        return c

    full = _run(cfg(tmp_path / 'a', 2))
    _run(cfg(tmp_path / 'b', 1))
    resumed = cfg(tmp_path / 'b', 2)
    resumed.update(resume=True, load_from=str(tmp_path / 'b' / 'epoch_1.pth'),
                   experiment_name=resumed['experiment_name'] + '_resumed')
    resumed = _run(resumed)
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert set(a) == set(b) and 'cell.arch_beta.node0' in a
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.slow
def test_pc_gdas_search_on_the_engine_space_derives(tmp_path):
    """MMPose's train tool runs ``'darts1+gdas+pc'`` on the engine's
    reference space; the derive tool builds the search config's model,
    which the checkpoint switches to partial channels when it loads."""
    import json
    import subprocess

    from mmengine.config import Config

    from pose_nas.apis.derive import derive_arch, load_search_checkpoint
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.nas import load_genotype
    from pose_nas.workflows import retarget_config

    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    generate_synthetic_dataset(str(tmp_path / 'data'),
                               splits={'train': 24, 'val': 8}, seed=0,
                               formats=('coco', ))
    cfg = Config.fromfile(osp.join(
        repo, 'configs/nas_engine/'
        'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py'))
    retarget_config(cfg, str(tmp_path / 'data/coco'), max_epochs=2,
                    num_workers=0)
    cfg.train_cfg.search.strategy = 'darts1+gdas+pc'
    cfg.train_cfg.search.pc = dict(k=2)
    cfg.train_cfg.search.darts.warmup_epochs = 0
    cfg.train_dataloader.batch_size = 8
    cfg_path = str(tmp_path / 'search.py')
    cfg.dump(cfg_path)
    work = str(tmp_path / 'work')
    proc = subprocess.run(
        [sys.executable, osp.join(repo, 'tools/train.py'), cfg_path,
         '--work-dir', work], cwd=repo, capture_output=True, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ckpt = osp.join(work, 'epoch_2.pth')
    state = load_search_checkpoint(ckpt)['state_dict']
    assert int(state['backbone.cells.0.edges.0.pc_k']) == 2
    beta = state['backbone.cells.0.arch_beta.node1']
    assert beta.abs().sum() > 0  # stepped on the held-out split
    history = [json.loads(line) for line in
               open(osp.join(work, 'arch_history.jsonl'))]
    assert 'backbone.cells.0.arch_beta.node1' in history[-1]['arch']
    out = derive_arch(cfg_path, ckpt, str(tmp_path / 'derived'),
                      retrain_config=osp.join(
                          repo, 'configs/nas_engine/'
                          'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'))
    genotype = load_genotype(out['genotypes']['backbone'])
    assert genotype.space == 'CellSearchBackbone'


@pytest.mark.slow
def test_pc_under_ddp_ranks_stay_identical(tmp_path):
    """The edges rebuilt after the model was wrapped for DDP train on every
    rank alike (the model is wrapped again)."""
    import os
    import subprocess

    from mmengine.config import Config

    here = osp.dirname(osp.abspath(__file__))
    repo = osp.dirname(osp.dirname(here))
    cfg = toy_search_cfg(
        str(tmp_path / 'w'), dict(strategy='darts1+pc', darts=_darts(),
                                  arch_optimizer=_arch(), pc=dict(k=2)),
        max_epochs=2, model=CELL_NET)
    cfg.update(
        custom_imports=dict(imports=['pose_nas', 'toy_search',
                                     'search_test_hooks'],
                            allow_failed_imports=False),
        custom_hooks=[dict(type='DumpStateDictHook',
                           out_dir=str(tmp_path / 'dump'))],
        model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                               find_unused_parameters=True),
        env_cfg=dict(cudnn_benchmark=False,
                     dist_cfg=dict(backend='gloo')))
    path = str(tmp_path / 'ddp.py')
    Config(cfg).dump(path)
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=here + os.pathsep + os.environ.get('PYTHONPATH',
                                                             ''))
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         '--standalone', osp.join(repo, 'tools/train.py'), path,
         '--launcher', 'pytorch'], cwd=repo, env=env, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r0, r1 = (torch.load(str(tmp_path / 'dump' / f'rank{r}.pth'))
              for r in (0, 1))
    assert int(r0['cell.edges.0.pc_k']) == 2
    params = [k for k in r0 if not k.endswith(
        ('running_mean', 'running_var', 'num_batches_tracked'))]  # per rank
    assert 'cell.edges.0.ops.4.1.weight' in params
    for key in params:
        assert torch.equal(r0[key], r1[key]), key
