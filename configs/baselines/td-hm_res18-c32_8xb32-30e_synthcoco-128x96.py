# Baseline: an existing MMPose top-down heatmap model (a slim ResNet-18 + the
# MMPose HeatmapHead), trained from scratch on synthetic COCO-format data.
# It is the reference run of the foundation: MMPose's shipped tools/train.py
# and tools/test.py, our package imported through custom_imports.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

# runtime
train_cfg = dict(max_epochs=30, val_interval=10)

# optimizer
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))

# learning policy
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=30, T_max=30, eta_min=1e-5, by_epoch=True),
]

# automatically scaling LR based on the actual training batch size
auto_scale_lr = dict(base_batch_size=32)

# hooks
default_hooks = dict(checkpoint=dict(interval=10, save_best='coco/AP', rule='greater'))

# codec settings
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=1.5)

# model settings
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='ResNet', depth=18, base_channels=32, stem_channels=32),
    head=dict(
        type='HeatmapHead',
        in_channels=256,
        out_channels=17,
        deconv_out_channels=(64, 64, 64),
        deconv_kernel_sizes=(4, 4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

# pipelines
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
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

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
