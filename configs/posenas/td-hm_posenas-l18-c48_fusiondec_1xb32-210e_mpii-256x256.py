# PoseNAS-L18-C48 (published architecture) on MPII 256x256: MMPose's top-down
# pipeline with the recipe of the authors' released
# experiments/mpii/256x256_18l_48c.yaml (Adam lr 1e-3, WD 1e-4, 210 epochs,
# LR x0.1 at 170 and 200, batch 32, rotation 30, scale 0.25, no half-body,
# flip test, sigma 2). PCKh through MMPose's MpiiPCKAccuracy.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/mpii_topdown.py']

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=210, milestones=[170, 200], gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(checkpoint=dict(save_best='PCK', rule='greater'))

codec = dict(type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)

model = dict(
    type='PoseNASEstimator',
    genotype='{{ fileDirname }}/genotypes/posenas_published.json',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='PoseNASBackbone', channels=48, num_layers=18),
    head=dict(
        type='PoseNASHead',
        in_channels=[96, 192, 384, 768],
        out_channels=16,
        num_stages=2,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=30, scale_factor=(0.75, 1.25)),
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

train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
