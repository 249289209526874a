# The reference baseline of synthcoco-bench-v1 (benchmarks/nas_evidence.md):
# MMPose's ResNet-18 at half width, first three stages (features at 1/16),
# + MMPose's HeatmapHead with two deconvolutions, trained from scratch on
# 128x96 crops of ground-truth boxes with the benchmark's one schedule
# (configs/_base_/synthcoco_bench_v1_128x96.py). Measured time and test AP:
# README, "synthcoco-bench-v1".
_base_ = ['../_base_/synthcoco_bench_v1_128x96.py']

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=32,
        stem_channels=32,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, )),
    head=dict(
        type='HeatmapHead',
        in_channels=128,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
