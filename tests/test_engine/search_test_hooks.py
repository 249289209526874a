# Copyright (c) pose_nas contributors. All rights reserved.
"""Hooks and rewards used by the resume and DDP tests (imported by
``tools/train.py`` runs through ``custom_imports``)."""
import json
import os
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from pose_nas.nas.arch import (find_searchable, named_arch_parameters,
                               unwrap_model)
from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import HOOKS


def depth_reward(decisions):
    """Synthetic reward preferring cells 0 and 2 on, cell 1 off."""
    target = [1, 0, 1]
    return sum(int(a == b) for a, b in zip(decisions, target)) / 3.0


@HOOKS.register_module(force=True)
class StopAfterEpochHook(Hook):
    """Interrupt training after an epoch (after its checkpoint is saved)."""
    priority = 'LOWEST'

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 >= self.epoch:
            raise SystemExit(0)


@HOOKS.register_module(force=True)
class DumpNASStateHook(Hook):
    """Write each rank's arch params, decisions and genotypes to JSON."""
    priority = 'LOWEST'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.decisions = []
        self.records = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        for module in find_searchable(runner.model).values():
            if module.decision_space():
                self.decisions.append(module.current_decisions())

    def after_train_epoch(self, runner) -> None:
        model = unwrap_model(runner.model)
        darts = [h for h in runner.hooks
                 if type(h).__name__ == 'DartsArchHook']
        record = dict(
            epoch=runner.epoch,
            arch={n: p.detach().double().tolist()
                  for n, p in named_arch_parameters(model)},
            arch_hex={n: p.detach().numpy().tobytes().hex()
                      for n, p in named_arch_parameters(model)},
            decisions_info=ArchMutator.of(runner.model).decision_record,
            genotypes={k: m.derive_genotype().to_dict()['components']
                       for k, m in find_searchable(model).items()},
            heldout_sampler_epoch=(darts[0].stream.dataloader.sampler.epoch
                                   if darts else None))
        self.records.append(record)
        os.makedirs(self.out_dir, exist_ok=True)
        with open(osp.join(self.out_dir, f'rank{get_rank()}.json'), 'w') as f:
            json.dump(dict(records=self.records,
                           train_decisions=self.decisions), f)


@HOOKS.register_module(force=True)
class DumpStateDictHook(Hook):
    """Save each rank's model state dict after training."""
    priority = 'LOWEST'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def after_run(self, runner) -> None:
        os.makedirs(self.out_dir, exist_ok=True)
        torch.save(unwrap_model(runner.model).state_dict(),
                   osp.join(self.out_dir, f'rank{get_rank()}.pth'))
