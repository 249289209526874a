# Copyright (c) pose_nas contributors. All rights reserved.
"""Where the time of a deployed model goes: ONNX Runtime's node profile,
summed by kind of operation.

Example::

    python tools/profile_onnx.py --models efficientpose-a efficientpose-b rtmpose-t rtmpose-s \
        --out benchmarks/onnx_profile.json --markdown benchmarks/onnx_profile.md

Every model (built as ``tools/benchmark.py`` builds it, BN statistics
calibrated) is exported to ONNX (opset 17) and run by ONNX Runtime's CPU
provider with all graph optimizations, ``--threads`` intra-op threads
(pinned to that many CPUs) and batch ``--batch-size``, with ONNX Runtime's
profiler on. The node events of ``--runs`` runs after ``--warmup`` are
summed by kind, read from the *optimized* graph ONNX Runtime executes
(after its fusions and layout transforms):

- ``dense conv``: a convolution with ``group == 1`` and a kernel larger
  than 1x1; ``pointwise conv``: ``group == 1``, 1x1 kernel;
  ``depthwise conv``: ``group > 1``;
- ``deconv``: ``ConvTranspose``;
- ``layout``: ``ReorderInput`` / ``ReorderOutput`` (ONNX Runtime's NCHWc
  blocked layout), ``Transpose``, ``Reshape``;
- ``other``: everything else (pooling, elementwise, normalisation,
  matmul, ...; the op types are listed).
"""
import argparse
import collections
import json
import os.path as osp
import statistics
import sys
import tempfile

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONV_OPS = ('Conv', 'FusedConv', 'NhwcFusedConv', 'NhwcConv', 'QLinearConv')
LAYOUT_OPS = ('ReorderInput', 'ReorderOutput', 'Transpose', 'Reshape')
KINDS = ('dense conv', 'pointwise conv', 'depthwise conv', 'deconv',
         'layout', 'other')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+',
                        default=['efficientpose-a', 'efficientpose-b',
                                 'efficientpose-c', 'rtmpose-t', 'rtmpose-s'])
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--runs', type=int, default=50)
    parser.add_argument('--out', help='JSON report')
    parser.add_argument('--markdown', help='markdown report')
    return parser.parse_args(argv)


def node_kinds(onnx_file):
    """Node name -> kind, for the nodes of an (optimized) ONNX graph."""
    import onnx
    kinds = {}
    for node in onnx.load(onnx_file).graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a)
                 for a in node.attribute}
        if node.op_type in CONV_OPS:
            kernel = list(attrs.get('kernel_shape', []))
            if attrs.get('group', 1) > 1:
                kinds[node.name] = 'depthwise conv'
            elif kernel and all(k == 1 for k in kernel):
                kinds[node.name] = 'pointwise conv'
            else:
                kinds[node.name] = 'dense conv'
        elif node.op_type == 'ConvTranspose':
            kinds[node.name] = 'deconv'
        elif node.op_type in LAYOUT_OPS:
            kinds[node.name] = 'layout'
        else:
            kinds[node.name] = f'other:{node.op_type}'
    return kinds


