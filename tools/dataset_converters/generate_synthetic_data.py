# Copyright (c) pose_nas contributors. All rights reserved.
"""Generate the deterministic synthetic pose dataset (COCO / MPII layouts).

Example::

    python tools/dataset_converters/generate_synthetic_data.py data/synth \
        --train 200 --val 50 --seed 0 --formats coco mpii \
        --image-size 320 256 --max-figures 3
"""
import argparse
import os.path as osp
import sys
import time

try:
    from pose_nas.datasets import generate_synthetic_dataset
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from pose_nas.datasets import generate_synthetic_dataset


def parse_args(argv=None) -> argparse.Namespace:
    """Parse command line arguments.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: Parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Generate synthetic human-pose data in COCO / MPII '
        'layouts (deterministic from --seed).')
    parser.add_argument('out_root', help='output folder')
    parser.add_argument('--train', type=int, default=200,
                        help='number of training images (0: no split)')
    parser.add_argument('--val', type=int, default=50,
                        help='number of validation images (0: no split)')
    parser.add_argument('--test', type=int, default=0,
                        help='number of test images (0: no split)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--formats', nargs='+', default=['coco', 'mpii'],
                        choices=['coco', 'mpii'])
    parser.add_argument('--image-size', nargs=2, type=int, default=[320, 256],
                        metavar=('W', 'H'))
    parser.add_argument('--max-figures', type=int, default=3)
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing dataset in out_root')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    splits = {
        name: n
        for name, n in (('train', args.train), ('val', args.val),
                        ('test', args.test)) if n != 0
    }
    if not splits:
        raise SystemExit('nothing to generate: all split sizes are 0')
    start = time.time()
    try:
        paths = generate_synthetic_dataset(
            args.out_root, splits=splits, seed=args.seed,
            formats=args.formats, image_size=tuple(args.image_size),
            max_figures=args.max_figures, overwrite=args.overwrite)
    except (ValueError, FileExistsError) as err:
        raise SystemExit(f'error: {err}')
    for fmt, per_split in paths.items():
        for split, files in per_split.items():
            for key, path in files.items():
                print(f'{fmt:5s} {split:6s} {key:13s} {path}')
    print(f'done in {time.time() - start:.1f}s')


if __name__ == '__main__':
    main()
