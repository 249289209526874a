# The EfficientPose search space (stages of EfficientPose-B/C: widths
# 32/64/96/160, 6/8/10/10 blocks, candidates k{3,5,7}e{3,6} + skip) with the
# slim deconv head + SIC, trained with synthcoco-bench-v1's one recipe
# (configs/_base_/synthcoco_bench_v1_128x96.py: 128x96, 10 epochs, batch 32),
# so that searched, random and released nets are compared with the baseline
# of benchmarks/nas_evidence.md on the same footing. As it stands it trains
# the supernet; the bench search configs name it as their retrain config,
# and derived nets retrain with it plus `genotype=`.
_base_ = ['../_base_/synthcoco_bench_v1_128x96.py']

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='EfficientPoseBackbone',
        stages=((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1)),
        stem_channels=32,
        stem_out_channels=24),
    head=dict(
        type='SlimDeconvHead',
        in_channels=160,
        out_channels=17,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
