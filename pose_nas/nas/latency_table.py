# Copyright (c) pose_nas contributors. All rights reserved.
"""Latency lookup tables: per-candidate latency of a search space, measured
on one machine and runtime (FBNet / ProxylessNAS style budgets).

A searchable module that supports latency budgets implements
``latency_items(input_size)`` (declared on
:class:`~pose_nas.nas.arch.SearchableMixin`): the :class:`LatencyItem` of
its fixed parts and, per searchable position, of every candidate there.
Each item has a *key* that names what is timed (op, input shape, output
width, stride), so positions of equal shape share one entry.
:func:`model_latency_items` adds the neck + head of the model, so a budget
is for the whole model.

:func:`build_latency_table` times every distinct item once
(:func:`~pose_nas.deploy.module_latency.measure_latency`) and the cost of
one empty call of the runtime; :class:`LatencyTable` stores them with the
machine description (``tools/build_latency_table.py`` writes the files).
The latency of a net is predicted as one call overhead plus, per item, its
median minus the call overhead; :func:`latency_cost_tables` gives the
fixed part and the per-position tables that
:class:`~pose_nas.nas.cost.ArchBudget` uses like its FLOPs tables.
"""
import copy
import json
import math
import os.path as osp
from typing import (Any, Callable, Dict, List, NamedTuple, Optional,
                    Sequence, Tuple)

import torch
import torch.nn as nn

from .arch import find_searchable

FORMAT = 'pose_nas.latency_table/1'


class LatencyItem(NamedTuple):
    """One timed part: ``key`` names it, ``build()`` makes a fresh module
    of it, ``input_shape`` is its ``(C, H, W)`` input."""
    key: str
    build: Callable[[], nn.Module]
    input_shape: Tuple[int, int, int]


class _NeckHead(nn.Module):
    """Neck (if any) then the head's ``forward`` on backbone features."""

    def __init__(self, neck: Optional[nn.Module], head: nn.Module) -> None:
        super().__init__()
        self.neck = neck
        self.head = head

    def forward(self, x: torch.Tensor):
        feats = (x, )
        if self.neck is not None:
            feats = self.neck(feats)
        return self.head.forward(feats)


def budget_module(model: nn.Module) -> nn.Module:
    """The searchable module of ``model`` that has latency items."""
    modules = [m for m in find_searchable(model).values()
               if m.supports_latency]
    if not modules:
        raise RuntimeError(
            f'latency budgets need a searchable module with latency items '
            f'(e.g. EfficientPoseBackbone); {type(model).__name__} has none')
    return modules[0]


def model_latency_items(model: nn.Module, input_size: Tuple[int, int]
                        ) -> Tuple[List[LatencyItem],
                                   List[List[LatencyItem]]]:
    """The fixed items and per-position candidate items of ``model`` at
    ``input_size = (w, h)``; when the budget module is the backbone, the
    neck + head on its output is one more fixed item (keyed by class names,
    parameter count and input shape)."""
    module = budget_module(model)
    fixed, positions = module.latency_items(tuple(input_size))
    head = getattr(model, 'head', None)
    if head is not None and module is getattr(model, 'backbone', None):
        w, h = input_size
        ref = next(module.parameters())
        was = module.training
        module.eval()
        with torch.no_grad():
            feat = module(torch.zeros(1, 3, h, w, device=ref.device))[-1]
        module.train(was)
        neck = getattr(model, 'neck', None)
        part = _NeckHead(neck, head)
        n_params = sum(p.numel() for p in part.parameters())
        names = '+'.join(type(m).__name__ for m in (neck, head) if m)
        shape = tuple(int(s) for s in feat.shape[1:])
        key = f'{names}[{n_params}]@{"x".join(map(str, shape))}'
        fixed = list(fixed) + [
            LatencyItem(key, lambda: copy.deepcopy(part).cpu().float(), shape)
        ]
    return list(fixed), [list(p) for p in positions]


