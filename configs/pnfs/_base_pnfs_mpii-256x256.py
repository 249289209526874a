# PNFS recipe on MPII (Pose Neural Fabrics Search, Yang et al., Sec. IV-A, and the authors' released
# configs): Adam lr 1e-3 without weight decay for weights and (synchronous
# search) architecture parameters alike, 200 epochs with the LR x0.25 at
# epochs 90, 120 and 150, batch 24 on one GPU, random rotation within 45
# degrees, scale 0.7-1.3, no shift, horizontal flip (p=0.5), Gaussian
# targets with sigma 2, flip test, PCKh through MMPose's MpiiPCKAccuracy.
# The model (backbone + PartFabricHead) is set by each config.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/mpii_topdown.py']

# synchronous search (the paper's default): one Adam for weights and
# alpha/beta, arch params in their own group without weight decay
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    max_epochs=200,
    val_interval=10,
    search=dict(strategy='sync', arch_optimizer=dict(lr=1e-3, weight_decay=0.0)))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=200, milestones=[90, 120, 150], gamma=0.25, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=24)
default_hooks = dict(checkpoint=dict(save_best='PCK', rule='greater'))

codec = dict(type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
fabric_ops = ('none', 'skip_connect', 'sep_conv_3x3', 'dil_sep_conv_3x3')

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    head=dict(
        type='PartFabricHead',
        out_channels=16,
        metainfo=dict(from_file='configs/_base_/datasets/mpii.py'),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=45, scale_factor=(0.7, 1.3)),
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

train_dataloader = dict(batch_size=24, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
