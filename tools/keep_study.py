# Copyright (c) pose_nas contributors. All rights reserved.
"""Keep a study's results in the repository: summary, results table, plot,
and per run the retrained net's config and genotype(s), paths relative to
the repository root (see pose_nas/workflows/study_keep.py).

    python tools/keep_study.py work_dirs/efficientpose_bench_v1_seed0 \\
        benchmarks/studies/efficientpose_bench_v1/seed0
    # later, in another session, the kept runs count as finished:
    python tools/run_nas_study.py STUDY --work-dir W \\
        --import-runs benchmarks/studies/efficientpose_bench_v1/seed0/summary.json
"""
import argparse
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('work_dir', help="the study's --work-dir")
    parser.add_argument('dest', help='a folder in the repository')
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    from pose_nas.workflows.study_keep import keep_study
    try:
        summary = keep_study(args.work_dir, args.dest, ROOT)
    except (FileNotFoundError, KeyError, ValueError) as e:
        print(f'keep_study: error: {e}', file=sys.stderr)
        sys.exit(1)
    print(f"kept {len(summary['runs'])} runs in {args.dest}")


if __name__ == '__main__':
    main()
