# Copyright (c) pose_nas contributors. All rights reserved.
"""One short search of every method on a CUDA device.

For sessions that have a GPU: each method's search config (the engine's
reference cell space with first-order DARTS, EfficientPose's budget-aware
DARTS, PNFS's synchronous and first-order searches) runs for a few
iterations on built-in synthetic data through MMEngine's runner and
pose_nas's search loop, as MMPose's ``tools/train.py`` runs it, then the architecture is derived
from the model in memory. The checks are the ones a CPU cannot make:

- every architecture parameter, and every budget cost table, lives on the
  GPU (a table left on the CPU is a device-mismatch error in the arch
  step);
- the arch loss / training loss are finite and the derived genotype is
  built.

Example::

    python tools/search_on_cuda.py --work-dir work_dirs/cuda_check \
        --out benchmarks/search_on_cuda.json

Exit status 0 when every search passed, 1 otherwise (the JSON says which
and why).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
import traceback

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = {
    'engine-darts1': 'configs/nas_engine/'
    'engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py',
    'efficientpose-darts1-budget': 'configs/efficientpose/'
    'efficientpose-darts1-budget0.6g_efficientpose_slimdeconv_'
    '1xb8-10e_synthcoco-128x96.py',
    'pnfs-sync': 'configs/pnfs/'
    'pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
    'pnfs-darts1': 'configs/pnfs/'
    'pnfs-darts1_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/search_on_cuda')
    parser.add_argument('--out', help='results JSON (default: in work dir)')
    parser.add_argument('--iters', type=int, default=6,
                        help='training iterations per search')
    parser.add_argument('--only', nargs='*', choices=sorted(CONFIGS),
                        help='run only these searches')
    parser.add_argument('--allow-cpu', action='store_true',
                        help='run on the CPU when no GPU is there (a dry '
                        'run of this script; the device checks then test '
                        'the CPU)')
    return parser.parse_args()


def run_one(name: str, config: str, data_root: str, work_dir: str,
            iters: int, device: str) -> dict:
    import torch
    from mmengine.config import Config

    from mmengine.runner import Runner
    from pose_nas.nas.mutator import ArchMutator
    from pose_nas.workflows import retarget_config

    cfg = Config.fromfile(osp.join(REPO, config))
    retarget_config(cfg, data_root, max_epochs=1, num_workers=0)
    cfg.train_dataloader.batch_size = 4
    search = cfg.train_cfg.search
    cfg.train_cfg = dict(type='NASIterBasedTrainLoop', max_iters=iters,
                         val_interval=10**9, search=search)
    for key in ('val_cfg', 'val_dataloader', 'val_evaluator', 'test_cfg',
                'test_dataloader', 'test_evaluator'):
        cfg[key] = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    darts = search.get('darts')
    if darts:
        darts['arch_dataloader']['batch_size'] = 4
        darts['warmup_epochs'] = 0
    cfg.work_dir = osp.join(work_dir, name)
    cfg.randomness = dict(seed=0)
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    runner.train()
    seconds = time.time() - t0
    mutator = ArchMutator.of(runner.model)
    devices = sorted({str(p.device.type)
                      for p in mutator.arch_parameters()})
    tables = []
    for hook in runner.hooks:
        budget = getattr(hook, 'budget', None)
        if budget is not None:
            tables = sorted({t.device.type for t in budget.tables})
    genotypes = mutator.derive_genotypes()
    ok = devices == [device] and (not tables or tables == [device])
    loss = runner.message_hub.get_scalar('train/loss').current()
    ok = ok and bool(torch.isfinite(torch.tensor(float(loss))))
    return dict(ok=ok, arch_param_devices=devices, budget_table_devices=tables,
                final_loss=float(loss), seconds=round(seconds, 2),
                iters=iters, genotypes=sorted(genotypes))


def main() -> int:
    args = parse_args()
    import torch
    if torch.cuda.is_available():
        device = 'cuda'
    elif args.allow_cpu:
        device = 'cpu'
    else:
        print('no CUDA device: run this on a machine with a GPU, or pass '
              '--allow-cpu for a dry run', file=sys.stderr)
        return 2
    from pose_nas.datasets import generate_synthetic_dataset
    os.makedirs(args.work_dir, exist_ok=True)
    data = osp.join(args.work_dir, 'data')
    generate_synthetic_dataset(data, splits={'train': 24, 'val': 8}, seed=0,
                               formats=('coco', ))
    results = dict(device=device,
                   gpu=torch.cuda.get_device_name(0)
                   if device == 'cuda' else None,
                   torch=torch.__version__, searches={})
    for name in args.only or sorted(CONFIGS):
        try:
            res = run_one(name, CONFIGS[name], osp.join(data, 'coco') + '/',
                          args.work_dir, args.iters, device)
        except Exception as e:  # noqa: BLE001 - reported per search
            res = dict(ok=False, error=f'{type(e).__name__}: {e}',
                       traceback=traceback.format_exc()[-4000:])
        results['searches'][name] = res
        print(f'{name}: {"ok" if res["ok"] else "FAILED"} '
              f'{ {k: v for k, v in res.items() if k != "traceback"} }')
    out = args.out or osp.join(args.work_dir, 'search_on_cuda.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'results: {out}')
    return 0 if all(r['ok'] for r in results['searches'].values()) else 1


if __name__ == '__main__':
    sys.exit(main())
