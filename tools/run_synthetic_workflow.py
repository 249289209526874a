# Copyright (c) pose_nas contributors. All rights reserved.
"""The whole MMPose workflow on built-in synthetic data, no download needed.

1. generate a synthetic COCO-format keypoint dataset (train / val splits);
2. evaluate the untrained pose model with MMPose's ``tools/test.py``;
3. train the pose model with MMPose's ``tools/train.py``;
4. evaluate the trained checkpoint with MMPose's ``tools/test.py``;
5. train an MMDetection person detector with MMDetection's ``tools/train.py``;
6. run top-down inference (detector -> boxes -> pose) on held-out images,
   writing visualised images, and compare the results with the ground truth.

Example::

    python tools/run_synthetic_workflow.py --work-dir work_dirs/synthetic_workflow

Everything lands under ``--work-dir``; a ``summary.json`` there lists the
metrics and the paths of every output.
"""
import argparse
import glob
import json
import os
import os.path as osp
import time

DEFAULT_POSE_CONFIG = 'configs/baselines/td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py'
DEFAULT_DET_CONFIG = 'configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py'
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/synthetic_workflow')
    parser.add_argument('--pose-config', default=osp.join(ROOT, DEFAULT_POSE_CONFIG))
    parser.add_argument('--det-config', default=osp.join(ROOT, DEFAULT_DET_CONFIG))
    parser.add_argument('--num-train', type=int, default=400, help='training images')
    parser.add_argument('--num-val', type=int, default=60, help='validation images')
    parser.add_argument('--pose-epochs', type=int, default=20)
    parser.add_argument('--det-epochs', type=int, default=20)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--num-demo-images', type=int, default=10)
    parser.add_argument(
        '--bbox-thr', type=float, default=0.1,
        help='detector score threshold for the top-down step (the briefly '
        'trained detector gives low scores)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--skip-detector', action='store_true',
        help='stop after the pose model (steps 1-4)')
    return parser.parse_args()


def save_untrained_checkpoint(config_file: str, out_file: str) -> str:
    """Save the freshly initialised pose model as an MMEngine checkpoint."""
    import torch
    from mmpose.apis import init_model
    model = init_model(config_file, checkpoint=None, device='cpu')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': model.dataset_meta}}, out_file)
    return out_file


def main():
    args = parse_args()
    import pose_nas  # noqa: F401  compat shims, registry
    from mmengine.config import Config

    from pose_nas.apis import init_topdown_inferencer, topdown_predict
    from pose_nas.workflows import (latest_metrics, match_topdown_results,
                                    mmpose_tool_path, retarget_config,
                                    run_tool)
    from pose_nas.datasets import generate_synthetic_dataset

    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    summary = dict(work_dir=work_dir, timings_s={}, args=vars(args))
    t0 = time.time()

    def step(name):
        summary['timings_s'][name] = round(time.time() - step.t, 1)
        step.t = time.time()
        print(f'[workflow] {name}: {summary["timings_s"][name]} s', flush=True)

    step.t = t0

    # 1. data
    paths = generate_synthetic_dataset(
        osp.join(work_dir, 'data'), splits={'train': args.num_train, 'val': args.num_val},
        seed=args.seed, formats=('coco', ))
    coco_root = osp.dirname(osp.dirname(paths['coco']['train']['ann_file']))
    summary['data'] = paths['coco']
    step('generate_data')

    # 2-4. pose model: untrained vs trained, with MMPose's own tools
    pose_dir = osp.join(work_dir, 'pose')
    os.makedirs(pose_dir, exist_ok=True)
    pose_cfg = retarget_config(
        Config.fromfile(args.pose_config), coco_root, args.pose_epochs,
        num_workers=args.num_workers)
    pose_cfg.randomness = dict(seed=args.seed)
    pose_cfg_file = osp.join(pose_dir, 'pose_config.py')
    pose_cfg.dump(pose_cfg_file)

    untrained = save_untrained_checkpoint(pose_cfg_file, osp.join(pose_dir, 'untrained.pth'))
    run_tool(mmpose_tool_path('test.py'),
             [pose_cfg_file, untrained, '--work-dir', osp.join(pose_dir, 'test_untrained')],
             osp.join(pose_dir, 'test_untrained.log'))
    summary['pose_untrained'] = latest_metrics(osp.join(pose_dir, 'test_untrained'))
    step('test_untrained_pose')

    run_tool(mmpose_tool_path('train.py'), [pose_cfg_file, '--work-dir', pose_dir],
             osp.join(pose_dir, 'train.log'))
    step('train_pose')
    pose_ckpt = osp.join(pose_dir, f'epoch_{args.pose_epochs}.pth')
    run_tool(mmpose_tool_path('test.py'),
             [pose_cfg_file, pose_ckpt, '--work-dir', osp.join(pose_dir, 'test_trained')],
             osp.join(pose_dir, 'test_trained.log'))
    summary['pose_trained'] = latest_metrics(osp.join(pose_dir, 'test_trained'))
    summary['pose_checkpoint'] = pose_ckpt
    summary['pose_config'] = pose_cfg_file
    step('test_trained_pose')

    if not args.skip_detector:
        # 5. detector, with MMDetection's own train tool
        import mmdet
        det_dir = osp.join(work_dir, 'detector')
        os.makedirs(det_dir, exist_ok=True)
        det_cfg = retarget_config(
            Config.fromfile(args.det_config), coco_root, args.det_epochs,
            num_workers=args.num_workers)
        det_cfg.randomness = dict(seed=args.seed)
        det_cfg_file = osp.join(det_dir, 'det_config.py')
        det_cfg.dump(det_cfg_file)
        det_train = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools', 'train.py')
        run_tool(det_train, [det_cfg_file, '--work-dir', det_dir],
                 osp.join(det_dir, 'train.log'))
        summary['detector_val'] = latest_metrics(det_dir)
        det_ckpt = osp.join(det_dir, f'epoch_{args.det_epochs}.pth')
        summary['det_checkpoint'] = det_ckpt
        summary['det_config'] = det_cfg_file
        step('train_detector')

        # 6. top-down inference on held-out images
        images = sorted(glob.glob(osp.join(paths['coco']['val']['img_dir'], '*')))
        images = images[-args.num_demo_images:]
        demo_dir = osp.join(work_dir, 'topdown_demo')
        inferencer = init_topdown_inferencer(
            pose_cfg_file, pose_ckpt, det_cfg_file, det_ckpt, device=args.device)
        results = topdown_predict(
            inferencer, images, bbox_thr=args.bbox_thr, vis_out_dir=osp.join(demo_dir, 'visualizations'),
            pred_out_dir=osp.join(demo_dir, 'predictions'))
        summary['topdown'] = match_topdown_results(
            results, paths['coco']['val']['ann_file'], images)
        summary['topdown_visualizations'] = osp.join(demo_dir, 'visualizations')
        step('topdown_inference')

    summary['timings_s']['total'] = round(time.time() - t0, 1)
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary, indent=2))
    print(f'\nAll outputs are under {work_dir} (summary: {work_dir}/summary.json)')


if __name__ == '__main__':
    main()
