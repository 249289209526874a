# Copyright (c) pose_nas contributors. All rights reserved.
"""CPU speed of EfficientPose A/B/C next to MMPose's lightweight pose nets.

Example::

    python tools/benchmark.py \
        --out benchmarks/cpu_speed.json --markdown benchmarks/cpu_speed.md

Every model is timed in this one process, one after the other, on the same
footing:

* input: a ``(N, 3, 256, 192)`` normalized batch (after the data
  preprocessor), ``N`` in ``--batch-sizes`` (default 1 and 8);
* what is timed: ``model(inputs, None, mode='tensor')`` (backbone, neck,
  head; no decoding, no flip test) under ``torch.inference_mode()``, with
  ``torch.set_num_threads(--threads)`` (default 1), ``--warmup`` discarded
  runs then ``--repeats`` timed runs (fewer for a slow setting, see
  ``--budget-s``); median and p90 are reported;
* weights: none are loaded (timing only; nothing is downloaded). MMPose's
  models are built from the configs shipped inside the installed ``mmpose``
  package with ``init_model(config, None, device='cpu')``; EfficientPose
  A/B/C from their shipped COCO configs
  (``configs/efficientpose/td-hm_efficientpose-{a,b,c}_slimdeconv_2xb64-
  240e_coco-256x192.py``, whose genotypes are the files in
  ``configs/efficientpose/genotypes/``) with ``Config.fromfile`` and
  MMPose's ``MODELS.build``, as a user builds them. Every model's BN running
  statistics are then set from one forward of a random batch
  (:func:`pose_nas.deploy.calibrate_bn_stats`), so activations have a
  trained-like scale (no denormals, non-trivial BN folding checks);
* params and GFLOPs: MMEngine's ``get_model_complexity_info`` at batch 1
  (its FLOPs are multiply-accumulates, as in MMPose's model zoo tables).

The ``--deploy`` models (default: EfficientPose A/B/C, and RTMPose-t, the
reference, and RTMPose-s, for deployed-vs-deployed comparisons; Lite-HRNet
is not among them: its ``CrossResolutionWeighting`` pools with
``adaptive_avg_pool2d`` to a size read from a tensor, which
``torch.onnx.export`` refuses, "output_size is not constant") are also
timed:

* ``fused``: BN folded into the convs and deconvs
  (:func:`pose_nas.deploy.fuse_conv_bn`);
* ``fused+cl``: the fused model and its input in ``channels_last``;
* ``onnxrt``: the plain model exported to ONNX (opset ``--opset``, dynamic
  batch) and run in ONNX Runtime's CPU provider with ``--threads``
  intra-op threads;
* ``openvino``: the same ONNX file compiled by OpenVINO for its CPU plugin
  (``--threads`` inference threads, latency hint, float32 precision).

The report names the fastest variant of every model at every batch size
(``settings.fastest``).

The fused model, the ONNX Runtime and the OpenVINO outputs are checked against the plain
PyTorch model on a random batch of 2: max abs difference of the head outputs
(heatmaps; RTMPose's SimCC vectors) (at most
``--hm-tol`` times ``max(1, max |heatmap|)``, default 1e-4: float32 rounding
through 30-odd blocks reaches ~7e-5 on heatmaps peaking at ~1.5) and max
keypoint difference after decoding with the model's codec (``--kpt-tol``
pixels of the 256x192 input, default 1e-3). BN folding is also checked in
float64, where it must be exact (max abs difference <= 1e-9). The script
exits with status 1 (after writing its results) when a check fails.

The notes of the report (JSON ``notes`` and the markdown page) are the
bullets of ``benchmarks/cpu_speed_method.md``.
"""
import argparse
import importlib.util
import os
import os.path as osp
import sys
import tempfile
import time
import warnings
from typing import Any, Callable, Dict, List

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if importlib.util.find_spec('pose_nas') is None:  # run from a checkout
    sys.path.insert(0, REPO_ROOT)

from pose_nas.deploy.model_catalogue import (  # noqa: E402,F401
    EFFICIENTPOSE, MMPOSE_CONFIGS, MODEL_NAMES, build_model,
    efficientpose_config_path, mmpose_config_path)
