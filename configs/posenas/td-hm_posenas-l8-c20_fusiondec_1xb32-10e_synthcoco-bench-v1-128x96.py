# PoseNAS on synthcoco-bench-v1 with the benchmark's one recipe
# (configs/_base_/synthcoco_bench_v1_128x96.py: 128x96, 10 epochs, batch 32):
# the authors' published genotype (genotypes/posenas_published.json) in the
# CPU-sized net of the 64x48 configs (encoder L=8 cells, reductions at 2, 4,
# 6, taps at 1, 3, 5, 7; Fusion-and-Enhancement encoder L=4) widened to the
# benchmark baseline's GFLOPs: channel factor C=20, stage-2 C=16: the "published" row of benchmarks/nas_evidence.md for PoseNAS.
# The bench search config inherits it with genotype=None; derived nets
# retrain with it plus their `genotype=`.
_base_ = ['../_base_/synthcoco_bench_v1_128x96.py']

C = 20
model = dict(
    type='PoseNASEstimator',
    genotype='{{ fileDirname }}/genotypes/posenas_published.json',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='PoseNASBackbone', channels=C, num_layers=8),
    head=dict(
        type='PoseNASHead',
        in_channels=[2 * C, 4 * C, 8 * C, 16 * C],
        out_channels=17,
        num_stages=2,
        stage2_channels=16,
        stage2_layers=4,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
