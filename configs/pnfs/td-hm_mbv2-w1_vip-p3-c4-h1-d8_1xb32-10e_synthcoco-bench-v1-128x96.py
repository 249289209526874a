# PNFS on synthcoco-bench-v1 with the benchmark's one recipe
# (configs/_base_/synthcoco_bench_v1_128x96.py: 128x96, 10 epochs, Adam,
# batch 32), so that searched and random fabrics are compared with the
# baseline of benchmarks/nas_evidence.md on the same footing: MMPose's
# MobileNetV2 (width 1.0 as in the paper, from scratch, the authors' feature blocks
# out_indices (1, 2, 4, 5)), then P=3 part-specific fabrics (C=4, H=1, the
# last 3 layers of an L=6 fabric) with vector-in-pixel outputs (d=8), as in
# the 128x96 synthetic configs. As it stands it trains the zero-initialised
# alpha/beta (a uniform fabric); the bench search configs name it as their
# retrain config and derived fabrics retrain with it plus `genotype=`.
# The paper publishes no searched alpha/beta, so PNFS has no "published" row.
_base_ = ['../_base_/synthcoco_bench_v1_128x96.py']

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='MobileNetV2Features', widen_factor=1.0, out_indices=(1, 2, 4, 5)),
    head=dict(
        type='PartFabricHead',
        in_channels=(24, 32, 96, 160),
        out_channels=17,
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=4, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates=('none', 'skip_connect', 'sep_conv_3x3', 'dil_sep_conv_3x3')),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