from pose_nas.utils.timing import time_fn  # noqa: E402

INPUT_HW = (256, 192)
REFERENCE = 'rtmpose-t'
#: models timed deployed by default: ours, and the reference for a
#: deployed-vs-deployed comparison
DEPLOY_DEFAULT = tuple(EFFICIENTPOSE) + (REFERENCE, 'rtmpose-s')
EP_VARIANTS = ('pytorch', 'fused', 'fused+cl', 'onnxrt', 'openvino')

#: the report's notes are the bullets under "## Notes" of this file
METHOD_NOTES = osp.join(REPO_ROOT, 'benchmarks', 'cpu_speed_method.md')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='CPU forward time of EfficientPose A/B/C (plain, '
        'BN-folded, channels_last, ONNX Runtime) and MMPose baselines.')
    parser.add_argument(
        '--models', nargs='+', default=list(MODEL_NAMES), metavar='NAME',
        help=f'models to time (default: all): {", ".join(MODEL_NAMES)}')
    parser.add_argument('--batch-sizes', nargs='+', type=int,
                        default=[1, 8])
    parser.add_argument('--threads', type=int, default=1,
                        help='torch and ONNX Runtime intra-op threads')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument(
        '--budget-s', type=float, default=40.0,
        help='timed seconds per (model, variant, batch size): when '
        '--repeats runs would take longer (estimated from the warm-up), '
        'fewer are made, at least --min-repeats; 0 disables the cap')
    parser.add_argument('--min-repeats', type=int, default=5)
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--hm-tol', type=float, default=1e-4,
                        help='max abs heatmap difference allowed, times '
                        'max(1, max |reference heatmap|)')
    parser.add_argument('--kpt-tol', type=float, default=1e-3,
                        help='max keypoint difference allowed (pixels)')
    parser.add_argument(
        '--deploy', nargs='+', default=list(DEPLOY_DEFAULT),
        metavar='NAME',
        help='models (of --models) also timed BN-folded, channels_last and '
        'in ONNX Runtime; "all" or "none" (default: '
        f'{" ".join(DEPLOY_DEFAULT)})')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--note', default='',
                        help='a line added to the notes (e.g. machine load)')
    parser.add_argument('--out', default='benchmarks/cpu_speed.json')
    parser.add_argument('--markdown', default='benchmarks/cpu_speed.md',
                        help='markdown table ("" to skip)')
    args = parser.parse_args(argv)
    unknown = [m for m in args.models if m not in MODEL_NAMES]
    if unknown:
        parser.error(f'unknown model(s): {", ".join(unknown)}; known: '
                     f'{", ".join(MODEL_NAMES)}')
    if args.deploy == ['all']:
        args.deploy = list(MODEL_NAMES)
    elif args.deploy == ['none']:
        args.deploy = []
    unknown = [m for m in args.deploy if m not in MODEL_NAMES]
    if unknown:
        parser.error(f'unknown model(s) in --deploy: {", ".join(unknown)}; '
                     f'known: {", ".join(MODEL_NAMES)}, all, none')
    if len(set(args.models)) != len(args.models):
        parser.error('a model is listed twice in --models')
    if min(args.batch_sizes + [args.threads, args.repeats, args.warmup,
                                args.min_repeats]) < 1:
        parser.error('batch sizes, --threads, --repeats, --warmup (its runs '
                     'also estimate the time for --budget-s) and '
                     '--min-repeats must be >= 1')
    return args


# --------------------------------------------------------------------------
# complexity
# --------------------------------------------------------------------------
def complexity(model) -> Dict[str, float]:
    import torch
    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger

    from pose_nas.deploy import TensorForward

    # its "submodules never called" warning (loss modules, preprocessor)
    logger = MMLogger.get_current_instance()
    disabled = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            info = get_model_complexity_info(
                TensorForward(model).eval(),
                inputs=(torch.zeros(1, 3, *INPUT_HW), ),
                show_table=False,
                show_arch=False)
    finally:
        logger.disabled = disabled
    return dict(params=int(info['params']), flops=float(info['flops']))


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------
def _torch_runner(model, x, channels_last: bool = False):
    import torch
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)

    def run():
        with torch.inference_mode():
            return model(x, None, mode='tensor')

    return run


