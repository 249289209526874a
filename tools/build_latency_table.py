# Copyright (c) pose_nas contributors. All rights reserved.
"""Build the latency lookup table of a search space on this machine.

Example (EfficientPose, deployed at 256x192, batch 1, one thread)::

    python tools/build_latency_table.py \
        configs/efficientpose/efficientpose-darts1-budget0.6g_efficientpose_slimdeconv_1xb8-10e_synthcoco-128x96.py \
        --runtimes onnxruntime pytorch --out-dir benchmarks/latency_tables \
        --markdown benchmarks/latency_tables.md

For every runtime it builds the config's supernet, times every distinct
part of the budget module (the stem, every candidate of every block shape)
and the neck + head, each on its own input shape, plus one empty call of
the runtime (``--passes`` passes over all parts, the fastest kept) (:func:`pose_nas.nas.latency_table.build_latency_table`), and
writes ``<out-dir>/<name>_<runtime>_b<batch>_t<threads>.json`` with the
machine description. A search takes it as a latency budget::

    --cfg-options train_cfg.search.darts.budget.metric=latency \
        train_cfg.search.darts.budget.target=12.0 \
        train_cfg.search.darts.budget.latency_table=<that file>

Then it checks the table (``meta.checks`` of the file, and the markdown):
every candidate of block ``--check-position`` timed directly as the block
of a derived net, and ``--check-nets`` derived nets (random choices, plus
the cheapest and the dearest) timed end to end against the table's
prediction. Run it on an idle machine: other processes make every timing
longer.
"""
import argparse
import os
import os.path as osp
import random
import statistics
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='search config (its model is the '
                        'supernet)')
    parser.add_argument('--runtimes', nargs='+',
                        default=['onnxruntime', 'pytorch'],
                        choices=['onnxruntime', 'pytorch'])
    parser.add_argument('--input-size', type=int, nargs=2,
                        default=(192, 256), metavar=('W', 'H'),
                        help='model input (w, h) (default 192 256)')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--threads', type=int, default=1,
                        help='intra-op threads (default 1)')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=50)
    parser.add_argument('--rounds', type=int, default=3,
                        help='rounds of --repeats calls per part and pass; '
                        'the lowest median is kept (default 3)')
    parser.add_argument('--passes', type=int, default=3,
                        help='passes over all parts; the fastest is kept '
                        '(default 3)')
    parser.add_argument('--out-dir', default='benchmarks/latency_tables')
    parser.add_argument('--name', help='file name stem (default: the '
                        "budget module's class and the input size)")
    parser.add_argument('--check-position', type=int,
                        help='block checked candidate by candidate '
                        '(default: the middle one)')
    parser.add_argument('--check-nets', type=int, default=5,
                        help='random derived nets timed end to end (plus '
                        'the cheapest and the dearest; default 5)')
    parser.add_argument('--check-repeats', type=int, default=30)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--markdown', help='also write a report here')
    return parser.parse_args(argv)


def check_choices(tables, n, seed):
    """``n`` random choice vectors, then the cheapest and the dearest."""
    rng = random.Random(seed)
    out = [[rng.randrange(len(t)) for t in tables] for _ in range(n)]
    out.append([int(t.argmin()) for t in tables])
    out.append([int(t.argmax()) for t in tables])
    return out


