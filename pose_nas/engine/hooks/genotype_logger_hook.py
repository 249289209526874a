# Copyright (c) pose_nas contributors. All rights reserved.
"""Per-epoch log of the current genotype, arch weights and entropies."""
import json
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook

from pose_nas.nas.arch import (find_searchable, is_arch_param_name,
                               normalized_entropy, unwrap_model)
from pose_nas.registry import HOOKS


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
        self.interval = interval
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
        model = unwrap_model(runner.model)
        arch: Dict[str, Any] = {}
        genotypes: Dict[str, Any] = {}
        hub_decisions = runner.message_hub.get_info('nas_decisions')
        for prefix, module in find_searchable(model).items():
            labels = module.arch_labels() if hasattr(module,
                                                     'arch_labels') else {}
            for pname, p in module.named_parameters():
                if not is_arch_param_name(pname):
                    continue
                full = f'{prefix}.{pname}' if prefix else pname
                weights = p.detach().float().softmax(-1)
                arch[full] = dict(
                    labels=labels.get(pname,
                                      [str(i) for i in range(p.shape[-1])]),
                    weights=weights.tolist(),
                    entropy=normalized_entropy(p.detach()))
            kwargs = dict(self.derive_kwargs)
            if hub_decisions and hub_decisions.get('best') is not None and \
                    module.decision_space():
                kwargs['decisions'] = hub_decisions['best']
            elif hub_decisions and module.decision_space():
                kwargs['decisions'] = hub_decisions['greedy']
            budget_choices = runner.message_hub.get_info(
                'nas_budget_choices')
            if budget_choices is not None and hasattr(module, 'cost_table'):
                kwargs['choices'] = budget_choices
            genotype = module.derive_genotype(
                epoch=runner.epoch + 1, **kwargs)
            genotypes[prefix] = genotype.to_dict()
        record = dict(
            epoch=runner.epoch + 1,
            iter=runner.iter + 1,
            arch=arch,
            genotypes=genotypes)
        if hub_decisions:
            record['decisions'] = {'': hub_decisions}
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
