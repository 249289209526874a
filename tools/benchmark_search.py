# Copyright (c) pose_nas contributors. All rights reserved.
"""Search cost: seconds per iteration and peak memory of every search
strategy against plain training of the derived net of the same space.

Example::

    python tools/benchmark_search.py \
        --out benchmarks/search_cost.json --markdown benchmarks/search_cost.md

Every run (one per strategy of ``configs/nas_engine/engine-*_cellnet_*``,
where ``reinforce`` is ``engine-sync-reinforce_*``: the controller on top of
the ``sync`` weight training; and the baseline ``derived``:
``td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py`` with
``model.backbone.genotype`` set to the genotype derived from a freshly built
supernet, seed 0) trains in its own child process (this script with
``--child``) under MMEngine's ``Runner`` with an ``IterBasedTrainLoop`` of
``--warmup + --iters`` iterations, no validation, no checkpoints, no
dataloader workers. So the peak RSS is per run.

What is timed:

* ``step``: from ``before_train_iter`` (a ``HIGHEST`` priority hook) to
  ``after_train_iter`` (a ``LOWEST`` priority hook, registered last), so the
  arch step that ``DartsArchHook`` makes in ``before_train_iter`` (held-out
  batch loading included) and the decision sampling of
  ``ReinforceControllerHook`` are counted; the train batch's loading is not.
  ``compute`` subtracts the held-out batch loading (timed around
  ``HeldOutBatches.next``), the same footing as the other runs.
  The ``--warmup`` first iterations are discarded; median and mean are
  reported.
* ``iter``: the whole loop iteration (``after_train_iter`` to
  ``after_train_iter``), train batch loading included (mean).
* ``epoch_end``: the ``after_train_epoch`` hooks, run once at the end of the
  loop. For ``reinforce`` that is one controller update
  (``samples_per_update`` reward passes of the evaluator over the reward
  subset), which the search makes once per epoch (``start_epoch=0``,
  ``updates_per_epoch`` of the config). ``s/iter amortized`` adds
  ``epoch_end / iterations per epoch`` (the epoch of this data and batch
  size) to the median step time; its final best-of-K is switched off
  (``derive_samples=0``): a one-off cost of the search's last epoch.

DARTS warm-up epochs are set to 0 (an arch step every iteration), the
held-out (arch) batch follows ``--batch-size`` with the config's ratio to
the train batch, and LR schedules are dropped (they do not change a step's
cost). Each run uses ``--threads`` intra-op threads (default 1: on a small
shared machine, OpenMP threads that wait for a busy core make step times
vary tenfold). Peak memory is ``ru_maxrss`` of the child (imports
included; the rise during training is reported as well) and, on CUDA,
``torch.cuda.max_memory_allocated``.

The notes of the report (JSON ``notes`` and the markdown page) are the
bullets of ``benchmarks/search_cost_method.md``.
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
from typing import Any, Dict, List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'nas_engine')
TRAIN_CONFIG = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
SEARCH_CONFIG = 'engine-{}_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
STRATEGIES = ('sync', 'darts1', 'darts2', 'random', 'gumbel', 'reinforce')
#: strategy -> the strategy field of its config name, where they differ
#: (the REINFORCE controller runs on top of the sync weight training)
CONFIG_STRATEGY = {'reinforce': 'sync-reinforce'}
BASELINE = 'derived'
SEED = 0

if importlib.util.find_spec('pose_nas') is None:  # run from a checkout
    sys.path.insert(0, REPO_ROOT)

#: the report's notes are the bullets under "## Notes" of this file
METHOD_NOTES = osp.join(REPO_ROOT, 'benchmarks', 'search_cost_method.md')

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] + ' ' +
        __doc__.splitlines()[1])
    parser.add_argument(
        '--data-root',
        help='synthetic COCO data (the folder with annotations/, or its '
        'parent with coco/); default: generate 64 train / 16 val images '
        '(seed 0) into a temporary folder')
    parser.add_argument(
        '--iters', type=int, default=20,
        help='timed iterations per run')
    parser.add_argument(
        '--warmup', type=int, default=3,
        help='untimed iterations before them')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--strategies', nargs='+', default=list(STRATEGIES),
        help=f'any of {", ".join(STRATEGIES)}')
    parser.add_argument(
        '--out', default=osp.join('benchmarks', 'search_cost.json'),
        help='results file (JSON)')
    parser.add_argument('--markdown', help='also write the table here')
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch.set_num_threads (and OMP/MKL threads) of every run; '
        'more than the idle cores makes the timings erratic')
    # hidden: one run in this process
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--child-out', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [s for s in args.strategies if s not in STRATEGIES]
    if unknown:
        parser.error(f'unknown strategy {", ".join(map(repr, unknown))}; '
                     f'choose from {", ".join(STRATEGIES)}')
    if len(set(args.strategies)) != len(args.strategies):
        parser.error('--strategies lists a strategy twice')
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


def _derive_genotype(cfg) -> Dict[str, Any]:
    """Genotype of a freshly built supernet of ``cfg.model`` (seed 0)."""
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        supernet = MODELS.build(cfg.model)
    from pose_nas.nas.mutator import ArchMutator
    genotype = ArchMutator(supernet).derive_genotypes(
        init_seed=SEED)['backbone']
    params = sum(p.numel() for p in supernet.parameters())
    return dict(genotype=genotype.to_dict(), supernet_params=params)


def config_file(name: str) -> str:
    """The config of run ``name`` (a strategy or ``'derived'``), relative
    to ``configs/nas_engine``."""
    if name == BASELINE:
        return TRAIN_CONFIG
    return SEARCH_CONFIG.format(CONFIG_STRATEGY.get(name, name))


def build_run_config(name: str, data_root: str, batch_size: int,
                     max_iters: int, work_dir: str):
    """The config of run ``name`` (a strategy or ``'derived'``)."""
    from mmengine.config import Config

    from pose_nas.engine.strategies import expand_search_config
    from pose_nas.workflows import retarget_config
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config_file(name)))
    retarget_config(cfg, data_root, num_workers=0)
    # the search section -> optimizer routing and the strategy's hooks (as
    # NASEpochBasedTrainLoop does), so that the hooks can be adjusted below
    cfg = expand_search_config(cfg)
    extra: Dict[str, Any] = {}
    if name == BASELINE:
        derived = _derive_genotype(cfg)
        cfg.model.backbone.genotype = derived['genotype']
        extra.update(derived)
    train_batch = cfg.train_dataloader.batch_size
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10**9)
    for key in ('val_cfg', 'val_dataloader', 'val_evaluator', 'test_cfg',
                'test_dataloader', 'test_evaluator'):
        cfg[key] = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = max_iters
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=SEED)
    cfg.work_dir = work_dir
    for hook in cfg.get('custom_hooks') or []:
        if hook['type'] == 'DartsArchHook':
            hook['warmup_epochs'] = 0
            hook['warmup_iters'] = 0
            loader = hook['arch_dataloader']
            loader['batch_size'] = max(
                1, round(loader['batch_size'] * batch_size / train_batch))
        elif hook['type'] == 'ReinforceControllerHook':
            hook['start_epoch'] = 0
            hook['derive_samples'] = 0
            extra['updates_per_epoch'] = hook.get('updates_per_epoch', 1)
            extra['samples_per_update'] = hook.get('samples_per_update', 4)
    return cfg, extra


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
        t0 = 0.0
        e0 = 0.0

    class StartHook(Hook):
        priority = 'HIGHEST'

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

    # next to the result file: the parent's temporary folder
    work_dir = osp.join(
        osp.dirname(osp.abspath(args.child_out)), f'work_{args.child}')
    max_iters = args.warmup + args.iters
    cfg, extra = build_run_config(args.child, args.data_root,
                                  args.batch_size, max_iters, work_dir)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(StartHook())
    runner.register_hook(EndHook())
    hooks = runner.hooks
    assert isinstance(hooks[0], StartHook) and isinstance(hooks[-1], EndHook)

    model = runner.model
    params = sum(p.numel() for p in model.parameters())
    arch_params = sum(
        p.numel() for n, p in model.named_parameters()
        if n.split('.')[-1].startswith('arch_'))
    use_cuda = next(model.parameters()).is_cuda
    if use_cuda:
        torch.cuda.reset_peak_memory_stats()
    rss_before = _max_rss_kib()
    start = time.perf_counter()
    runner.train()
    total = time.perf_counter() - start
    rss_peak = _max_rss_kib()

    timed = Clock.step[args.warmup:]
    compute = [s - f for s, f in zip(timed, Clock.fetch[args.warmup:])]
    ends = Clock.ends[args.warmup:]
    iters_per_epoch = len(runner.train_dataloader)
    loop = [b - a for a, b in zip(Clock.ends[args.warmup - 1:], ends)] \
        if args.warmup > 0 else [b - a for a, b in zip(ends, ends[1:])]
    step_median = statistics.median(timed)
    epoch_end = Clock.epoch_end[0] if Clock.epoch_end else 0.0
    result = dict(
        name=args.child,
        config=osp.relpath(
            osp.join(CONFIG_DIR, config_file(args.child)), REPO_ROOT),
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
        iters_per_epoch=iters_per_epoch,
        amortized_s=step_median + epoch_end / max(iters_per_epoch, 1),
        train_wall_s=total,
        peak_rss_mib=rss_peak / 1024,
        rss_before_train_mib=rss_before / 1024,
        rss_train_rise_mib=(rss_peak - rss_before) / 1024,
        cuda_max_allocated_mib=(torch.cuda.max_memory_allocated() / 2**20
                                if use_cuda else None),
        device='cuda' if use_cuda else 'cpu',
        params=params,
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
def _resolve_data_root(data_root: Optional[str], tmp: str) -> str:
    if data_root is None:
        from pose_nas.datasets.synthetic import generate_synthetic_dataset
        generate_synthetic_dataset(
            tmp, splits={'train': 64, 'val': 16}, seed=SEED,
            formats=('coco', ))
        data_root = tmp
    if not osp.isdir(osp.join(data_root, 'annotations')) and osp.isdir(
            osp.join(data_root, 'coco', 'annotations')):
        data_root = osp.join(data_root, 'coco')
    if not osp.isfile(
            osp.join(data_root, 'annotations',
                     'person_keypoints_train.json')):
        raise FileNotFoundError(
            f'{data_root} holds no annotations/person_keypoints_train.json')
    return osp.abspath(data_root)


def _run_one(name: str, args, data_root: str, tmp: str) -> Dict[str, Any]:
    out = osp.join(tmp, f'{name}.json')
    log = osp.join(tmp, f'{name}.log')
    cmd = [
        sys.executable, osp.abspath(__file__), '--child', name,
        '--child-out', out, '--data-root', data_root, '--iters',
        str(args.iters), '--warmup', str(args.warmup), '--batch-size',
        str(args.batch_size), '--threads', str(args.threads)
    ]
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(args.threads)
    with open(log, 'w') as f:
        proc = subprocess.run(
            cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
    if proc.returncode != 0 or not osp.isfile(out):
        with open(log) as f:
            tail = ''.join(f.readlines()[-40:])
        raise RuntimeError(
            f'benchmark run {name!r} failed ({proc.returncode}):\n{tail}')
    with open(out) as f:
        return json.load(f)


def ratios(results: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, float]]:
    """Each run against the derived baseline."""
    base = results[BASELINE]
    out = {}
    for name, res in results.items():
        r = dict(
            step_time=res['step_s_median'] / base['step_s_median'],
            compute_time=res['compute_s_median'] / base['compute_s_median'],
            amortized_time=res['amortized_s'] / base['amortized_s'],
            peak_rss=res['peak_rss_mib'] / base['peak_rss_mib'],
            params=res['params'] / base['params'])
        if base['rss_train_rise_mib'] > 0:
            r['rss_train_rise'] = (res['rss_train_rise_mib'] /
                                   base['rss_train_rise_mib'])
        if res.get('cuda_max_allocated_mib') and base.get(
                'cuda_max_allocated_mib'):
            r['cuda_max_allocated'] = (res['cuda_max_allocated_mib'] /
                                       base['cuda_max_allocated_mib'])
        out[name] = r
    return out


def markdown_table(report: Dict[str, Any]) -> str:
    from pose_nas.utils import benchmark_report
    results, rat = report['results'], report['ratios']
    cuda = any(r.get('cuda_max_allocated_mib') for r in results.values())
    head = ['strategy', 's/iter median', 'x derived', 'compute s/iter',
            'x derived', 's/iter amortized',
            'x derived', 'peak RSS MiB', 'x derived', 'RSS rise MiB',
            'x derived', 'params']
    if cuda:
        head[-1:-1] = ['CUDA peak MiB', 'x derived']
    rows = []
    for name in report['settings']['order']:
        res, r = results[name], rat[name]
        row = [
            name, f"{res['step_s_median']:.3f}", f"{r['step_time']:.2f}",
            f"{res['compute_s_median']:.3f}", f"{r['compute_time']:.2f}",
            f"{res['amortized_s']:.3f}", f"{r['amortized_time']:.2f}",
            f"{res['peak_rss_mib']:.0f}", f"{r['peak_rss']:.2f}",
            f"{res['rss_train_rise_mib']:.0f}",
            f"{r.get('rss_train_rise', float('nan')):.2f}",
            f"{res['params']:,}"
        ]
        if cuda:
            row[-1:-1] = [
                f"{res.get('cuda_max_allocated_mib') or 0:.0f}",
                f"{r.get('cuda_max_allocated', float('nan')):.2f}"
            ]
        rows.append(row)
    return benchmark_report.markdown_table(
        head, rows, ['---'] + ['---:'] * (len(head) - 1))


def write_markdown(report: Dict[str, Any], path: str) -> None:
    from pose_nas.utils import benchmark_report
    m, s = report['machine'], report['settings']
    intro = [
        f"Generated by `{s['command']}`.",
        f"{m['platform']}, {m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['threads']} threads, device {m['cuda'] or 'cpu'}; batch "
        f"{s['batch_size']}, {s['iters']} timed iterations after "
        f"{s['warmup']} warm-up, data {s['data']}."
    ]
    benchmark_report.write_markdown(path, 'Search cost', intro,
                                    markdown_table(report), report['notes'])


def main(argv=None) -> int:
    args = parse_args(argv)
    from pose_nas.utils import benchmark_report
    if args.child:
        if args.child != BASELINE and args.child not in STRATEGIES:
            raise SystemExit(f'unknown run {args.child!r}')
        result = run_child(args)
        benchmark_report.write_json(result, args.child_out)
        return 0

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix='bench_search_') as tmp:
        data_root = _resolve_data_root(
            args.data_root, osp.join(tmp, 'data'))
        order = [BASELINE] + list(args.strategies)
        results = {}
        for name in order:
            t = time.perf_counter()
            results[name] = _run_one(name, args, data_root, tmp)
            print(f'{name}: {results[name]["step_s_median"]:.3f} s/iter '
                  f'({time.perf_counter() - t:.0f} s)', flush=True)
    base = results[BASELINE]
    for name, res in results.items():
        if name != BASELINE:
            res['supernet_params'] = res['params']
            res['derived_params'] = base['params']
    report = dict(
        machine=benchmark_report.machine_info(
            args.threads, packages=('mmengine', 'mmpose'), cuda=True),
        settings=dict(
            iters=args.iters,
            warmup=args.warmup,
            batch_size=args.batch_size,
            strategies=list(args.strategies),
            order=order,
            baseline=BASELINE,
            seed=SEED,
            data=('generated: 64 train / 16 val images, seed 0'
                  if args.data_root is None else osp.abspath(
                      args.data_root)),
            command=' '.join(['python', 'tools/benchmark_search.py'] +
                             (argv if argv is not None else sys.argv[1:])),
        ),
        notes=benchmark_report.read_notes(METHOD_NOTES),
        results=results,
        ratios=ratios(results),
        total_wall_s=time.perf_counter() - start)
    benchmark_report.write_json(report, args.out)
    if args.markdown:
        write_markdown(report, args.markdown)
    print(markdown_table(report))
    print(f'results: {args.out}' +
          (f', {args.markdown}' if args.markdown else '') +
          f' ({report["total_wall_s"]:.0f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
