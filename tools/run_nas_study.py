# Copyright (c) pose_nas contributors. All rights reserved.
"""Run an architecture study on built-in synthetic data.

Every variant of the study (a search run that is derived and retrained, a
random architecture, a released architecture, ...) is trained and tested
with MMPose's own ``tools/train.py`` / ``tools/test.py`` at every seed; then
a person detector is trained with MMDetection's ``tools/train.py`` and one
variant runs detector -> pose on held-out images. See
``pose_nas/workflows/study.py`` for the study file format.

Example::

    python tools/run_nas_study.py \
        configs/efficientpose/studies/budget-0.42g_synthcoco.py \
        --work-dir work_dirs/efficientpose_study

Writes ``summary.json`` (every run: metrics, params, GFLOPs, genotypes,
timings; the per-variant table; the paired comparisons by seed; the
top-down check), ``results.md`` (mean +- std per variant, then per pair the
per-seed differences, 95 % t and bootstrap intervals, sign test and
verdict) and ``study.png`` (metric vs GFLOPs, one point per run) under
``--work-dir``.
"""
import argparse
import json
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('study', help='study file (configs/*/studies/*.py)')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--seeds', type=int, nargs='+',
                        help="override the study's seeds")
    parser.add_argument('--variants', nargs='+',
                        help='run only these variants')
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--det-config', help='reuse a trained detector: '
                        'its config (with --det-checkpoint)')
    parser.add_argument('--det-checkpoint', help='reuse a trained detector')
    parser.add_argument('--skip-topdown', action='store_true')
    parser.add_argument(
        '--resume', action='store_true',
        help='keep the runs an earlier invocation finished in --work-dir')
    parser.add_argument(
        '--import-runs', metavar='SUMMARY_JSON', nargs='+',
        help="count the runs of earlier invocations' summary.json files (the "
        'same study and data; e.g. kept under benchmarks/ when a study '
        'spans sessions, or of seeds run as parallel processes) as '
        'finished, although their checkpoints are gone')
    parser.add_argument(
        '--threads', type=int,
        help='OpenMP/MKL threads of every train/test run (default: '
        "torch's choice; 1 avoids oversubscription on a busy machine)")
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        import pose_nas  # noqa: F401
    except ImportError:  # running from a checkout without an install
        sys.path.insert(0, ROOT)
    from pose_nas.workflows import run_study
    try:
        summary = run_study(args.study, args.work_dir, args.seeds,
                            args.variants, args.num_workers,
                            args.det_checkpoint, args.det_config,
                            args.skip_topdown, args.threads, args.resume,
                            args.import_runs)
    except (FileNotFoundError, KeyError, ValueError) as e:
        print(f'run_nas_study: error: {e}', file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary['table'], indent=2))
    if 'topdown' in summary:
        print(json.dumps(summary['topdown']['match'], indent=2))
    print(f"\nresults: {osp.join(summary['work_dir'], 'results.md')}")


if __name__ == '__main__':
    main()
