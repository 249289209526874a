# Copyright (c) pose_nas contributors. All rights reserved.
"""Tiny searchable problems with known answers, for the engine's tests.

Imported by the tests and by the ``torchrun`` scripts (put this folder on
``sys.path``).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from pose_nas.registry import DATASETS, MODELS
from pose_nas.nas import (Genotype, MixedOp, SearchableMixin, SearchCell,
                          cell_spec, chain_spec, decisions_spec, derive_chain,
                          derive_decisions, derive_edge_normalized)

CANDIDATES = ['none', 'skip_connect', 'avg_pool_3x3', 'max_pool_3x3',
              'conv_1x1']
TARGET_OP = 'avg_pool_3x3'


def target_fn(x: torch.Tensor, op: str = TARGET_OP) -> torch.Tensor:
    """The 'true' op producing the targets (parameter-free)."""
    if op == 'avg_pool_3x3':
        return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    if op == 'max_pool_3x3':
        return F.max_pool2d(x, 3, 1, 1)
    if op == 'skip_connect':
        return x.clone()
    raise KeyError(op)


@DATASETS.register_module(force=True)
class ToyOpDataset(Dataset):
    """``inputs`` ~ N(0, 1) of shape (C, H, W), ``targets = op(inputs)``.

    Args:
        length (int): number of items.
        seed (int): data seed (held-out sets use another seed).
    """

    def __init__(self, length: int = 64, channels: int = 4, size: int = 8,
                 seed: int = 0, op: str = TARGET_OP) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(length, channels, size, size, generator=g)
        self.y = target_fn(self.x, op)
        self.metainfo = dict(name='toy')

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> Dict[str, torch.Tensor]:
        return dict(inputs=self.x[i], targets=self.y[i])


@MODELS.register_module(force=True)
class ToySearchNet(BaseModel, SearchableMixin):
    """One searchable edge (MixedOp) + optional discrete decisions.

    ``arch_alpha`` selects the op; a 'weight' 1x1 conv before it keeps the
    problem from being trivially weight-free. With ``choices`` the module
    also exposes discrete decisions whose values never change the output
    (the reward decides; used for controller tests).
    """

    def __init__(self, candidates: Sequence[str] = CANDIDATES,
                 channels: int = 4, mode: str = 'softmax',
                 choices: Optional[List[int]] = None,
                 genotype: Optional[dict] = None) -> None:
        super().__init__()
        self.candidates = list(candidates)
        self.choices = list(choices or [])
        self.pre = nn.Conv2d(channels, channels, 1)
        nn.init.eye_(self.pre.weight.data.view(channels, channels))
        nn.init.zeros_(self.pre.bias)
        if genotype is None:
            self.edge = MixedOp(channels, channels, 1, candidates, mode=mode)
            self.arch_alpha = nn.Parameter(torch.zeros(len(candidates)))
        else:
            op = genotype['components']['edge']['ops'][0]
            self.edge = MixedOp(channels, channels, 1, mode='fixed',
                                chosen=op)
        self.decisions: Optional[List[int]] = None
        self.seen_decisions: List[List[int]] = []

    def forward(self, inputs, targets=None, mode='tensor'):
        alpha = getattr(self, 'arch_alpha', None)
        out = self.edge(self.pre(inputs), alpha)
        if mode == 'loss':
            if self.decisions is not None:
                self.seen_decisions.append(list(self.decisions))
            return dict(loss=F.mse_loss(out, targets))
        return out

    # SearchableMixin
    def genotype_spec(self):
        spec = dict(edge=chain_spec(1, self.candidates))
        if self.choices:
            spec['branches'] = decisions_spec(self.choices)
        return spec

    def derive_genotype(self, decisions=None, **meta):
        comps = dict(edge=derive_chain(self.arch_alpha[None],
                                       self.candidates))
        if self.choices:
            comps['branches'] = derive_decisions(
                decisions or self.decisions or [0] * len(self.choices),
                self.choices)
        return Genotype(space='ToySearchNet', components=comps, meta=meta)

    def arch_labels(self):
        return dict(arch_alpha=self.candidates)

    def decision_space(self):
        return list(self.choices)

    def apply_decisions(self, decisions):
        self.decisions = None if decisions is None else list(decisions)

    def current_decisions(self):
        return self.decisions


@MODELS.register_module(force=True)
class ToyCellNet(BaseModel, SearchableMixin):
    """A one-node :class:`SearchCell` over two inputs: the data (through a
    1x1 "weight" conv) and fresh noise that carries nothing about the
    targets. A working search puts the target op on the data edge and,
    with edge normalisation, most of the node's weight on that edge
    (derived with one edge per node: the data edge, the target op).
    A 1x1 conv after the cell can undo the channel shuffle of partial
    channels.
    """

    def __init__(self, candidates: Sequence[str] = CANDIDATES,
                 channels: int = 4, mode: str = 'softmax') -> None:
        super().__init__()
        self.candidates = list(candidates)
        self.pre = nn.Conv2d(channels, channels, 1)
        self.post = nn.Conv2d(channels, channels, 1)
        for conv in (self.pre, self.post):
            nn.init.eye_(conv.weight.data.view(channels, channels))
            nn.init.zeros_(conv.bias)
        self.cell = SearchCell([channels, channels], channels, 1,
                               candidates, mode=mode)
        self.arch_alpha = nn.Parameter(torch.zeros(2, len(candidates)))

    def forward(self, inputs, targets=None, mode='tensor'):
        noise = torch.randn_like(inputs)
        out = self.post(self.cell([self.pre(inputs), noise],
                                  self.arch_alpha))
        if mode == 'loss':
            return dict(loss=F.mse_loss(out, targets))
        return out

    def genotype_spec(self):
        return dict(cell=cell_spec(2, 1, self.candidates, max_edges=1))

    def derive_genotype(self, **meta):
        comp = derive_edge_normalized(self.arch_alpha, [self.cell], k=1)
        return Genotype(space='ToyCellNet', components=dict(cell=comp),
                        meta=meta)


def toy_loader(length=64, seed=0, batch_size=16, shuffle=True):
    return dict(
        batch_size=batch_size,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=shuffle),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='ToyOpDataset', length=length, seed=seed))


TARGET_DECISIONS = [2, 0, 3, 1]


def decision_reward(decisions: Sequence[int]) -> float:
    """Synthetic reward: fraction of decisions equal to
    :data:`TARGET_DECISIONS`."""
    return sum(int(a == b) for a, b in zip(decisions, TARGET_DECISIONS)) / \
        len(TARGET_DECISIONS)


def toy_cfg(work_dir: str, strategy: str = 'joint', hooks=None,
            max_epochs: int = 10, lr: float = 0.05,
            arch_lr: float = 0.05, choices=None, mode='softmax',
            optimizer: Optional[dict] = None) -> dict:
    """A runner config for the toy problem."""
    arch = dict(strategy=strategy)
    if strategy == 'joint':
        arch['lr'] = arch_lr
    elif strategy == 'separate':
        arch['optimizer'] = dict(type='Adam', lr=arch_lr,
                                 betas=(0.5, 0.999), weight_decay=0.0)
    return dict(
        model=dict(type='ToySearchNet', choices=choices, mode=mode),
        work_dir=work_dir,
        experiment_name=osp.basename(osp.normpath(work_dir)) + '_' +
        str(abs(hash(work_dir))),
        train_dataloader=toy_loader(64, seed=0),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(
            constructor='NASOptimWrapperConstructor',
            optimizer=optimizer or dict(type='Adam', lr=lr),
            arch=arch),
        custom_hooks=list(hooks or []),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=50),
            checkpoint=dict(type='CheckpointHook', interval=1000)),
        randomness=dict(seed=0, deterministic=True),
        default_scope='mmpose',
        log_level='WARNING')


def toy_search_cfg(work_dir: str, search: dict, max_epochs: int = 10,
                   lr: float = 0.05, model: Optional[dict] = None,
                   optimizer: Optional[dict] = None) -> dict:
    """A runner config for the toy problem that selects its strategy the
    way configs do: ``train_cfg.search`` of a ``NASEpochBasedTrainLoop``."""
    cfg = toy_cfg(work_dir, max_epochs=max_epochs, lr=lr,
                  optimizer=optimizer)
    cfg['optim_wrapper'].pop('arch')
    cfg['train_cfg'] = dict(type='NASEpochBasedTrainLoop',
                            max_epochs=max_epochs, search=search)
    if model is not None:
        cfg['model'] = model
    return cfg


HERE = osp.dirname(osp.abspath(__file__))