def time_variant(run_for_batch: Callable[[int], Callable[[], Any]],
                 args) -> Dict[str, Any]:
    out = {}
    for b in args.batch_sizes:
        out[str(b)] = time_fn(run_for_batch(b), args.warmup, args.repeats,
                              args.budget_s, args.min_repeats)
    return out


def _numpy(out):
    """Head output(s) as float32 numpy (a tuple stays a tuple)."""
    if isinstance(out, (tuple, list)):
        return tuple(_numpy(o) for o in out)
    return out.detach().float().contiguous().numpy()


def tensor_outputs(model, x, channels_last: bool = False):
    import torch
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        return _numpy(model(x, None, mode='tensor'))


def check(model, reference, other, args) -> Dict[str, Any]:
    from pose_nas.deploy import compare_heatmaps
    res = compare_heatmaps(model, reference, other)
    res['heatmap_tol'] = args.hm_tol * max(1.0, res['heatmap_scale'])
    res['ok'] = bool(res['heatmap_max_abs'] <= res['heatmap_tol']
                     and res['keypoint_max_px'] <= args.kpt_tol)
    return res


def exact_fusion_diff(model, check_x) -> float:
    """Max abs heatmap difference of the plain and the fused model in
    float64 (rounding aside, folding is exact: ~1e-12)."""
    import copy

    import torch

    from pose_nas.deploy import fuse_conv_bn
    m64 = copy.deepcopy(model).double()
    f64 = fuse_conv_bn(m64)
    with torch.inference_mode():
        x = check_x.double()
        a = m64(x, None, mode='tensor')
        b = f64(x, None, mode='tensor')
    a = a if isinstance(a, (tuple, list)) else [a]
    b = b if isinstance(b, (tuple, list)) else [b]
    return max(float((u - v).abs().max()) for u, v in zip(a, b))


def bench_model(name: str, args, tmp: str) -> Dict[str, Dict[str, Any]]:
    """Results of every variant of ``name``: ``{variant: result}``."""
    import torch

    from pose_nas.deploy import (OnnxPoseRunner, OpenVinoPoseRunner,
                                 calibrate_bn_stats, export_onnx,
                                 fuse_conv_bn, unfused_batchnorms)
    gen = torch.Generator().manual_seed(args.seed)
    inputs = {b: torch.randn(b, 3, *INPUT_HW, generator=gen)
              for b in args.batch_sizes}
    check_x = torch.randn(2, 3, *INPUT_HW, generator=gen)
    calib_x = torch.randn(4, 3, *INPUT_HW, generator=gen)

    t0 = time.perf_counter()
    model, source = build_model(name)
    with torch.no_grad():
        calibrate_bn_stats(model, calib_x, seed=args.seed)
    cost = complexity(model)
    base = dict(source=source, build_s=time.perf_counter() - t0)
    results: Dict[str, Dict[str, Any]] = {}

    def log(variant, res):
        line = ', '.join(f'b{b} {r["median_ms"]:.1f} ms (x{r["repeats"]})'
                         for b, r in res['timings'].items())
        chk = res.get('check')
        if chk:
            line += (f'; check hm {chk["heatmap_max_abs"]:.2e} kpt '
                     f'{chk["keypoint_max_px"]:.2e} px '
                     f'{"ok" if chk["ok"] else "FAILED"}')
        print(f'  {name} [{variant}]: {line}', flush=True)

    res = dict(base, **cost)
    res['timings'] = time_variant(
        lambda b: _torch_runner(model, inputs[b]), args)
    results['pytorch'] = res
    log('pytorch', res)
    if name not in args.deploy:
        return results

    ref = tensor_outputs(model, check_x)

    fused = fuse_conv_bn(model)
    left = unfused_batchnorms(fused)
    res = dict(base, **complexity(fused))
    res['check'] = check(model, ref, tensor_outputs(fused, check_x), args)
    res['check']['bn_left_after_conv'] = left
    res['check']['float64_heatmap_max_abs'] = exact_fusion_diff(
        model, check_x)
    res['check']['ok'] = bool(
        res['check']['ok'] and not left
        and res['check']['float64_heatmap_max_abs'] <= 1e-9)
    res['timings'] = time_variant(
        lambda b: _torch_runner(fused, inputs[b]), args)
    results['fused'] = res
    log('fused', res)

    fused_cl = fuse_conv_bn(model).to(memory_format=torch.channels_last)
    res = dict(base, **results['fused'].copy())
    res.pop('timings')
    out = tensor_outputs(fused_cl, check_x, channels_last=True)
    res['check'] = check(model, ref, out, args)
    res['timings'] = time_variant(
        lambda b: _torch_runner(fused_cl, inputs[b], channels_last=True),
        args)
    results['fused+cl'] = res
    log('fused+cl', res)

    onnx_file = osp.join(tmp, f'{name}.onnx')
    t = time.perf_counter()
    export_onnx(model, onnx_file, input_shape=(1, 3, *INPUT_HW),
                opset=args.opset, dynamic_batch=True)
    export_s = time.perf_counter() - t
    runner = OnnxPoseRunner(onnx_file, threads=args.threads)
    res = dict(base, **cost, export_s=export_s, opset=args.opset,
               onnx_mib=osp.getsize(onnx_file) / 2**20)
    outs = runner.run_all(check_x.numpy())
    res['check'] = check(model, ref,
                         outs[0] if len(outs) == 1 else tuple(outs), args)
    np_inputs = {b: x.numpy() for b, x in inputs.items()}
    res['timings'] = time_variant(
        lambda b: (lambda: runner.run_all(np_inputs[b])), args)
    results['onnxrt'] = res
    log('onnxrt', res)

    t = time.perf_counter()
    ov_runner = OpenVinoPoseRunner(onnx_file, threads=args.threads)
    res = dict(base, **cost, compile_s=time.perf_counter() - t,
               opset=args.opset)
    outs = ov_runner.run_all(check_x.numpy())
    res['check'] = check(model, ref,
                         outs[0] if len(outs) == 1 else tuple(outs), args)
    res['timings'] = time_variant(
        lambda b: (lambda: ov_runner.run_all(np_inputs[b])), args)
    results['openvino'] = res
    log('openvino', res)
    return results


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------
def reference_name(order: List[str]) -> str:
    return REFERENCE if REFERENCE in order else order[0]


