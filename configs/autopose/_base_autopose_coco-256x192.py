# AutoPose on COCO at 256x192: the retrain recipe of the paper (Sec. 4.2
# "Training Details"): 210 epochs, Adam lr 1e-3 (x0.1 at epochs 170 and 200),
# batch 128, random flip + rotation, no ImageNet pretraining; flip test
# through MMPose's codec, CocoMetric on MMPose's person detections.
# The architecture (genotype=) is set by the td-hm_* configs and by
# tools/derive_arch.py; search configs inherit this file and reset it.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/coco_topdown.py']

train_cfg = dict(max_epochs=210, val_interval=10)
# paper: Adam, betas lost in extraction -> PyTorch's defaults
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=210, milestones=[170, 200], gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))

codec = dict(type='MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

# the search space at the paper's settings (supernet widths 16/32/64/128,
# derived net x2, 3 stages x 2 multi-scale modules, six candidate ops)
search_space = dict(
    type='AutoPoseBackbone',
    stem_channels=64,
    channels=(16, 32, 64, 128),
    channel_multiplier=2.0,
    num_stages=3,
    modules_per_stage=2,
    individual_nodes=3,
    aggregation_nodes=2,
    candidates=('conv_1x1', 'conv_3x3', 'conv_5x5', 'avg_pool_3x3', 'max_pool_3x3', 'skip_connect'),
    aggregation='cell',
    branch_mode='multi',
    mode='gumbel')
# supernet output: concat of the four branches at 1/4 (16+32+64+128);
# a derived net doubles it (480)
supernet_out_channels = 240
derived_out_channels = 480

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=search_space,
    # the paper's head: concat at 1/4 -> one 1x1 conv to the joints
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

# paper: "random flipping and rotation" (the rotation range was lost: +-40,
# MMPose's usual range); no scale / shift jitter, no half-body
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
    data_root='data/coco/',
    data_mode='topdown',
    ann_file='annotations/person_keypoints_train2017.json',
    data_prefix=dict(img='train2017/'),
    pipeline=train_pipeline)

train_dataloader = dict(batch_size=128, dataset=train_dataset)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
