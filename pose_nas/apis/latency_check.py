# Copyright (c) pose_nas contributors. All rights reserved.
"""Check a latency lookup table against direct timings.

A table predicts a net's latency as one call overhead plus the sum of its
parts (:class:`~pose_nas.nas.latency_table.LatencyTable`). Two checks say
how far to trust it on this machine:

- :func:`check_block`: every candidate of one block, timed directly as the
  block of a derived net (the module the net runs, not a freshly built
  one), against the table's entry;
- :func:`check_nets`: whole derived nets (stem, blocks, neck, head; BN
  statistics calibrated) timed end to end against the table's prediction.
"""
import copy
from typing import Any, Dict, List, Sequence

import torch
import torch.nn as nn
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from pose_nas.deploy.bn_calibration import calibrate_bn_stats
from pose_nas.deploy.module_latency import measure_latency
from pose_nas.nas.latency_table import (LatencyTable, budget_module,
                                        model_latency_items)
from pose_nas.nas.mutator import ArchMutator


def derived_model(model_cfg: dict, supernet: nn.Module,
                  choices: Sequence[int]) -> nn.Module:
    """The model of ``model_cfg`` whose budget module is derived with
    candidate ``choices[i]`` at position ``i`` (the supernet's other
    searchable modules derive as usual)."""
    init_default_scope('mmpose')
    mutator = ArchMutator(supernet)
    mutator.record_budget(0.0, choices)
    cfg = copy.deepcopy(model_cfg)
    for name, genotype in mutator.derive_genotypes().items():
        node = cfg
        for part in name.split('.'):
            node = node[part]
        node['genotype'] = genotype.to_dict()
    return MODELS.build(cfg)


def predicted_ms(table: LatencyTable, supernet: nn.Module,
                 choices: Sequence[int]) -> float:
    """The table's latency of the net with ``choices``."""
    fixed, positions = model_latency_items(supernet, table.input_size)
    keys = [i.key for i in fixed]
    keys += [p[int(c)].key for p, c in zip(positions, choices)]
    return table.predict(keys)


def _kw(table: LatencyTable, repeats: int) -> Dict[str, Any]:
    """Time like the table: its runtime and threads and rounds."""
    return dict(runtime=table.runtime, threads=table.threads,
                warmup=max(3, repeats // 5), repeats=repeats,
                rounds=int(table.meta.get('rounds', 3)))


def best_of_passes(modules: Sequence[nn.Module], shape: Sequence[int],
                   passes: int = 3, **kw) -> List[float]:
    """Median latency (ms) of every module, timed in ``passes`` passes over
    all of them (interleaved), the fastest pass kept per module: a shared
    machine's slow stretches then rarely hit every pass of one module."""
    best = [float('inf')] * len(modules)
    for _ in range(max(1, int(passes))):
        for i, m in enumerate(modules):
            best[i] = min(best[i],
                          measure_latency(m, shape, **kw)['median_ms'])
    return best


def calibrated(net: nn.Module, input_size: Sequence[int]) -> nn.Module:
    """``net`` with BN statistics of random data (trained-like scale)."""
    w, h = input_size
    return calibrate_bn_stats(net, torch.randn(
        2, 3, h, w, generator=torch.Generator().manual_seed(0)))


def check_nets(table: LatencyTable, model_cfg: dict, supernet: nn.Module,
               choices_list: Sequence[Sequence[int]],
               repeats: int = 30) -> List[Dict[str, Any]]:
    """Time each derived net end to end (:func:`best_of_passes`); rows
    with ``predicted_ms``, ``measured_ms`` and ``rel_error`` (measured /
    predicted - 1)."""
    w, h = table.input_size
    nets = [calibrated(derived_model(model_cfg, supernet, c), (w, h))
            for c in choices_list]
    measured = best_of_passes(nets, (table.batch_size, 3, h, w),
                              **_kw(table, repeats))
    rows = []
    for choices, ms in zip(choices_list, measured):
        pred = predicted_ms(table, supernet, choices)
        rows.append(dict(choices=[int(c) for c in choices],
                         predicted_ms=pred, measured_ms=ms,
                         rel_error=ms / pred - 1))
    return rows


def check_block(table: LatencyTable, model_cfg: dict, supernet: nn.Module,
                position: int, base: Sequence[int],
                repeats: int = 50) -> List[Dict[str, Any]]:
    """Every candidate of block ``position`` in the net ``base``: the
    derived net's block module timed directly on its input shape, against
    the table's entry (both with the call overhead)."""
    _, positions = model_latency_items(supernet, table.input_size)
    items = positions[position]
    blocks = []
    for j in range(len(items)):
        choices = list(base)
        choices[position] = j
        net = derived_model(model_cfg, supernet, choices)
        blocks.append(_position_module(budget_module(net), position))
    shape = (table.batch_size, ) + items[0].input_shape
    direct = best_of_passes(blocks, shape, **_kw(table, repeats))
    rows = []
    for item, ms in zip(items, direct):
        entry = table.entries[item.key]['median_ms']
        rows.append(dict(key=item.key, table_ms=entry, direct_ms=ms,
                         rel_error=ms / entry - 1))
    return rows


def _position_module(module: nn.Module, position: int) -> nn.Module:
    """The derived module of searchable position ``position``."""
    blocks = getattr(module, 'blocks', None)
    if blocks is None:
        raise TypeError(f'{type(module).__name__} has no blocks list; '
                        'check_block needs one module per position')
    return blocks[position]
