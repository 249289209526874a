# Baseline: an existing MMPose top-down heatmap model (MMPose's ResNet-18 at
# half width, its first three stages only, so features stay at 1/16 of the
# input, + MMPose's HeatmapHead with two deconvolutions), trained from scratch
# on synthetic COCO-format data. The 1/16 output trains much faster from
# scratch than the usual 1/32 (measured on synthetic data, all else equal:
# COCO AP 0.051 vs 0.034 after 10 epochs).
# It is the reference run of the foundation: MMPose's shipped tools/train.py
# and tools/test.py, our package imported through custom_imports.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

# runtime
train_cfg = dict(max_epochs=20, val_interval=10)

# optimizer
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))

# learning policy
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=20, T_max=20, eta_min=1e-5, by_epoch=True),
]

# automatically scaling LR based on the actual training batch size
auto_scale_lr = dict(base_batch_size=16)

# hooks
default_hooks = dict(checkpoint=dict(interval=10, save_best='coco/AP', rule='greater'))

# codec settings
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

# model settings
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
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

# pipelines
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', rotate_factor=30, scale_factor=(0.8, 1.2)),
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

train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
