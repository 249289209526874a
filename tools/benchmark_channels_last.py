# Copyright (c) pose_nas contributors. All rights reserved.
"""Time one training step (forward, loss, backward, Adam) of pose configs'
models in NCHW and in channels-last (NHWC, what ``ChannelsLastHook`` does)
on this CPU, interleaved, in one process.

    OMP_NUM_THREADS=1 python tools/benchmark_channels_last.py \\
        configs/baselines/td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py \\
        configs/efficientpose/td-hm_efficientpose-a_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py \\
        --out benchmarks/channels_last.json --markdown benchmarks/channels_last.md
"""
import argparse
import json
import os
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+', help='pose config files')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch intra-op threads (default 1)')
    parser.add_argument('--repeats', type=int, default=5,
                        help='timed steps per format and round')
    parser.add_argument('--rounds', type=int, default=3,
                        help='interleaved rounds; the fastest median is kept')
    parser.add_argument('--out', help='JSON results file')
    parser.add_argument('--markdown', help='markdown table file')
    return parser.parse_args()


def train_step_ms(config: str, channels_last: bool, batch_size: int,
                  repeats: int) -> float:
    """Median milliseconds of one training step of ``config``'s model on a
    random batch at the config's codec input size."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    from mmpose.testing import get_packed_inputs

    from pose_nas.engine.hooks.channels_last_hook import _to_channels_last
    from pose_nas.utils.timing import time_fn

    init_default_scope('mmpose')
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    w, h = cfg.codec['input_size']
    hw, hh = cfg.codec['heatmap_size']
    data = model.data_preprocessor(get_packed_inputs(
        batch_size, img_shape=(h, w), input_size=(w, h),
        heatmap_size=(hw, hh), with_reg_label=False,
        with_simcc_label=False), training=True)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        data['inputs'] = _to_channels_last(data['inputs'])
    optim = torch.optim.Adam(model.parameters(), 1e-4)

    def step():
        losses = model(**data, mode='loss')
        optim.zero_grad()
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
        optim.step()

    return time_fn(step, warmup=2, repeats=repeats)['median_ms']


def main():
    args = parse_args()
    sys.path.insert(0, ROOT)
    import torch

    import pose_nas  # noqa: F401
    from pose_nas.utils.benchmark_report import machine_info
    torch.set_num_threads(args.threads)
    rows = []
    for config in args.configs:
        best = {False: float('inf'), True: float('inf')}
        for _ in range(args.rounds):
            for fmt in (False, True):
                best[fmt] = min(best[fmt], train_step_ms(
                    config, fmt, args.batch_size, args.repeats))
        rows.append(dict(config=osp.relpath(osp.abspath(config), ROOT),
                         nchw_ms=round(best[False], 1),
                         channels_last_ms=round(best[True], 1),
                         speedup=round(best[False] / best[True], 2)))
        print(json.dumps(rows[-1]), flush=True)
    result = dict(batch_size=args.batch_size, threads=args.threads,
                  machine=machine_info(args.threads, cpu_details=True), rows=rows)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    if args.markdown:
        lines = [
            f'One training step (forward, loss, backward, Adam), batch '
            f'{args.batch_size}, {args.threads} thread(s), fastest median of '
            f'{args.rounds} interleaved rounds of {args.repeats} steps.', '',
            '| config | NCHW ms | channels-last ms | speed-up |',
            '| --- | --: | --: | --: |'
        ] + [f"| {osp.basename(r['config'])} | {r['nchw_ms']} | "
             f"{r['channels_last_ms']} | {r['speedup']}x |" for r in rows]
        with open(args.markdown, 'w') as f:
            f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
