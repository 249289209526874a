# The NAS engine's reference search space (CellSearchBackbone: a stem to 1/4,
# then normal/reduction DAG cells to 1/16) with MMPose's HeatmapHead, on
# synthetic COCO-format data. This is the *train* config: as it stands it
# trains the supernet with fixed uniform-ish arch params; the search configs
# (cellnet_search-*.py) inherit it and add a strategy, and tools/derive_arch.py
# writes retrain configs that inherit it with `genotype=` set.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/synthetic_coco.py']

train_cfg = dict(max_epochs=10, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=5))

codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

# the search space; derived nets set `genotype=` (file or dict)
search_space = dict(
    type='CellSearchBackbone',
    stem_channels=16,
    channels=16,
    layout=('normal', 'reduce', 'normal', 'reduce', 'normal'),
    num_nodes=2,
    candidates=('none', 'skip_connect', 'sep_conv_3x3', 'conv_3x3', 'dil_conv_3x3_r2', 'avg_pool_3x3'),
    mode='softmax',
    derive_k=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=search_space,
    head=dict(
        type='HeatmapHead',
        in_channels=64,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

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
