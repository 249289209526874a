# Copyright (c) pose_nas contributors. All rights reserved.
"""Draw a derived architecture (genotype) or a search's progress as PNGs.

Examples::

    # a genotype file -> work_dirs/derived/genotype_backbone.png
    python tools/visualize_arch.py work_dirs/derived/genotype_backbone.json

    # a search work dir (needs arch_history.jsonl of GenotypeLoggerHook):
    # the latest genotype of every searchable module and the history plot
    # -> work_dirs/search/arch_vis/{genotype_<module>,arch_history}.png
    python tools/visualize_arch.py work_dirs/search

``GENOTYPE_OR_WORKDIR`` may also be an ``arch_history.jsonl`` file itself.
``--history`` plots another history file (with a genotype file too).
The written paths are printed, one a line.
"""
import argparse
import importlib.util
import os.path as osp
import sys
from typing import Dict, List, Tuple

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
HISTORY_NAME = 'arch_history.jsonl'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'path',
        metavar='GENOTYPE_OR_WORKDIR',
        help='a genotype file (.json / .yaml), a search work dir with '
        f'{HISTORY_NAME}, or such a history file')
    parser.add_argument(
        '--history',
        help=f'the history file to plot (default: <workdir>/{HISTORY_NAME})')
    parser.add_argument(
        '--out-dir',
        help='output folder (default: the genotype file\'s folder, or '
        '<workdir>/arch_vis)')
    parser.add_argument('--title', help='title of the genotype drawings')
    args = parser.parse_args(argv)

    # cheap checks before the (slow) pose_nas import
    if not osp.exists(args.path):
        parser.error(f'path not found: {args.path} (expected a genotype file '
                     f'or a search work dir with {HISTORY_NAME})')
    if args.history is not None and not osp.isfile(args.history):
        parser.error(f'--history file not found: {args.history}')
    if osp.isdir(args.path):
        history = args.history or osp.join(args.path, HISTORY_NAME)
        if not osp.isfile(history):
            parser.error(
                f'{args.path} is a folder without {HISTORY_NAME}; run the '
                'search with GenotypeLoggerHook, pass --history, or give a '
                'genotype file')
    return args


def _latest_genotypes(history: List[dict]) -> Dict[str, Tuple[dict, int]]:
    """module -> (genotype dict, epoch) of its latest record."""
    latest: Dict[str, Tuple[dict, int]] = {}
    for i, rec in enumerate(history):
        for module, genotype in (rec.get('genotypes') or {}).items():
            if genotype:
                latest[module] = (genotype, rec.get('epoch', i + 1))
    return latest


def _is_text(path: str) -> bool:
    """Whether ``path`` reads as UTF-8 text."""
    try:
        with open(path, encoding='utf-8') as f:
            f.read()
    except UnicodeDecodeError:
        return False
    return True


def _module_file_name(module: str) -> str:
    return 'genotype_' + (module.replace('.', '_') if module else 'model')


def main(argv=None) -> List[str]:
    args = parse_args(argv)
    if importlib.util.find_spec('pose_nas') is None:  # run from a checkout
        sys.path.insert(0, REPO_ROOT)
    from pose_nas.visualization import (draw_genotype, plot_arch_history,
                                        read_arch_history)
    from pose_nas.nas.genotype import GenotypeError

    path = args.path
    is_history = osp.isdir(path) or path.endswith('.jsonl')
    written: List[str] = []
    try:
        if is_history:
            if osp.isdir(path):
                history_file = args.history or osp.join(path, HISTORY_NAME)
                out_dir = args.out_dir or osp.join(path, 'arch_vis')
            else:
                history_file = args.history or path
                out_dir = args.out_dir or osp.join(
                    osp.dirname(osp.abspath(path)), 'arch_vis')
            history = read_arch_history(history_file)
            if not history:
                raise ValueError(f'{history_file} has no records yet')
            latest = _latest_genotypes(history)
            if not latest:
                print(f'note: {history_file} holds no genotypes; only the '
                      'history is plotted', file=sys.stderr)
            for module, (genotype, epoch) in latest.items():
                title = args.title or (
                    f'{genotype.get("space", "?")} - {module or "model"}, '
                    f'epoch {epoch}')
                written.append(
                    draw_genotype(
                        genotype,
                        osp.join(out_dir, _module_file_name(module) + '.png'),
                        title=title))
            written.append(
                plot_arch_history(history,
                                  osp.join(out_dir, 'arch_history.png')))
        else:
            out_dir = args.out_dir or osp.dirname(osp.abspath(path))
            stem = osp.splitext(osp.basename(path))[0]
            written.append(
                draw_genotype(
                    path, osp.join(out_dir, stem + '.png'), title=args.title))
            if args.history:
                history = read_arch_history(args.history)
                if not history:
                    raise ValueError(f'{args.history} has no records yet')
                written.append(
                    plot_arch_history(history,
                                      osp.join(out_dir, 'arch_history.png')))
    except UnicodeDecodeError:  # e.g. a picture given as the genotype
        inputs = [args.history, path if osp.isfile(path) else osp.join(
            path, HISTORY_NAME)]
        bad = next((p for p in inputs if p and not _is_text(p)), path)
        sys.exit(f'visualize_arch.py: error: {bad} is not a text file; '
                 'expected a genotype (.json / .yaml), an '
                 f'{HISTORY_NAME} or a search work dir')
    except (GenotypeError, ValueError, FileNotFoundError) as e:
        sys.exit(f'visualize_arch.py: error: {e}')
    for p in written:
        print(p)
    return written


if __name__ == '__main__':
    main()
