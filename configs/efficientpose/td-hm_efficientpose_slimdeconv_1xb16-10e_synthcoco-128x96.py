# The EfficientPose search space (stages of EfficientPose-B/C: widths
# 32/64/96/160, 6/8/10/10 blocks, candidates k{3,5,7}e{3,6} + skip) with the
# slim deconv head + SIC, on synthetic COCO-format data at 128x96, sized for
# a CPU. As it stands it trains the supernet; the budget-aware search config
# inherits it, and derived nets retrain with it plus `genotype=`.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

train_cfg = dict(max_epochs=10, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=5))

codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

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
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', rotate_factor=30, scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]

train_dataset = dict(
    type='CocoDataset',
    data_root='data/synthetic/coco/',
    data_mode='topdown',
    ann_file='annotations/person_keypoints_train.json',
    data_prefix=dict(img='train/'),
    pipeline=train_pipeline)

train_dataloader = dict(batch_size=16, dataset=train_dataset)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