def add_ratios(report: Dict[str, Any]) -> None:
    """``ratio_to_ref[b]`` = median time / the reference's plain median
    time at batch ``b`` (lower is faster)."""
    results, order = report['results'], report['settings']['order']
    ref = reference_name(order)
    report['settings']['reference'] = f'{ref} [pytorch]'
    ref_t = results[ref]['pytorch']['timings']
    for name in order:
        for res in results[name].values():
            res['ratio_to_ref'] = {
                b: t['median_ms'] / ref_t[b]['median_ms']
                for b, t in res['timings'].items()
            }
    report['settings']['fastest'] = {
        name: {
            b: min(results[name],
                   key=lambda v: results[name][v]['timings'][b]['median_ms'])
            for b in ref_t
        }
        for name in order
    }


def markdown_table(report: Dict[str, Any]) -> str:
    from pose_nas.utils import benchmark_report
    s = report['settings']
    batches = [str(b) for b in s['batch_sizes']]
    head = ['model', 'variant', 'params M', 'GFLOPs']
    for b in batches:
        head += [f'batch-{b} ms', 'p90', 'x ref']
    head.append('check (hm abs / kpt px)')
    align = ['---', '---'] + ['---:'] * (len(head) - 3) + ['---']
    rows = []
    for name in s['order']:
        for variant, res in report['results'][name].items():
            row = [name, variant, f"{res['params'] / 1e6:.2f}",
                   f"{res['flops'] / 1e9:.2f}"]
            for b in batches:
                t = res['timings'][b]
                row += [f"{t['median_ms']:.1f}", f"{t['p90_ms']:.1f}",
                        f"{res['ratio_to_ref'][b]:.2f}"]
            chk = res.get('check')
            row.append('' if chk is None else
                       f"{chk['heatmap_max_abs']:.1e} / "
                       f"{chk['keypoint_max_px']:.1e} "
                       f"{'ok' if chk['ok'] else 'FAILED'}")
            rows.append(row)
    return benchmark_report.markdown_table(head, rows, align)


