# PoseNAS on synthetic COCO-format data at 64x48, sized for a CPU: the
# published genotype scaled to a small net (encoder L=8 cells with
# reductions at 2, 4, 6 and taps at 1, 3, 5, 7, channel factor C=8;
# Fusion-and-Enhancement encoder L=4, C=8). The search configs inherit it
# (with model.genotype=None) and derived nets retrain with it plus the
# derived genotype. No enhancement: --cfg-options model.head.num_stages=1
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

train_cfg = dict(max_epochs=10, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=5))

codec = dict(type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=1)

C = 8
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
        stage2_channels=8,
        stage2_layers=4,
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
