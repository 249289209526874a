# Copyright (c) pose_nas contributors. All rights reserved.
"""Derive the discrete architecture from a search checkpoint.

The command line of ``tools/derive_arch.py``; also runs as
``python -m pose_nas.workflows.derive_cli`` (how the studies call it, so an
installed package needs no source checkout). Example::

    python tools/derive_arch.py \
        configs/nas_engine/engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py \
        work_dirs/search/epoch_10.pth --out-dir work_dirs/derived

Writes one genotype file per searchable module (``genotype_backbone.json``)
and a retrain config (``<train config>_derived.py``) that inherits the
method's train config (the search config's ``retrain_config``, or
``--retrain-config``) with ``genotype=`` pointing at those files; then
builds the derived model once to check that the genotype fits it. Train it
with ``tools/train.py <that config>``.

``--random SEED`` draws a random architecture of the search config's space
instead (no checkpoint; every method's random baseline), and
``--match-gflops G`` redraws until the retrained model is within
``--match-tolerance`` of G GFLOPs at ``--match-input-size``::

    python tools/derive_arch.py CONFIG --random 0 --match-gflops 0.0045 \
        --match-input-size 48 64 --out-dir work_dirs/random0
"""
import argparse
import sys
from typing import List, Optional

from mmengine.config import DictAction

from pose_nas.apis.derive import derive_arch
from pose_nas.apis.random_arch import derive_random_arch

__all__ = ['parse_args', 'main']


def _positive_int(text: str) -> int:
    """``--k``: an int >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'an int >= 1, not {text!r}')
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def _seed(text: str) -> int:
    """``--random``: an int >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'an int >= 0, not {text!r}')
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be >= 0, got {value}')
    return value


