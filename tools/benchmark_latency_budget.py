# Copyright (c) pose_nas contributors. All rights reserved.
"""Searches with a latency target: does the derived net run at the target?

Example (EfficientPose, ONNX Runtime, batch 1, one thread, three targets)::

    python tools/benchmark_latency_budget.py \
        configs/efficientpose/efficientpose-darts1-budget0.6g_efficientpose_slimdeconv_1xb8-10e_synthcoco-128x96.py \
        --latency-table benchmarks/latency_tables/efficientpose_256x192_onnxruntime_b1_t1.json \
        --targets 6 8 10 --out benchmarks/latency_budget.json \
        --markdown benchmarks/latency_budget.md

For every target: the search config runs through MMPose's ``tools/train.py``
on a small generated synthetic set (``--images`` training images,
``--epochs`` epochs) with ``train_cfg.search.darts.budget`` set to
``metric='latency'``, the target (ms) and the table; the search's
checkpoint is derived by ``tools/derive_arch.py``'s code path (the
projection of the final distribution onto the target, predicted by the
table); once all searches are done, the derived nets (BN statistics
calibrated on random data) are exported and timed end to end on the table's
runtime with the table's threads and batch size (three interleaved passes,
the fastest kept per net) and compared with the target. The search is short:
what is checked is that the latency budget derives a net at the target, not
its accuracy.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='budget-aware search config')
    parser.add_argument('--latency-table', required=True)
    parser.add_argument('--targets', type=float, nargs='+', required=True,
                        help='latency targets in ms')
    parser.add_argument('--images', type=int, default=24)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=50)
    parser.add_argument('--tolerance', type=float, default=0.1,
                        help='|measured / target - 1| that passes (0.1)')
    parser.add_argument('--work-dir', help='keep the runs here')
    parser.add_argument('--out', help='JSON report')
    parser.add_argument('--markdown', help='markdown report')
    return parser.parse_args(argv)


def search_and_derive(args, table, target, data_root, work):
    from mmengine.config import Config

    from pose_nas.apis.derive import derive_arch
    from pose_nas.workflows import retarget_config
    cfg = Config.fromfile(args.config)
    if cfg.get('retrain_config'):  # keep it valid once the config moves
        cfg.retrain_config = osp.join(osp.dirname(osp.abspath(args.config)),
                                      cfg.retrain_config)
    retarget_config(cfg, osp.join(data_root, 'coco'),
                    max_epochs=args.epochs, num_workers=0)
    cfg.train_cfg.search.darts.warmup_epochs = 0
    cfg.train_cfg.search.darts.budget = dict(
        metric='latency', target=target, runtime=table.runtime,
        latency_table=osp.abspath(args.latency_table),
        input_size=table.input_size, weight=1.0)
    cfg.train_cfg.val_interval = args.epochs + 1
    os.makedirs(work, exist_ok=True)
    cfg_path = osp.join(work, 'search.py')
    cfg.dump(cfg_path)
    env = dict(os.environ, OMP_NUM_THREADS=str(table.threads))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools/train.py'), cfg_path,
         '--work-dir', osp.join(work, 'search')], cwd=ROOT, env=env,
        capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'search for {target} ms failed:\n'
                           f'{proc.stderr[-3000:]}')
    search_s = time.perf_counter() - t0
    ckpt = osp.join(work, 'search', f'epoch_{args.epochs}.pth')
    result = derive_arch(cfg_path, ckpt, osp.join(work, 'derived'))
    return cfg, result, search_s


def derived_net(cfg, table, genotype_files):
    """The derived net of a search (BN statistics calibrated) and the
    table's prediction of its latency."""
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.apis.latency_check import calibrated
    from pose_nas.nas import load_genotype
    from pose_nas.nas.latency_table import budget_module, model_latency_items
    init_default_scope('mmpose')
    model_cfg = cfg.model.copy()
    supernet = MODELS.build(model_cfg)
    fixed, positions = model_latency_items(supernet, table.input_size)
    genotype = load_genotype(genotype_files['backbone'])
    ops = genotype['blocks']['ops']
    cands = budget_module(supernet).block_candidates
    keys = [i.key for i in fixed] + [
        p[c.index(op)].key for p, c, op in zip(positions, cands, ops)]
    model_cfg.backbone.genotype = genotype.to_dict()
    net = calibrated(MODELS.build(model_cfg), table.input_size)
    return net, table.predict(keys), ops


def main(argv=None):
    args = parse_args(argv)
    try:
        import pose_nas  # noqa: F401
    except ImportError:
        sys.path.insert(0, ROOT)
    from pose_nas.apis.latency_check import best_of_passes
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.nas.latency_table import LatencyTable
    from pose_nas.utils import machine_info, markdown_table
    table = LatencyTable.load(args.latency_table)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.work_dir or tmp
        data = osp.join(root, 'data')
        generate_synthetic_dataset(data, splits={'train': args.images,
                                                 'val': 4},
                                   seed=0, formats=('coco', ))
        nets = []
        for target in args.targets:
            work = osp.join(root, f'target_{target:g}ms')
            cfg, result, search_s = search_and_derive(args, table, target,
                                                      data, work)
            net, pred, ops = derived_net(cfg, table, result['genotypes'])
            nets.append(net)
            rows.append(dict(target_ms=target, predicted_ms=pred,
                             search_s=search_s, ops=ops,
                             params=result['params']))
        # all nets timed after the searches, interleaved (best of passes)
        w, h = table.input_size
        measured = best_of_passes(
            nets, (table.batch_size, 3, h, w), runtime=table.runtime,
            threads=table.threads, warmup=10, repeats=args.repeats,
            rounds=3)
        for row, meas in zip(rows, measured):
            err = meas / row['target_ms'] - 1
            row.update(measured_ms=meas, rel_error=err,
                       within=abs(err) <= args.tolerance)
            print(f"target {row['target_ms']:g} ms: predicted "
                  f"{row['predicted_ms']:.2f}, measured {meas:.2f} ms "
                  f"({100 * err:+.1f} %)", flush=True)
    report = dict(
        command='python tools/benchmark_latency_budget.py ' +
        ' '.join(sys.argv[1:] if argv is None else argv),
        table=args.latency_table, runtime=table.runtime,
        threads=table.threads, batch_size=table.batch_size,
        input_size=list(table.input_size), tolerance=args.tolerance,
        machine=machine_info(table.threads,
                             optional_packages=('onnxruntime', ),
                             cpu_details=True),
        rows=rows)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)
    if args.markdown:
        body = markdown_table(
            ['target ms', 'predicted ms', 'measured ms', 'error',
             f'within {100 * args.tolerance:g} %', 'params', 'search s'],
            [[f'{r["target_ms"]:g}', f'{r["predicted_ms"]:.2f}',
              f'{r["measured_ms"]:.2f}', f'{100 * r["rel_error"]:+.1f} %',
              'yes' if r['within'] else 'no', f'{r["params"]:,}',
              f'{r["search_s"]:.0f}'] for r in rows])
        with open(args.markdown, 'w') as f:
            f.write(
                f'# Latency budgets\n\nGenerated by `{report["command"]}`.'
                f'\n\n{table.runtime}, batch {table.batch_size}, '
                f'{table.threads} thread(s), input (w, h) '
                f'{table.input_size}; table `{args.latency_table}`.\n\n'
                + body)
    return 0 if all(r['within'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
