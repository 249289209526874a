# Copyright (c) pose_nas contributors. All rights reserved.
"""Per-epoch log of the current genotype, arch weights and entropies."""
import json
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook

from pose_nas.nas.mutator import ArchMutator
from pose_nas.registry import HOOKS
from pose_nas.utils.checks import check_int


@HOOKS.register_module()
class GenotypeLoggerHook(Hook):
    """Write the search's state every ``interval`` epochs.

    For every searchable module of the model it derives the current
    genotype (``derive_genotype()``) and records, per architecture
    parameter, its softmax weights and normalized entropy (0 = decided,
    1 = uniform). Outputs, in the work dir:

    - ``arch_history.jsonl``: one JSON line per logged epoch with keys
      ``epoch``, ``iter``, ``arch`` (name -> labels / weights / entropy),
      ``decisions`` (controller summary, if a controller hook runs) and
      ``genotypes`` (module -> genotype dict); read by
      ``tools/visualize_arch.py``;
    - ``genotypes/epoch_{N}[_{module}].json``: the genotype files;
    - scalars ``arch/entropy/<param>`` in the log.

    Args:
        interval (int): epochs between records.
        out_dir (str, optional): defaults to the runner's work dir.
        derive_kwargs (dict, optional): passed to ``derive_genotype``.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self,
                 interval: int = 1,
                 out_dir: Optional[str] = None,
                 derive_kwargs: Optional[dict] = None) -> None:
        self.interval = check_int(interval, 'GenotypeLoggerHook: interval', 1)
        self.out_dir = out_dir
        self.derive_kwargs = dict(derive_kwargs or {})

    def after_train_epoch(self, runner) -> None:
        if not self.every_n_epochs(runner, self.interval) and \
                runner.epoch + 1 != runner.max_epochs:
            return
        record = self.collect(runner)
        for name, info in record['arch'].items():
            runner.message_hub.update_scalar(f'train/arch_entropy/{name}',
                                             info['entropy'])
        self._write(runner, record)

    def collect(self, runner) -> Dict[str, Any]:
        """The record of this epoch, read through the model's
        :class:`~pose_nas.nas.mutator.ArchMutator`."""
        mutator = ArchMutator.of(runner.model)
        genotypes = mutator.derive_genotypes(epoch=runner.epoch + 1,
                                             **self.derive_kwargs)
        record = dict(
            epoch=runner.epoch + 1,
            iter=runner.iter + 1,
            arch=mutator.arch_state(),
            genotypes={k: g.to_dict() for k, g in genotypes.items()})
        if mutator.decision_record:
            record['decisions'] = {'': mutator.decision_record}
        return record

    @master_only
    def _write(self, runner, record: Dict[str, Any]) -> None:
        out_dir = self.out_dir or runner.work_dir
        gdir = osp.join(out_dir, 'genotypes')
        os.makedirs(gdir, exist_ok=True)
        with open(osp.join(out_dir, 'arch_history.jsonl'), 'a') as f:
            f.write(json.dumps(record) + '\n')
        for prefix, genotype in record['genotypes'].items():
            suffix = f'_{prefix.replace(".", "_")}' if prefix else ''
            path = osp.join(gdir, f'epoch_{record["epoch"]}{suffix}.json')
            with open(path, 'w') as f:
                json.dump(genotype, f, indent=2)
