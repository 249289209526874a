# Copyright (c) pose_nas contributors. All rights reserved.
"""Top-down demo: MMDetection person detector -> boxes -> pose model.

Example::

    python tools/topdown_demo.py \
        configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py det.pth \
        configs/baselines/td-hm_res18s3-c32_hm_1xb16-20e_synthcoco-128x96.py pose.pth \
        --input data/synthetic/coco/val --out-dir work_dirs/demo

``--input`` is an image, a folder of images or a video file (``.mp4``,
``.avi``, ...). Writes the visualised images (or the visualised video, same
file name) to ``OUT_DIR/visualizations`` and the predictions as JSON to
``OUT_DIR/predictions`` (one file per image; for a video one file with a
``frame_id`` per frame). Only local config and checkpoint paths are
accepted; a release (``<name>-<sha8>.pth`` from ``tools/publish_model.py``)
is checked against its name. In a folder, an unreadable (corrupt) image is
skipped with a warning, and the number skipped is reported; a pose
checkpoint that does not fit the pose model is an error.
"""
import argparse
import os.path as osp
import sys

from pose_nas.apis import (check_video, find_images, init_topdown_inferencer,
                           is_video_file, topdown_predict)
from pose_nas.nas.checkpoint_check import (CheckpointMismatchError,
                                           CheckpointReadError)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('det_config', help='MMDetection config file')
    parser.add_argument('det_checkpoint', help='detector checkpoint (local)')
    parser.add_argument('pose_config', help='pose model config file')
    parser.add_argument('pose_checkpoint', help='pose checkpoint (local)')
    parser.add_argument(
        '--input', required=True,
        help='an image file, a folder of images or a video file')
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
    video = is_video_file(args.input)
    if video:
        check_video(args.input)
        images, skipped = args.input, []
    else:
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
    what = 'frame(s) of the video' if video else 'image(s)'
    print(f'{len(results)} {what}{note}, {num_persons} person(s) found')
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
