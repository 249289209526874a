# Copyright (c) pose_nas contributors. All rights reserved.
"""Turn a training checkpoint into a model-zoo release.

Example::

    python tools/publish_model.py \
        work_dirs/derived/td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96_derived.py \
        work_dirs/retrain/epoch_10.pth --out-dir work_dirs/releases

Writes ``OUT_DIR/<name>-<sha256[:8]>.pth`` (weights and a plain ``meta``
with the genotypes and ``dataset_meta``; no optimizer, message hub or
schedulers; the same input gives the same bytes) and ``OUT_DIR/<name>.py``
(a self-contained config: bases merged, genotypes inlined). Then::

    python tools/test.py OUT_DIR/<name>.py OUT_DIR/<name>-<sha8>.pth

``--check RELEASE.pth`` verifies an existing release against its name.
"""
import argparse
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?',
                        help='the config the checkpoint was trained with')
    parser.add_argument('checkpoint', nargs='?',
                        help='an MMEngine training checkpoint')
    parser.add_argument('--out-dir', default='work_dirs/releases',
                        help='where the release is written')
    parser.add_argument('--name', help="release name (default: the config's "
                        'file name)')
    parser.add_argument('--check', metavar='RELEASE',
                        help='only verify a release file (hash, safe load)')
    args = parser.parse_args()
    if args.check is None and (args.config is None
                               or args.checkpoint is None):
        parser.error('CONFIG and CHECKPOINT are required (or --check)')
    return args


def main():
    args = parse_args()
    from pose_nas.apis import load_release, publish_model
    from pose_nas.workflows.tool_errors import TOOL_INPUT_ERRORS
    try:
        if args.check:
            meta = load_release(args.check)['meta']
            release = meta.get('release', {})
            print(f'{args.check}: ok (release {release.get("name", "?")}, '
                  f'genotypes: {sorted(meta.get("genotypes", {})) or "none"})')
            return
        out = publish_model(args.config, args.checkpoint, args.out_dir,
                            args.name)
    except (FileNotFoundError, ValueError, *TOOL_INPUT_ERRORS) as e:
        print(f'publish_model.py: error: {e}', file=sys.stderr)
        sys.exit(1)
    print(f"release:  {out['checkpoint']}")
    print(f"config:   {out['config']}")
    print(f"sha256:   {out['sha256']}")
    print(f"genotypes: {', '.join(sorted(out['genotypes'])) or 'none'}")


if __name__ == '__main__':
    main()
