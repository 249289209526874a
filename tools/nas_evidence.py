# Copyright (c) pose_nas contributors. All rights reserved.
"""Write benchmarks/nas_evidence.{md,json}: the bench-v1 studies of every
method side by side, with the reference rows (baseline, weak baseline) and
each net's CPU latency (ONNX Runtime, batch 1, one thread; measured now, so
run it on a quiet machine). See pose_nas/workflows/nas_evidence.py.

    python tools/nas_evidence.py \\
        --reference benchmarks/synthcoco_bench_v1_reference.json \\
        --study EfficientPose=benchmarks/studies/efficientpose_bench_v1/summary.json \\
        --study PNFS=benchmarks/studies/pnfs_bench_v1/summary.json \\
        --out benchmarks/nas_evidence
"""
import argparse
import json
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

HEADER = """# NAS evidence on synthcoco-bench-v1

Every net below was trained with the benchmark's one recipe
(`configs/_base_/synthcoco_bench_v1_128x96.py`: 128x96 crops of the
ground-truth boxes, 10 epochs, Adam, batch 32, channels-last) on the train
split of `synthcoco-bench-v1` (4000 images) and tested on its test split
(500 images, never read by a search or a training run); searches read 600
training images (weights / architecture on disjoint parts of them) for 4
epochs. AP is MMPose's COCO AP with ground-truth boxes. Wall times are of
one process on one thread of a 2-core VM (two study processes ran at once);
latency is ONNX Runtime, batch 1, one thread, pinned, the fastest of 3
rounds of 20 calls of seed 0's net, measured when this file was written
(on this VM repeated measurements of one net spread by up to about 15 %:
read latency differences under 20 % as noise).

Written by:

    {command}
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--reference', help='the reference study summary '
                        '(baseline and weak baseline)')
    parser.add_argument('--study', action='append', default=[],
                        metavar='METHOD=SUMMARY_JSON',
                        help='a kept bench study of a method (repeatable)')
    parser.add_argument('--out', required=True,
                        help='output path without extension (.md, .json)')
    parser.add_argument('--no-latency', action='store_true')
    return parser.parse_args()


def main():
    args = parse_args()
    sys.path.insert(0, ROOT)
    import pose_nas  # noqa: F401
    from pose_nas.workflows.nas_evidence import (cross_method_table,
                                                 method_rows, method_section,
                                                 verdicts_table)
    studies = []
    if args.reference:
        studies.append(('reference', args.reference))
    for item in args.study:
        if '=' not in item:
            sys.exit(f'nas_evidence: error: --study {item!r} is not '
                     'METHOD=SUMMARY_JSON')
        studies.append(tuple(item.split('=', 1)))
    if not studies:
        sys.exit('nas_evidence: error: no study given')
    methods, sections, summaries = {}, [], {}
    for method, path in studies:
        if not osp.isfile(path):
            sys.exit(f'nas_evidence: error: {path} does not exist')
        with open(path) as f:
            summary = json.load(f)
        methods[method] = method_rows(summary, ROOT,
                                      latency=not args.no_latency)
        sections.append(method_section(method, summary, path, ROOT))
        summaries[method] = dict(path=path, rows=methods[method],
                                 comparisons=summary.get('comparisons'))
    command = 'python tools/nas_evidence.py ' + ' '.join(sys.argv[1:])
    text = [HEADER.format(command=command), '## All methods', '',
            cross_method_table(methods), '', '## Paired by seed, all methods',
            '', verdicts_table({m: v['comparisons']
                                for m, v in summaries.items()}), '',
            '## Per method', '',
            '\n\n'.join(sections)]
    with open(args.out + '.md', 'w') as f:
        f.write('\n'.join(text) + '\n')
    with open(args.out + '.json', 'w') as f:
        json.dump(dict(command=command, methods=summaries), f, indent=2)
    print(f'wrote {args.out}.md and {args.out}.json')


if __name__ == '__main__':
    main()
