# Copyright (c) pose_nas contributors. All rights reserved.
"""Neural architecture search for pose, start to finish, on built-in data.

On a synthetic COCO-format dataset (train / val / test, disjoint):

1. search a method's space with MMPose's ``tools/train.py`` (the search
   lives in the config's ``train_cfg.search``);
2. derive the discrete architecture (``tools/derive_arch.py``) and draw it;
3. retrain the derived net from scratch (``tools/train.py``);
4. test the untrained and the retrained net (``tools/test.py``, test split);
5. publish a model-zoo release (``tools/publish_model.py``) and test it;
6. train an MMDetection person detector (MMDetection's ``tools/train.py``);
7. run detector -> boxes -> the release on held-out images.

Example::

    python tools/run_nas_workflow.py                       # PoseNAS (default)
    python tools/run_nas_workflow.py --method autopose      # or efficientpose, pnfs
    python tools/run_nas_workflow.py --list

Prints one line per phase (MMEngine's training log in short), then a
table; the full summary is ``WORK_DIR/summary.json``.
"""
import argparse
import importlib.util
import os.path as osp
import sys
import warnings

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# the pinned stack's deprecation noise that we cannot fix at its source
for _message in ('pkg_resources is deprecated', '.*torch.cuda.amp.*',
                 '.*is not found in .* registry.*', '.*Failed to search '
                 'registry with scope.*'):
    warnings.filterwarnings('ignore', message=_message)


def parse_args(methods, default):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--method', default=default, choices=sorted(methods),
                        help=f'which method searches (default: {default})')
    parser.add_argument('--list', action='store_true',
                        help='list the methods and exit')
    parser.add_argument('--work-dir', default='work_dirs/nas_workflow')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=60)
    parser.add_argument('--num-test', type=int, default=60)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--threads', type=int,
                        help='OpenMP/MKL threads of every tool run')
    parser.add_argument('--det-epochs', type=int, default=20)
    parser.add_argument('--det-config', help='reuse a trained detector: '
                        'its config (with --det-checkpoint)')
    parser.add_argument('--det-checkpoint', help='reuse a trained detector')
    parser.add_argument('--num-demo-images', type=int, default=10)
    parser.add_argument('--bbox-thr', type=float, default=0.1,
                        help='detector score threshold of the top-down step')
    parser.add_argument('--search-epochs', type=int,
                        help="override the method's search epochs")
    parser.add_argument('--retrain-epochs', type=int,
                        help="override the method's retraining epochs")
    return parser.parse_args()


def main():
    if importlib.util.find_spec('pose_nas') is None:  # run from a checkout
        sys.path.insert(0, ROOT)
    from pose_nas.workflows.nas_workflow import (DEFAULT_METHOD,
                                                 WORKFLOW_METHODS,
                                                 closing_table,
                                                 run_nas_workflow)
    args = parse_args(WORKFLOW_METHODS, DEFAULT_METHOD)
    if args.list:
        for name, spec in sorted(WORKFLOW_METHODS.items()):
            print(f"{name:14s} {spec['what']}  ({spec['search_config']})")
        return
    try:
        summary = run_nas_workflow(
            args.method, args.work_dir, args.num_train, args.num_val,
            args.num_test, args.seed, args.num_workers, args.threads,
            args.det_epochs, args.det_config, args.det_checkpoint,
            args.num_demo_images, args.bbox_thr, args.search_epochs,
            args.retrain_epochs)
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        sys.exit(f'run_nas_workflow.py: error: {e}')
    print()
    print(closing_table(summary))


if __name__ == '__main__':
    main()