class LatencyTable:
    """Measured latencies (ms) of the parts of a search space on one
    runtime of one machine.

    Args:
        runtime (str): ``'onnxruntime'`` or ``'pytorch'``.
        input_size (tuple): ``(w, h)`` of the model input it was built for.
        batch_size (int): batch size of the timings.
        threads (int): intra-op threads of the timings.
        call_overhead_ms (float): median of one empty call.
        entries (dict): key -> timing dict with ``median_ms``.
        machine (dict): the machine and software (``machine_info``).
        meta (dict): anything else (config, space, checks).
    """

    def __init__(self, runtime: str, input_size: Sequence[int],
                 batch_size: int, threads: int, call_overhead_ms: float,
                 entries: Dict[str, Dict[str, Any]],
                 machine: Optional[Dict[str, Any]] = None,
                 meta: Optional[Dict[str, Any]] = None,
                 source: str = '<memory>') -> None:
        self.runtime = runtime
        self.input_size = tuple(int(s) for s in input_size)
        self.batch_size = int(batch_size)
        self.threads = int(threads)
        self.call_overhead_ms = float(call_overhead_ms)
        self.entries = dict(entries)
        self.machine = dict(machine or {})
        self.meta = dict(meta or {})
        self.source = source
        bad = [k for k, v in self.entries.items()
               if not _positive_finite(v.get('median_ms'))]
        if bad or not (_positive_finite(self.call_overhead_ms)):
            what = f'entry {bad[0]!r}' if bad else 'call_overhead_ms'
            raise ValueError(f'latency table {source}: {what} is not a '
                             'finite latency > 0')

    def ms(self, key: str) -> float:
        """Latency of ``key`` without the call overhead (>= 0)."""
        if key not in self.entries:
            raise KeyError(
                f'latency table {self.source} has no entry {key!r} (built '
                f'for {self.meta.get("config", "?")} at input '
                f'{self.input_size}); rebuild it with '
                'tools/build_latency_table.py')
        return max(self.entries[key]['median_ms'] - self.call_overhead_ms,
                   0.0)

    def predict(self, keys: Sequence[str]) -> float:
        """Predicted latency of a net made of the parts ``keys``."""
        return self.call_overhead_ms + sum(self.ms(k) for k in keys)

    def to_dict(self) -> Dict[str, Any]:
        return dict(format=FORMAT, runtime=self.runtime,
                    input_size=list(self.input_size),
                    batch_size=self.batch_size, threads=self.threads,
                    call_overhead_ms=self.call_overhead_ms,
                    machine=self.machine, meta=self.meta,
                    entries=self.entries)

    def save(self, path: str) -> str:
        with open(path, 'w') as f:
            json.dump(self.to_dict(), f, indent=1, sort_keys=True)
            f.write('\n')
        return path

    @classmethod
    def load(cls, path: str) -> 'LatencyTable':
        """Read a table written by :meth:`save`; a missing file, another
        format or a bad entry is a one-line error naming the file."""
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'latency table {path} does not exist; build it with '
                'tools/build_latency_table.py')
        try:
            with open(path) as f:
                data = json.load(f)
        except ValueError as e:
            raise ValueError(f'latency table {path} is not JSON: {e}') from e
        if not isinstance(data, dict) or data.get('format') != FORMAT:
            raise ValueError(f'{path} is not a latency table (format '
                             f'{FORMAT!r} expected)')
        keys = ('runtime', 'input_size', 'batch_size', 'threads',
                'call_overhead_ms', 'entries')
        missing = [k for k in keys if k not in data]
        if missing:
            raise ValueError(f'latency table {path} lacks {missing}')
        return cls(**{k: data[k] for k in keys}, machine=data.get('machine'),
                   meta=data.get('meta'), source=path)

    def check_matches(self, runtime: Optional[str] = None,
                      input_size: Optional[Sequence[int]] = None) -> None:
        """One-line ``ValueError`` when the table was built for another
        runtime or input size than the budget asks for."""
        if runtime is not None and runtime != self.runtime:
            raise ValueError(f'latency table {self.source} was measured on '
                             f'{self.runtime}, the budget asks for {runtime}')
        if input_size is not None and \
                tuple(int(s) for s in input_size) != self.input_size:
            raise ValueError(
                f'latency table {self.source} was built for input (w, h) '
                f'{self.input_size}, the budget is for {tuple(input_size)}')


