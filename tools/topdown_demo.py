# Copyright (c) pose_nas contributors. All rights reserved.
"""Top-down demo: MMDetection person detector -> boxes -> pose model.

Example::

    python tools/topdown_demo.py \
        configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py det.pth \
        configs/baselines/td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py pose.pth \
        --input data/synthetic/coco/val --out-dir work_dirs/demo

Writes the visualised images to ``OUT_DIR/visualizations`` and one JSON of
predictions per image to ``OUT_DIR/predictions``. Only local config and
checkpoint paths are accepted. In a folder, an unreadable (corrupt) image is
skipped with a warning, and the number skipped is reported; a pose
checkpoint that does not fit the pose model is an error.
"""
import argparse
import os.path as osp
import sys

from pose_nas.apis import (find_images, init_topdown_inferencer,
                           topdown_predict)
from pose_nas.nas.checkpoint_check import (CheckpointMismatchError,
                                           CheckpointReadError)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('det_config', help='MMDetection config file')
    parser.add_argument('det_checkpoint', help='detector checkpoint (local)')
    parser.add_argument('pose_config', help='pose model config file')
    parser.add_argument('pose_checkpoint', help='pose checkpoint (local)')
    parser.add_argument(
        '--input', required=True, help='an image file or a folder of images')
    parser.add_argument(
        '--out-dir', default='work_dirs/topdown_demo', help='output folder')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--det-cat-id', type=int, default=0, help='class index of persons')
    parser.add_argument(
        '--bbox-thr', type=float, default=0.3, help='person box threshold')
    parser.add_argument(
        '--kpt-thr', type=float, default=0.3, help='keypoint draw threshold')
    return parser.parse_args()


def run(args) -> None:
    images, skipped = find_images(args.input)
    for path in skipped:
        print(f'warning: skipped unreadable image {path}', file=sys.stderr)
    inferencer = init_topdown_inferencer(
        args.pose_config,
        args.pose_checkpoint,
        args.det_config,
        args.det_checkpoint,
        det_cat_ids=args.det_cat_id,
        device=args.device)
    vis_dir = osp.join(args.out_dir, 'visualizations')
    pred_dir = osp.join(args.out_dir, 'predictions')
    results = topdown_predict(
        inferencer,
        images,
        bbox_thr=args.bbox_thr,
        kpt_thr=args.kpt_thr,
        vis_out_dir=vis_dir,
        pred_out_dir=pred_dir)
    num_persons = sum(len(r) for r in results)
    note = f', {len(skipped)} unreadable skipped' if skipped else ''
    print(f'{len(results)} image(s){note}, {num_persons} person(s) found')
    print(f'visualisations: {vis_dir}')
    print(f'predictions:    {pred_dir}')


def main():
    args = parse_args()
    try:
        run(args)
    except (FileNotFoundError, ValueError, CheckpointMismatchError,
            CheckpointReadError) as e:
        print(f'topdown_demo.py: error: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
