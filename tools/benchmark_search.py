# Copyright (c) pose_nas contributors. All rights reserved.
"""Search cost: seconds per iteration and peak memory of every search
strategy against plain training of a derived net of the same space.

Example (every space, every strategy it describes)::

    python tools/benchmark_search.py \
        --out benchmarks/search_cost.json --markdown benchmarks/search_cost.md

The spaces (``--spaces``: ``cellnet``, the engine's reference space, and
``efficientpose``, ``pnfs``, ``autopose``, ``posenas``) and their strategies
are data in :data:`pose_nas.workflows.search_cost.SPACES`: per strategy a
search config, or one with ``train_cfg.search`` overrides (``darts1+gdas``,
``darts1+pc`` of a space's ``darts1`` config). The baseline ``derived`` is
the space's retrain config with the genotypes derived (in this process)
from a freshly built supernet of its ``darts1`` config, seed 0; a budget
search's (EfficientPose) projected onto its budget, as
``tools/derive_arch.py`` does. A strategy the engine refuses for a space
before the first iteration (PC-DARTS on EfficientPose, whose blocks change
the width) is reported as ``n/a`` with the first line of the engine's
error; one that fails later as ``failed`` (the report is still written, the
exit status is 1). AutoPose's strategies keep its REINFORCE controller: its
sampling is in the step, its updates in the amortized column.

Every run trains in its own child process (this script with ``--child``)
under MMEngine's ``Runner`` with an ``IterBasedTrainLoop`` of ``--warmup +
--iters`` iterations, no validation, checkpoints, dataloader workers, LR
schedules or DARTS warm-up (an arch step every iteration; the held-out batch
follows ``--batch-size`` with the config's ratio). ``step`` is timed from
``before_train_iter`` (a hook put first: the DARTS arch step and its
held-out batch loading count, the train batch loading does not) to
``after_train_iter`` (a ``LOWEST`` hook registered last); ``compute`` leaves
out the held-out batch loading (timed around ``HeldOutBatches.next``);
``iter`` is the whole loop iteration; ``epoch_end`` the
``after_train_epoch`` hooks, run once (REINFORCE: one epoch's controller
updates; the final best-of-K, timed apart, left out), spread over an
epoch of this data in ``s/iter amortized``. Memory: ``ru_maxrss`` of the child (imports included) and its
rise during training; on CUDA ``torch.cuda.max_memory_allocated``. Per
space the report marks the cheapest search and whether a cheap strategy
(``darts1+gdas``, ``darts1+pc``) is within 1.5x of the derived net in
s/iter median and training memory. The notes of the report are the bullets
of ``benchmarks/search_cost_method.md``.
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

if importlib.util.find_spec('pose_nas') is None:  # run from a checkout
    sys.path.insert(0, REPO_ROOT)

from pose_nas.workflows import search_cost as sc  # noqa: E402
from pose_nas.workflows import search_cost_report as scr  # noqa: E402

#: the report's notes are the bullets under "## Notes" of this file
METHOD_NOTES = osp.join(REPO_ROOT, 'benchmarks', 'search_cost_method.md')
#: errors by which the engine refuses a strategy for a space (setup)
REFUSALS = (ValueError, KeyError, TypeError, RuntimeError,
            NotImplementedError)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] + ' ' +
        __doc__.splitlines()[1])
    parser.add_argument(
        '--data-root',
        help='synthetic COCO data (the folder with annotations/, or its '
        'parent with coco/); default: generate 64 train / 16 val images '
        '(seed 0) into a temporary folder')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed iterations before them')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--spaces', nargs='+', default=list(sc.SPACES),
        help=f'any of {", ".join(sc.SPACES)} (default: all)')
    parser.add_argument(
        '--strategies', nargs='+',
        help=f'any of {", ".join(sc.STRATEGIES)} (default: all that a '
        'space describes; each space runs those it describes)')
    parser.add_argument(
        '--out', default=osp.join('benchmarks', 'search_cost.json'),
        help='results file (JSON)')
    parser.add_argument('--markdown', help='also write the tables here')
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch.set_num_threads (and OMP/MKL threads) of every run; '
        'more than the idle cores makes the timings erratic')
    # hidden: one run in this process
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--child-space', help=argparse.SUPPRESS)
    parser.add_argument('--child-out', help=argparse.SUPPRESS)
    parser.add_argument('--child-genotypes', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for flag, what, given, known in (
            ('--spaces', 'space', args.spaces, sc.SPACES),
            ('--strategies', 'strategy', args.strategies or [],
             sc.STRATEGIES)):
        unknown = [s for s in given if s not in known]
        if unknown:
            parser.error(f'unknown {what} {", ".join(map(repr, unknown))}; '
                         f'choose from {", ".join(known)}')
        if len(set(given)) != len(given):
            parser.error(f'{flag} lists a {what} twice')
    for name in args.strategies or []:
        if not any(name in sc.SPACES[s]['strategies'] for s in args.spaces):
            parser.error(f'strategy {name!r} is not described for '
                         f'{", ".join(args.spaces)}')
    if args.data_root and not osp.isdir(args.data_root):
        parser.error(f'--data-root {args.data_root} is not a folder')
    if args.iters < 1 or args.warmup < 0 or args.batch_size < 1 \
            or args.threads < 1:
        parser.error('--iters, --batch-size and --threads must be >= 1, '
                     '--warmup >= 0')
    return args


# ----------------------------------------------------------------------
# child: one training run
# ----------------------------------------------------------------------
def _max_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_child(args) -> Dict[str, Any]:
    import torch
    torch.set_num_threads(args.threads)
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    import pose_nas  # noqa: F401 - registers the modules

    class Clock:
        step: List[float] = []
        fetch: List[float] = []  # held-out batch loading inside the step
        fetch_now = 0.0
        ends: List[float] = []
        epoch_end: List[float] = []
        final_derive = 0.0  # REINFORCE's best-of-K, in the last epoch only
        t0 = 0.0
        e0 = 0.0

    class StartHook(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            Clock.fetch_now = 0.0
            Clock.t0 = time.perf_counter()

        def after_train_epoch(self, runner):
            Clock.e0 = time.perf_counter()

    class EndHook(Hook):
        priority = 'LOWEST'

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            now = time.perf_counter()
            Clock.step.append(now - Clock.t0)
            Clock.fetch.append(Clock.fetch_now)
            Clock.ends.append(now)

        def after_train_epoch(self, runner):
            Clock.epoch_end.append(time.perf_counter() - Clock.e0)

    # time the held-out (arch) batch loading of DARTS inside its step
    from pose_nas.engine.utils import HeldOutBatches
    fetch = HeldOutBatches.next

    def timed_fetch(self):
        t = time.perf_counter()
        try:
            return fetch(self)
        finally:
            Clock.fetch_now += time.perf_counter() - t

    HeldOutBatches.next = timed_fetch
    from pose_nas.engine.hooks import ReinforceControllerHook
    derive = ReinforceControllerHook._derive

    def timed_derive(self, runner):
        t = time.perf_counter()
        try:
            return derive(self, runner)
        finally:
            Clock.final_derive += time.perf_counter() - t

    ReinforceControllerHook._derive = timed_derive

    # next to the result file: the parent's temporary folder
    work_dir = osp.join(
        osp.dirname(osp.abspath(args.child_out)),
        f'work_{args.child_space}_{args.child}'.replace('+', '-'))
    max_iters = args.warmup + args.iters
    derived = None
    if args.child_genotypes:
        with open(args.child_genotypes) as f:
            derived = json.load(f)
    from pose_nas.utils.memory import RssSampler
    sampler = RssSampler()
    try:
        cfg, extra = sc.build_run_config(
            args.child_space, args.child, args.data_root, args.batch_size,
            max_iters, work_dir, REPO_ROOT, derived)
        sampler.start()  # the model's memory: built, trained
        runner = Runner.from_cfg(cfg)
        start_hook = StartHook()
        runner.register_hook(start_hook)
        runner.register_hook(EndHook())
        hooks = runner.hooks
        hooks.remove(start_hook)  # first of all, before the arch step
        hooks.insert(0, start_hook)
        assert isinstance(hooks[-1], EndHook)

        model = runner.model
        params = sum(p.numel() for p in model.parameters())
        use_cuda = next(model.parameters()).is_cuda
        if use_cuda:
            torch.cuda.reset_peak_memory_stats()
        rss_before = _max_rss_kib()
        start = time.perf_counter()
        runner.train()
    except REFUSALS as e:
        sampler.stop()
        if Clock.step or Clock.t0:  # it failed while training: a failure
            raise
        lines = str(e).strip().splitlines() or [type(e).__name__]
        return dict(name=args.child, status='n/a', reason=lines[0],
                    error=type(e).__name__,
                    config=sc.run_source(args.child_space, args.child)[0])
    total = time.perf_counter() - start
    model_rss_rise = sampler.stop()
    rss_peak = _max_rss_kib()
    model = runner.model  # a partial-channel switch may have rewrapped it
    from pose_nas.nas.arch import is_arch_param_name
    arch_params = sum(p.numel() for n, p in model.named_parameters()
                      if is_arch_param_name(n))  # PC's arch_beta.node{j}

    timed = Clock.step[args.warmup:]
    compute = [s - f for s, f in zip(timed, Clock.fetch[args.warmup:])]
    ends = Clock.ends[args.warmup:]
    iters_per_epoch = len(runner.train_dataloader)
    loop = [b - a for a, b in zip(Clock.ends[args.warmup - 1:], ends)] \
        if args.warmup > 0 else [b - a for a, b in zip(ends, ends[1:])]
    step_median = statistics.median(timed)
    epoch_end = (Clock.epoch_end[0] if Clock.epoch_end else 0.0) \
        - Clock.final_derive
    result = dict(
        name=args.child,
        status='ok',
        iters_run=len(Clock.step),
        iters_timed=len(timed),
        step_s_median=step_median,
        step_s_mean=statistics.fmean(timed),
        step_s_min=min(timed),
        step_s_max=max(timed),
        step_s=timed,
        compute_s_median=statistics.median(compute),
        compute_s_mean=statistics.fmean(compute),
        iter_s_mean=statistics.fmean(loop) if loop else None,
        epoch_end_s=epoch_end,
        final_derive_s=Clock.final_derive,
        iters_per_epoch=iters_per_epoch,
        amortized_s=step_median + epoch_end / max(iters_per_epoch, 1),
        train_wall_s=total,
        peak_rss_mib=rss_peak / 1024,
        rss_before_train_mib=rss_before / 1024,
        rss_train_rise_mib=(rss_peak - rss_before) / 1024,
        model_rss_rise_mib=model_rss_rise / 2**20,
        cuda_max_allocated_mib=(torch.cuda.max_memory_allocated() / 2**20
                                if use_cuda else None),
        device='cuda' if use_cuda else 'cpu',
        params=sum(p.numel() for p in model.parameters()),
        params_before_train=params,
        arch_params=arch_params,
        threads=torch.get_num_threads())
    for hook in hooks:
        if type(hook).__name__ == 'ReinforceControllerHook':
            result['controller_updates'] = len(hook.history)
        if type(hook).__name__ == 'DartsArchHook':
            result['arch_steps'] = hook.arch_steps
    result.update(extra)
    return result


# ----------------------------------------------------------------------
# parent: all runs, ratios, report
# ----------------------------------------------------------------------
def _run_one(space: str, name: str, args, data_root: str,
             tmp: str) -> Dict[str, Any]:
    stem = f'{space}_{name}'.replace('+', '-')
    out, log = osp.join(tmp, f'{stem}.json'), osp.join(tmp, f'{stem}.log')
    cmd = [
        sys.executable, osp.abspath(__file__), '--child', name,
        '--child-space', space, '--child-out', out, '--data-root',
        data_root, '--iters', str(args.iters), '--warmup', str(args.warmup),
        '--batch-size', str(args.batch_size), '--threads', str(args.threads)
    ]
    if name == sc.BASELINE:  # the supernet is built here, not in the run
        genotypes = osp.join(tmp, f'{space}_genotypes.json')
        try:
            derived = sc.derive_fresh_genotypes(
                sc.load_config(sc.SPACES[space]['supernet'], REPO_ROOT))
        except REFUSALS as e:
            return dict(name=name, status='failed', reason=f'deriving the '
                        f'genotype: {type(e).__name__}: {e}'.splitlines()[0])
        with open(genotypes, 'w') as f:
            json.dump(derived, f)
        cmd += ['--child-genotypes', genotypes]
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(args.threads)
    with open(log, 'w') as f:
        proc = subprocess.run(
            cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
    if proc.returncode != 0 or not osp.isfile(out):
        with open(log) as f:
            lines = f.readlines()
        last = next((ln.strip() for ln in reversed(lines) if ln.strip()),
                    f'exit status {proc.returncode}')
        return dict(name=name, status='failed', reason=last,
                    returncode=proc.returncode,
                    config=sc.run_source(space, name)[0],
                    log_tail=''.join(lines[-40:]))
    with open(out) as f:
        return json.load(f)


def main(argv=None) -> int:
    args = parse_args(argv)
    from pose_nas.utils import benchmark_report
    if args.child:
        if args.child_space not in sc.SPACES or args.child not in \
                sc.space_runs(args.child_space):
            raise SystemExit(
                f'unknown run {args.child_space!r} / {args.child!r}')
        result = run_child(args)
        benchmark_report.write_json(result, args.child_out)
        return 0

    import torch
    torch.set_num_threads(args.threads)  # the baselines' derivation
    start = time.perf_counter()
    order = {
        space: sc.space_runs(space, args.strategies) for space in args.spaces
    }
    results: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix='bench_search_') as tmp:
        data_root = sc.resolve_data_root(
            args.data_root, osp.join(tmp, 'data'))
        for space in args.spaces:
            results[space] = {}
            for name in order[space]:
                t = time.perf_counter()
                res = _run_one(space, name, args, data_root, tmp)
                results[space][name] = res
                print(f'{space}/{name}: {scr.describe(res)} '
                      f'({time.perf_counter() - t:.0f} s)', flush=True)
    settings = dict(
        iters=args.iters, warmup=args.warmup, batch_size=args.batch_size,
        spaces=list(args.spaces), strategies=args.strategies, order=order,
        data=('generated: 64 train / 16 val images, seed 0'
              if args.data_root is None else osp.abspath(args.data_root)),
        command=' '.join(['python', 'tools/benchmark_search.py'] +
                         (argv if argv is not None else sys.argv[1:])))
    report = scr.make_report(
        results, settings, benchmark_report.machine_info(
            args.threads, packages=('mmengine', 'mmpose'), cuda=True),
        benchmark_report.read_notes(METHOD_NOTES))
    report['total_wall_s'] = time.perf_counter() - start
    benchmark_report.write_json(report, args.out)
    body = scr.markdown_body(report)
    if args.markdown:
        scr.write_markdown(report, args.markdown)
    print(body)
    print(f'results: {args.out}' +
          (f', {args.markdown}' if args.markdown else '') +
          f' ({report["total_wall_s"]:.0f} s)')
    failed = [f'{sp}/{n}' for sp, runs in results.items()
              for n, r in runs.items() if r.get('status') == 'failed']
    if failed:
        print(f'failed runs: {", ".join(failed)} (see the report)',
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