def _threshold(text: str) -> float:
    """``--prune-below``: a finite number in [0, 1) (a softmax weight;
    >= 1 would prune everything)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'a number in [0, 1), not {text!r}')
    if not 0 <= value < 1:  # also false for NaN
        raise argparse.ArgumentTypeError(
            f'must be a number in [0, 1) (a mixture weight), got {text}')
    return value


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the search config')
    parser.add_argument(
        'checkpoint', nargs='?',
        help='a search checkpoint (local); omitted with --random')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--retrain-config',
        help='train config the retrain config inherits (default: the '
        "search config's `retrain_config`)")
    parser.add_argument(
        '--k',
        type=_positive_int,
        help='incoming edges kept per node (cell spaces; an error for a '
        'space whose rule has no such option)')
    parser.add_argument(
        '--prune-below',
        type=_threshold,
        help='continuous spaces (PNFS): mixture weights at or below this, '
        'in [0, 1), become zero (an error for other spaces)')
    parser.add_argument(
        '--budget-gflops',
        type=float,
        help='project the architecture onto this FLOPs budget (whole '
        'model, GFLOPs, spaces with a cost table such as EfficientPose), '
        'overriding a budget saved by the search')
    parser.add_argument(
        '--budget-input-size',
        type=int,
        nargs=2,
        default=(192, 256),
        metavar=('W', 'H'),
        help='input size of --budget-gflops / --budget-latency-ms (default '
        '192 256)')
    parser.add_argument(
        '--budget-latency-ms',
        type=float,
        help='project the architecture onto this latency (whole model, ms, '
        'predicted by --latency-table), overriding a budget saved by the '
        'search')
    parser.add_argument(
        '--latency-table',
        help='latency lookup table of --budget-latency-ms (a file of '
        'tools/build_latency_table.py)')
    parser.add_argument(
        '--random', type=_seed, metavar='SEED',
        help='draw a random architecture of the space with this seed '
        '(N(0, 1) architecture parameters, uniform discrete decisions) '
        'instead of deriving a checkpoint')
    parser.add_argument(
        '--match-gflops', type=float, metavar='G',
        help='with --random: redraw until the retrained model has G GFLOPs '
        '(MMEngine counter) within --match-tolerance')
    parser.add_argument(
        '--match-input-size', type=int, nargs=2, default=(192, 256),
        metavar=('W', 'H'), help='input size of --match-gflops')
    parser.add_argument(
        '--match-tolerance', type=float, default=0.05,
        help='relative tolerance of --match-gflops (default 0.05)')
    parser.add_argument(
        '--max-trials', type=_positive_int, default=500,
        help='draws tried for --match-gflops (default 500)')
    parser.add_argument(
        '--walk-steps', type=int, default=300,
        help='when no draw hits --match-gflops: steps of a random walk from '
        'the closest draw (one edge redrawn per step; default 300, 0: none)')
    parser.add_argument(
        '--format', choices=('json', 'yaml'), default='json',
        help='genotype file format')
    parser.add_argument(
        '--force', action='store_true',
        help='export a DARTS search that made 0 architecture steps (its '
        'initial architecture) with a warning instead of an error')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the search config')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    """Run the derive command line on ``argv`` (default: ``sys.argv[1:]``)."""
    args = parse_args(argv)
    if (args.checkpoint is None) == (args.random is None):
        print('derive_arch: error: give a search checkpoint or --random SEED '
              '(not both)', file=sys.stderr)
        sys.exit(2)
    if args.match_gflops is not None and args.random is None:
        print('derive_arch: error: --match-gflops needs --random',
              file=sys.stderr)
        sys.exit(2)
    kwargs = {}
    if args.k is not None:
        kwargs['k'] = args.k
    if args.prune_below is not None:
        kwargs['prune_below'] = args.prune_below
    try:
        if args.random is not None:
            _main_random(args, kwargs)
            return
        budget = _budget(args)
        result = derive_arch(args.config, args.checkpoint, args.out_dir,
                             args.retrain_config, kwargs, args.format,
                             args.cfg_options, budget, force=args.force)
    except (FileNotFoundError, RuntimeError, ValueError, KeyError) as e:
        print(f'derive_arch: error: {e}', file=sys.stderr)
        sys.exit(1)
    for name, path in result['genotypes'].items():
        print(f'genotype ({name or "model"}): {path}')
    print(f'retrain config: {result["config"]}')
    print(f'derived model parameters: {result["params"]}')


def _budget(args: argparse.Namespace) -> Optional[dict]:
    """The budget of ``--budget-gflops`` or ``--budget-latency-ms``."""
    if args.budget_gflops is not None and args.budget_latency_ms is not None:
        raise ValueError('give --budget-gflops or --budget-latency-ms, not '
                         'both')
    if (args.budget_latency_ms is None) != (args.latency_table is None):
        raise ValueError('--budget-latency-ms and --latency-table go '
                         'together')
    size = tuple(args.budget_input_size)
    if args.budget_gflops is not None:
        return dict(target=args.budget_gflops * 1e9, input_size=size)
    if args.budget_latency_ms is not None:
        return dict(target=args.budget_latency_ms, input_size=size,
                    metric='latency', latency_table=args.latency_table)
    return None


def _main_random(args: argparse.Namespace, kwargs: dict) -> None:
    """``--random``: draw (and match) a random architecture."""
    if args.budget_gflops is not None or args.budget_latency_ms is not None:
        raise ValueError('--budget-gflops / --budget-latency-ms do not apply '
                         'to --random (use --match-gflops)')
    match = None
    if args.match_gflops is not None:
        match = dict(gflops=args.match_gflops,
                     input_size=tuple(args.match_input_size),
                     tolerance=args.match_tolerance,
                     max_trials=args.max_trials,
                     walk_steps=args.walk_steps)
    result = derive_random_arch(args.config, args.out_dir, args.random,
                                args.retrain_config, kwargs, args.format,
                                args.cfg_options, match)
    for name, path in result['genotypes'].items():
        print(f'genotype ({name or "model"}): {path}')
    print(f'retrain config: {result["config"]}')
    if result['gflops'] is not None:
        walk = result.get('walk')
        how = (f'random draw {result["trial"]}' if walk is None else
               f'random walk from draw {result["trial"]} ({walk["steps"]} '
               f'steps)')
        print(f'{how}: {result["gflops"]:.4g} GFLOPs (target '
              f'{args.match_gflops:.4g})')


if __name__ == '__main__':
    main()
