# Copyright (c) pose_nas contributors. All rights reserved.
"""Generate the deterministic synthetic pose dataset (COCO / MPII layouts).

Example::

    python tools/dataset_converters/generate_synthetic_data.py data/synth \
        --train 200 --val 50 --seed 0 --formats coco mpii \
        --image-size 320 256 --max-figures 3

    # the NAS benchmark (train 4000 / val 500 / test 500 images)
    python tools/dataset_converters/generate_synthetic_data.py \
        data/synthcoco-bench-v1 --preset synthcoco-bench-v1 --formats coco
"""
import argparse
import os.path as osp
import sys
import time

try:
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.datasets.synthetic import get_preset
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.datasets.synthetic import get_preset


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
    parser.add_argument('--train', type=int, default=None,
                        help='number of training images (0: no split; '
                        'default: the preset\'s, 200)')
    parser.add_argument('--val', type=int, default=None,
                        help='number of validation images (0: no split; '
                        'default: the preset\'s, 50)')
    parser.add_argument('--test', type=int, default=None,
                        help='number of test images (0: no split; '
                        'default: the preset\'s, none)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--formats', nargs='+', default=['coco', 'mpii'],
                        choices=['coco', 'mpii'])
    parser.add_argument('--preset', default='default',
                        help='named scene (pose_nas.datasets.synthetic.'
                        'presets): default | synthcoco-bench-v1; a preset '
                        'other than default fixes image size, figures and, '
                        'unless given, the split sizes')
    parser.add_argument('--image-size', nargs=2, type=int, default=None,
                        metavar=('W', 'H'),
                        help='default preset only (default: 320 256)')
    parser.add_argument('--max-figures', type=int, default=None,
                        help='default preset only (default: 3)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing dataset in out_root')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    try:
        sizes = get_preset(args.preset)['splits']
    except KeyError as err:
        raise SystemExit(f'error: {err.args[0]}')
    for name in ('train', 'val', 'test'):
        if getattr(args, name) is not None:
            sizes[name] = getattr(args, name)
    splits = {name: n for name, n in sizes.items() if n != 0}
    if not splits:
        raise SystemExit('nothing to generate: all split sizes are 0')
    start = time.time()
    try:
        paths = generate_synthetic_dataset(
            args.out_root, splits=splits, seed=args.seed,
            formats=args.formats,
            image_size=tuple(args.image_size) if args.image_size else None,
            max_figures=args.max_figures, overwrite=args.overwrite,
            preset=args.preset)
    except (ValueError, FileExistsError) as err:
        raise SystemExit(f'error: {err}')
    for fmt, per_split in paths.items():
        for split, files in per_split.items():
            for key, path in files.items():
                print(f'{fmt:5s} {split:6s} {key:13s} {path}')
    print(f'done in {time.time() - start:.1f}s')


if __name__ == '__main__':
    main()
