# Copyright (c) pose_nas contributors. All rights reserved.
"""Parameters and GFLOPs of a pose config's model (backbone + neck + head).

Example::

    python tools/get_flops.py \
        configs/efficientpose/td-hm_efficientpose-a_slimdeconv_2xb64-240e_coco-256x192.py \
        --input-size 192 256 --conv-rule

GFLOPs are MMEngine's counter (multiply-adds; the number every README table
of this project uses). ``--conv-rule`` adds the count under the
``flops-counter.pytorch`` rule some papers used (transposed convs per output
pixel, biases counted), to explain gaps to papers' numbers.
"""
import argparse
import json
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+', help='pose config file(s)')
    parser.add_argument(
        '--input-size', type=int, nargs=2, metavar=('W', 'H'),
        help="input (w, h); default: the config's codec input size")
    parser.add_argument('--conv-rule', action='store_true',
                        help='also count with the flops-counter.pytorch rule')
    parser.add_argument('--json', help='also write the results here')
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        import pose_nas  # noqa: F401
    except ImportError:
        sys.path.insert(0, ROOT)
    from mmengine.config import Config

    from pose_nas.deploy import model_complexity
    rows = []
    for path in args.configs:
        if not osp.isfile(path):
            print(f'get_flops: error: config not found: {path}',
                  file=sys.stderr)
            sys.exit(1)
        size = args.input_size
        if size is None:
            cfg = Config.fromfile(path)
            size = tuple(cfg.codec['input_size']) if 'codec' in cfg else (
                192, 256)
        res = model_complexity(path, tuple(size), args.conv_rule)
        res.update(config=path, input_size=list(size))
        rows.append(res)
        extra = (f", conv rule {res['gflops_conv_rule']:.3f} GFLOPs"
                 if args.conv_rule else '')
        print(f"{osp.basename(path)} @{size[1]}x{size[0]}: "
              f"{res['params_m']:.3f} M params, {res['gflops']:.3f} GFLOPs"
              f'{extra}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)


if __name__ == '__main__':
    main()