def write_markdown(report: Dict[str, Any], path: str) -> None:
    from pose_nas.utils import benchmark_report
    m, s = report['machine'], report['settings']
    reps = sorted({
        t['repeats']
        for res in report['results'].values() for v in res.values()
        for t in v['timings'].values()
    })
    intro = [
        f"Generated by `{s['command']}` in {report['total_wall_s']:.0f} s.",
        f"{m.get('cpu_model', m['processor'])} ({m['cpu_count']} CPUs, "
        f"{m['torch_cpu_capability']}), {m['platform']}; python "
        f"{m['python']}, torch {m['torch']}, onnxruntime "
        f"{m['onnxruntime']}, openvino {m.get('openvino')}; "
        f"{m['threads']} thread(s); input "
        f"{INPUT_HW[0]}x{INPUT_HW[1]}; {s['warmup']} warm-up runs, median "
        f"of {s['repeats']} timed runs"
        + (f" (fewer where {s['repeats']} would take over "
           f"{s['budget_s']:.0f} s: {', '.join(map(str, reps))} runs made)"
           if reps != [s['repeats']] else '') + '.',
        f"`x ref`: median time relative to the reference, "
        f"{s['reference']}, at the same batch size (lower is faster); "
        '`p90`: 90th percentile of the timed runs (ms).'
    ]
    fastest = '; '.join(
        f'{name}: ' + ', '.join(f'batch {b} {v}' for b, v in per.items())
        for name, per in s['fastest'].items() if name in s['deploy'])
    if fastest:
        intro.append(f'Fastest variant per deployed model: {fastest}.')
    notes = list(report['notes'])
    if s.get('note'):
        notes.append(s['note'])
    benchmark_report.write_markdown(path, 'CPU speed', intro,
                                    markdown_table(report), notes)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import torch

    import pose_nas  # noqa: F401  registers modules, compat shims
    from pose_nas.utils import benchmark_report
    torch.set_num_threads(args.threads)
    # RTMCCHead's torch.cuda.amp.autocast(enabled=False) on every call
    warnings.filterwarnings('ignore', category=FutureWarning,
                            message='.*autocast.*')
    start = time.perf_counter()
    machine = benchmark_report.machine_info(
        args.threads,
        packages=('numpy', 'mmengine', 'mmcv', 'mmpose'),
        optional_packages=('onnx', 'onnxruntime', 'openvino'),
        cpu_details=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix='pose_nas_bench_') as tmp:
        for name in args.models:
            t = time.perf_counter()
            print(f'{name}:', flush=True)
            results[name] = bench_model(name, args, tmp)
            print(f'  ({time.perf_counter() - t:.0f} s)', flush=True)
    try:
        machine['loadavg_end'] = list(os.getloadavg())
    except OSError:
        pass
    report = dict(
        machine=machine,
        settings=dict(
            batch_sizes=list(args.batch_sizes),
            input_hw=list(INPUT_HW),
            threads=args.threads,
            warmup=args.warmup,
            repeats=args.repeats,
            budget_s=args.budget_s,
            min_repeats=args.min_repeats,
            opset=args.opset,
            hm_tol=args.hm_tol,
            kpt_tol=args.kpt_tol,
            seed=args.seed,
            note=args.note,
            order=list(args.models),
            deploy=[m for m in args.models if m in args.deploy],
            command=' '.join(['python', 'tools/benchmark.py'] +
                             (list(argv) if argv is not None else
                              sys.argv[1:]))),
        notes=benchmark_report.read_notes(METHOD_NOTES),
        results=results,
        total_wall_s=time.perf_counter() - start)
    add_ratios(report)
    failed = [
        f'{name} [{variant}]' for name, res in results.items()
        for variant, r in res.items()
        if r.get('check') is not None and not r['check']['ok']
    ]
    report['checks_failed'] = failed
    benchmark_report.write_json(report, args.out)
    if args.markdown:
        write_markdown(report, args.markdown)
    print(markdown_table(report))
    print(f'results: {args.out}' +
          (f', {args.markdown}' if args.markdown else '') +
          f' ({report["total_wall_s"]:.0f} s)')
    if failed:
        print('checks FAILED: ' + ', '.join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