def _positive_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) \
        and value > 0


def distinct_items(fixed: Sequence[LatencyItem],
                   positions: Sequence[Sequence[LatencyItem]]
                   ) -> Dict[str, LatencyItem]:
    """Key -> first item with that key, fixed parts first."""
    out: Dict[str, LatencyItem] = {}
    for item in list(fixed) + [i for p in positions for i in p]:
        out.setdefault(item.key, item)
    return out


def build_latency_table(model: nn.Module, input_size: Tuple[int, int],
                        runtime: str = 'onnxruntime', batch_size: int = 1,
                        threads: int = 1, warmup: int = 10,
                        repeats: int = 50,
                        rounds: int = 3,
                        passes: int = 3,
                        machine: Optional[Dict[str, Any]] = None,
                        meta: Optional[Dict[str, Any]] = None,
                        progress: Optional[Callable[[str], None]] = None
                        ) -> LatencyTable:
    """Time every distinct part of ``model``'s budget module (and its neck
    + head) and the runtime's empty call, on ``runtime``.

    Each part is timed in ``passes`` passes over all parts, each the best
    of ``rounds`` medians of ``repeats`` calls (see
    :func:`~pose_nas.deploy.module_latency.measure_latency`), and keeps its
    fastest pass: a shared machine slows down for seconds at a time, and
    passes spread apart in time rarely all fall into such a stretch."""
    from pose_nas.deploy.module_latency import (CallOverhead, check_runtime,
                                                measure_latency)
    check_runtime(runtime)
    fixed, positions = model_latency_items(model, input_size)
    items = distinct_items(fixed, positions)
    kw = dict(runtime=runtime, threads=threads, warmup=warmup,
              repeats=repeats, rounds=rounds)
    overhead: Optional[Dict[str, Any]] = None
    entries: Dict[str, Dict[str, Any]] = {}
    for p in range(max(1, int(passes))):
        now = measure_latency(CallOverhead(), (1, 1, 1, 1), **kw)
        if overhead is None or now['median_ms'] < overhead['median_ms']:
            overhead = now
        for i, (key, item) in enumerate(items.items()):
            now = measure_latency(item.build(),
                                  (batch_size, ) + item.input_shape, **kw)
            best = entries.get(key)
            entries[key] = dict(
                now if best is None or now['median_ms'] < best['median_ms']
                else best,
                pass_medians_ms=(best or {}).get('pass_medians_ms', []) +
                [now['median_ms']])
            if progress is not None:
                progress(f'pass {p + 1} [{i + 1}] {key}: '
                         f'{now["median_ms"]:.3f} ms')
    return LatencyTable(runtime, input_size, batch_size, threads,
                        overhead['median_ms'], entries, machine,
                        dict(meta or {}, passes=int(passes)))


def latency_cost_tables(model: nn.Module, table: LatencyTable,
                        input_size: Tuple[int, int]
                        ) -> Tuple[float, List[torch.Tensor]]:
    """``(fixed ms, [tensor of candidate ms] per position)`` of ``model``
    from ``table``: the budget's cost tables in milliseconds (the fixed
    part includes one call overhead)."""
    table.check_matches(input_size=input_size)
    fixed, positions = model_latency_items(model, input_size)
    fixed_ms = table.predict([i.key for i in fixed])
    tables = [torch.tensor([table.ms(i.key) for i in p],
                           dtype=torch.float64) for p in positions]
    return fixed_ms, tables