def profile_model(name, args, tmp):
    import numpy as np
    import onnxruntime as ort
    import torch

    from pose_nas.deploy import calibrate_bn_stats, export_onnx
    from pose_nas.deploy.model_catalogue import build_model
    from pose_nas.utils import pinned_cpus, time_fn
    model, source = build_model(name)
    gen = torch.Generator().manual_seed(0)
    calibrate_bn_stats(model, torch.randn(2, 3, 256, 192, generator=gen))
    path = export_onnx(model, osp.join(tmp, f'{name}.onnx'),
                       input_shape=(args.batch_size, 3, 256, 192))
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.optimized_model_filepath = osp.join(tmp, f'{name}.opt.onnx')
    so.enable_profiling = True
    so.log_severity_level = 3  # not the NCHWc serialisation warning
    so.profile_file_prefix = osp.join(tmp, name)
    x = np.random.default_rng(0).standard_normal(
        (args.batch_size, 3, 256, 192)).astype(np.float32)
    with pinned_cpus(args.threads):
        sess = ort.InferenceSession(path, so,
                                    providers=['CPUExecutionProvider'])
        feed = {sess.get_inputs()[0].name: x}
        wall = time_fn(lambda: sess.run(None, feed), args.warmup, args.runs)
        trace = sess.end_profiling()
    kinds = node_kinds(so.optimized_model_filepath)
    with open(trace) as f:
        events = json.load(f)
    # the profiler records every run (warm-up too): keep the last args.runs
    runs = [e for e in events if e.get('cat') == 'Session'
            and e.get('name') == 'model_run']
    start = runs[-args.runs]['ts'] if len(runs) >= args.runs else 0
    by_kind = collections.Counter()
    other_ops = collections.Counter()
    for e in events:
        if e.get('cat') != 'Node' or not e['name'].endswith('_kernel_time') \
                or e['ts'] < start:
            continue
        node = e['name'][:-len('_kernel_time')]
        kind = kinds.get(node, f"other:{e['args'].get('op_name', '?')}")
        if kind.startswith('other:'):
            other_ops[kind[6:]] += e['dur']
            kind = 'other'
        by_kind[kind] += e['dur']
    total = sum(by_kind.values())
    n_nodes = collections.Counter(
        k if not k.startswith('other:') else 'other' for k in kinds.values())
    return dict(
        source=source, wall_median_ms=wall['median_ms'],
        node_ms_per_run=total / 1e3 / args.runs,
        share={k: by_kind[k] / total for k in KINDS},
        ms_per_run={k: by_kind[k] / 1e3 / args.runs for k in KINDS},
        nodes=dict(n_nodes),
        other_ops={k: v / total for k, v in other_ops.most_common()})


def markdown(report):
    from pose_nas.utils import markdown_table
    rows = []
    for name, r in report['models'].items():
        rows.append([name, f"{r['wall_median_ms']:.1f}",
                     f"{r['node_ms_per_run']:.1f}"] + [
            f"{100 * r['share'][k]:.0f} % ({r['nodes'].get(k, 0)})"
            for k in KINDS])
    other = '; '.join(
        f"{name}: " + ', '.join(f'{op} {100 * v:.0f} %' for op, v in list(
            r['other_ops'].items())[:4])
        for name, r in report['models'].items())
    return (f"# Where the time goes (ONNX Runtime)\n\nGenerated by "
            f"`{report['command']}`.\n\nONNX Runtime "
            f"{report['machine'].get('onnxruntime')}, CPU "
            f"{report['machine'].get('cpu_model', '?')}, batch "
            f"{report['batch_size']}, {report['threads']} thread(s), 256x192; "
            f"share of the node time (number of nodes in the optimized "
            f"graph):\n\n" + markdown_table(
                ['model', 'wall ms', 'node ms'] + list(KINDS), rows) +
            f"\nLargest `other` ops: {other}.\n")


def main(argv=None):
    args = parse_args(argv)
    try:
        import pose_nas  # noqa: F401
    except ImportError:
        sys.path.insert(0, ROOT)
    from pose_nas.utils import machine_info
    report = dict(
        command='python tools/profile_onnx.py ' + ' '.join(
            sys.argv[1:] if argv is None else argv),
        batch_size=args.batch_size, threads=args.threads, runs=args.runs,
        machine=machine_info(args.threads, optional_packages=('onnxruntime', ),
                             cpu_details=True),
        models={})
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            r = profile_model(name, args, tmp)
            report['models'][name] = r
            print(f"{name}: {r['wall_median_ms']:.1f} ms; " + ', '.join(
                f"{k} {100 * v:.0f} %" for k, v in r['share'].items()),
                flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(markdown(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
