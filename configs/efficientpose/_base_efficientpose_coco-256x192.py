# EfficientPose on COCO at 256x192: MMPose's top-down pipeline with the
# recipe of the authors' released configs (Adam lr 1e-3, wd 1e-4, rotation
# 45, scale 0.35, half-body 0.3, flip test, sigma 2). Their COCO LR steps
# are given as [200000, 240000] for 240 epochs without a training script; we
# read them as epochs 200 and 230 (an assumption, see the README).
# The architecture (stages, stem, genotype) is set by the A/B/C configs.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/coco_topdown.py']

train_cfg = dict(max_epochs=240, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=240, milestones=[200, 230], gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))

codec = dict(type='MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='EfficientPoseBackbone'),
    head=dict(
        type='SlimDeconvHead',
        in_channels=160,
        out_channels=17,
        deconv_out_channels=(64, 32),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody', prob=0.3),
    dict(type='RandomBBoxTransform', rotate_factor=45, scale_factor=(0.65, 1.35)),
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

train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