def build_one(args, cfg, runtime):
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.apis.latency_check import check_block, check_nets
    from pose_nas.nas.latency_table import (budget_module,
                                            build_latency_table,
                                            latency_cost_tables)
    from pose_nas.utils import machine_info
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    torch.manual_seed(args.seed)
    supernet = MODELS.build(cfg.model).eval()
    space = type(budget_module(supernet)).__name__
    w, h = args.input_size
    name = args.name or f'{space.replace("Backbone", "").lower()}_{h}x{w}'
    machine = machine_info(args.threads, optional_packages=('onnxruntime', ),
                           cpu_details=True)
    t0 = time.perf_counter()
    table = build_latency_table(
        supernet, (w, h), runtime, args.batch_size, args.threads,
        args.warmup, args.repeats, args.rounds, args.passes, machine,
        meta=dict(config=args.config, space=space, rounds=args.rounds),
        progress=lambda line: print(f'  {runtime} {line}', flush=True))
    build_s = time.perf_counter() - t0
    _, tables = latency_cost_tables(supernet, table, (w, h))
    position = args.check_position
    if position is None:
        position = len(tables) // 2
    base = [int(t.argmin()) for t in tables]
    t0 = time.perf_counter()
    block = check_block(table, cfg.model, supernet, position, base,
                        args.repeats)
    nets = check_nets(table, cfg.model, supernet,
                      check_choices(tables, args.check_nets, args.seed),
                      args.check_repeats)
    errors = [abs(r['rel_error']) for r in nets]
    table.meta.update(
        build_s=build_s, check_s=time.perf_counter() - t0,
        command='python tools/build_latency_table.py ' + ' '.join(
            sys.argv[1:]),
        checks=dict(block_position=position, block=block, nets=nets,
                    nets_mean_abs_rel_error=statistics.fmean(errors),
                    nets_max_abs_rel_error=max(errors)))
    os.makedirs(args.out_dir, exist_ok=True)
    path = osp.join(args.out_dir, f'{name}_{runtime}_b{args.batch_size}_'
                    f't{args.threads}.json')
    table.save(path)
    print(f'{runtime}: {len(table.entries)} entries in {build_s:.0f} s, '
          f'end-to-end error mean {100 * statistics.fmean(errors):.1f} %, '
          f'max {100 * max(errors):.1f} % -> {path}', flush=True)
    return path, table


def markdown(results):
    from pose_nas.utils import markdown_table
    lines = ['# Latency lookup tables', '']
    for path, table in results:
        c = table.meta['checks']
        m = table.machine
        lines += [
            f'## {table.meta["space"]} on {table.runtime}', '',
            f'`{path}`: {len(table.entries)} entries, input (w, h) '
            f'{table.input_size}, batch {table.batch_size}, '
            f'{table.threads} thread(s), call overhead '
            f'{table.call_overhead_ms:.3f} ms, built in '
            f'{table.meta["build_s"]:.0f} s on {m.get("cpu_model", "?")} '
            f'({m.get("cpu_count")} CPUs, torch {m.get("torch")}, '
            f'onnxruntime {m.get("onnxruntime")}).', '',
            f'Command: `{table.meta["command"]}`', '',
            f'Block {c["block_position"]}, every candidate: the table entry '
            'against a direct timing of the block of a derived net:', '',
            markdown_table(['entry', 'table ms', 'direct ms', 'error'], [
                [f'`{r["key"]}`', f'{r["table_ms"]:.3f}',
                 f'{r["direct_ms"]:.3f}', f'{100 * r["rel_error"]:+.1f} %']
                for r in c['block']]), '',
            'Derived nets end to end (random choices, then the cheapest and '
            'the dearest): the table\'s prediction against the measured '
            'latency:', '',
            markdown_table(['net', 'predicted ms', 'measured ms', 'error'], [
                [str(i), f'{r["predicted_ms"]:.2f}',
                 f'{r["measured_ms"]:.2f}', f'{100 * r["rel_error"]:+.1f} %']
                for i, r in enumerate(c['nets'])]), '',
            f'Mean |error| {100 * c["nets_mean_abs_rel_error"]:.1f} %, max '
            f'{100 * c["nets_max_abs_rel_error"]:.1f} %.', ''
        ]
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    try:
        import pose_nas  # noqa: F401
    except ImportError:
        sys.path.insert(0, ROOT)
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    results = [build_one(args, cfg, rt) for rt in args.runtimes]
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(markdown(results))
        print(f'report: {args.markdown}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
