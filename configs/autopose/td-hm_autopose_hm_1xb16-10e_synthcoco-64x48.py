# AutoPose sized for a CPU on synthetic COCO-format data at 64x48: the same
# space with narrow branches (supernet 4/8/16/32, derived x2), smaller cells
# (2-node individual, 1-node aggregation cells) and a 8-wide stem. The train
# (retrain) config of the synthetic search; as shipped it builds the genotype
# genotypes/autopose_synthcoco-64x48.json found by that search.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

train_cfg = dict(max_epochs=10, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, start_factor=0.01, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=10, milestones=[8, 9], gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=5))

codec = dict(type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=1)

search_space = dict(
    type='AutoPoseBackbone',
    stem_channels=8,
    channels=(4, 8, 16, 32),
    channel_multiplier=2.0,
    num_stages=3,
    modules_per_stage=2,
    individual_nodes=2,
    aggregation_nodes=1,
    candidates=('conv_1x1', 'conv_3x3', 'conv_5x5', 'avg_pool_3x3', 'max_pool_3x3', 'skip_connect'),
    aggregation='cell',
    branch_mode='multi',
    mode='gumbel')
supernet_out_channels = 60
derived_out_channels = 120

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(search_space, genotype='{{ fileDirname }}/genotypes/autopose_synthcoco-64x48.json'),
    head=dict(
        type='HeatmapHead',
        in_channels=derived_out_channels,
        out_channels=17,
        deconv_out_channels=(),
        deconv_kernel_sizes=(),
        final_layer=dict(kernel_size=1),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0, scale_prob=0, rotate_factor=40),
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
