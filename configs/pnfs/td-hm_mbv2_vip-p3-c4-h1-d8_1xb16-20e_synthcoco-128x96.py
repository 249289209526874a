# PNFS on built-in synthetic COCO, sized for a CPU: MMPose's MobileNetV2
# (width 0.5, from scratch) gives the 4-scale pyramid (1/4 .. 1/32, the
# authors' feature blocks: out_indices (1, 2, 4, 5)), then P=3 part-specific
# neural fabrics (C=4, H=1, the last 3 layers of an L=6 fabric: 6 cells per
# part) with vector-in-pixel outputs (d=8). The paper's recipe otherwise:
# Adam 1e-3 without weight decay, step decay x0.25, rotation 45, scale
# 0.7-1.3, no shift, flip test. This is the plain train config (a fixed
# architecture via genotype=, or the zero-initialised alpha/beta); the
# search configs (_search-*) inherit it.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

train_cfg = dict(max_epochs=20, val_interval=20)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    # the paper's steps at 90/120/150 of 200 epochs, x0.25
    dict(type='MultiStepLR', begin=0, end=20, milestones=[9, 12, 15], gamma=0.25, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=10))

codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='MobileNetV2Features', widen_factor=0.5, out_indices=(1, 2, 4, 5)),
    head=dict(
        type='PartFabricHead',
        in_channels=(16, 16, 48, 80),
        out_channels=17,
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=4, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates=('none', 'skip_connect', 'sep_conv_3x3', 'dil_sep_conv_3x3')),
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
