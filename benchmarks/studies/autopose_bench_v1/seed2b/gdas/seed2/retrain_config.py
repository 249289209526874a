auto_scale_lr = dict(base_batch_size=32)
backend_args = dict(backend='local')
codec = dict(
    blur_kernel_size=11,
    heatmap_size=(
        24,
        32,
    ),
    input_size=(
        96,
        128,
    ),
    sigma=2,
    type='MSRAHeatmap',
    unbiased=True)
custom_hooks = [
    dict(type='ChannelsLastHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'pose_nas',
    ])
data_mode = 'topdown'
data_root = 'data/synthcoco-bench-v1/coco/'
dataset_type = 'CocoDataset'
default_hooks = dict(
    badcase=dict(
        _scope_='mmpose',
        badcase_thr=5,
        enable=False,
        metric_type='loss',
        out_dir='badcase',
        type='BadCaseAnalysisHook'),
    checkpoint=dict(
        _scope_='mmpose', interval=10, max_keep_ckpts=1,
        type='CheckpointHook'),
    logger=dict(_scope_='mmpose', interval=10, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmpose', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmpose', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmpose', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmpose', enable=False, type='PoseVisualizationHook'))
default_scope = 'mmpose'
derived_out_channels = 180
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmpose',
    by_epoch=True,
    num_digits=6,
    type='LogProcessor',
    window_size=50)
model = dict(
    backbone=dict(
        aggregation='cell',
        aggregation_nodes=1,
        branch_mode='multi',
        candidates=(
            'conv_1x1',
            'conv_3x3',
            'conv_5x5',
            'avg_pool_3x3',
            'max_pool_3x3',
            'skip_connect',
        ),
        channel_multiplier=1.4,
        channels=(
            6,
            12,
            24,
            48,
        ),
        genotype=
        'benchmarks/studies/autopose_bench_v1/seed2b/gdas/seed2/genotype_backbone.json',
        individual_nodes=2,
        mode='gumbel',
        modules_per_stage=2,
        num_stages=3,
        stem_channels=16,
        type='AutoPoseBackbone'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        std=[
            58.395,
            57.12,
            57.375,
        ],
        type='PoseDataPreprocessor'),
    head=dict(
        decoder=dict(
            blur_kernel_size=11,
            heatmap_size=(
                24,
                32,
            ),
            input_size=(
                96,
                128,
            ),
            sigma=2,
            type='MSRAHeatmap',
            unbiased=True),
        deconv_kernel_sizes=(),
        deconv_out_channels=(),
        final_layer=dict(kernel_size=1),
        in_channels=126,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        out_channels=17,
        type='HeatmapHead'),
    test_cfg=dict(flip_mode='heatmap', flip_test=True, shift_heatmap=True),
    type='TopdownPoseEstimator')
optim_wrapper = dict(optimizer=dict(lr=0.002, type='Adam'))
param_scheduler = [
    dict(begin=0, by_epoch=False, end=100, start_factor=0.01, type='LinearLR'),
    dict(
        T_max=10,
        begin=0,
        by_epoch=True,
        end=10,
        eta_min=1e-05,
        type='CosineAnnealingLR'),
]
randomness = dict(seed=2)
resume = False
search_space = dict(
    aggregation='cell',
    aggregation_nodes=1,
    branch_mode='multi',
    candidates=(
        'conv_1x1',
        'conv_3x3',
        'conv_5x5',
        'avg_pool_3x3',
        'max_pool_3x3',
        'skip_connect',
    ),
    channel_multiplier=2.0,
    channels=(
        6,
        12,
        24,
        48,
    ),
    individual_nodes=2,
    mode='gumbel',
    modules_per_stage=2,
    num_stages=3,
    stem_channels=16,
    type='AutoPoseBackbone')
supernet_out_channels = 90
test_cfg = dict()
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        ann_file='annotations/person_keypoints_test.json',
        data_mode='topdown',
        data_prefix=dict(img='test/'),
        data_root='work_dirs/ap_w_s2g/data/coco/',
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(round_up=False, shuffle=False, type='DefaultSampler'))
test_evaluator = dict(
    ann_file=
    'work_dirs/ap_w_s2g/data/coco/annotations/person_keypoints_test.json',
    type='CocoMetric')
train_cfg = dict(max_epochs=10, type='EpochBasedTrainLoop', val_interval=10)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        ann_file='annotations/person_keypoints_train.json',
        data_mode='topdown',
        data_prefix=dict(img='train/'),
        data_root='work_dirs/ap_w_s2g/data/coco/',
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(direction='horizontal', type='RandomFlip'),
            dict(
                rotate_factor=15,
                scale_factor=(
                    0.8,
                    1.2,
                ),
                type='RandomBBoxTransform'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(
                encoder=dict(
                    blur_kernel_size=11,
                    heatmap_size=(
                        24,
                        32,
                    ),
                    input_size=(
                        96,
                        128,
                    ),
                    sigma=2,
                    type='MSRAHeatmap',
                    unbiased=True),
                type='GenerateTarget'),
            dict(type='PackPoseInputs'),
        ],
        type='CocoDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(direction='horizontal', type='RandomFlip'),
    dict(
        rotate_factor=15,
        scale_factor=(
            0.8,
            1.2,
        ),
        type='RandomBBoxTransform'),
    dict(input_size=(
        96,
        128,
    ), type='TopdownAffine'),
    dict(
        encoder=dict(
            blur_kernel_size=11,
            heatmap_size=(
                24,
                32,
            ),
            input_size=(
                96,
                128,
            ),
            sigma=2,
            type='MSRAHeatmap',
            unbiased=True),
        type='GenerateTarget'),
    dict(type='PackPoseInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        ann_file='annotations/person_keypoints_val.json',
        data_mode='topdown',
        data_prefix=dict(img='val/'),
        data_root='work_dirs/ap_w_s2g/data/coco/',
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(round_up=False, shuffle=False, type='DefaultSampler'))
val_evaluator = dict(
    ann_file=
    'work_dirs/ap_w_s2g/data/coco/annotations/person_keypoints_val.json',
    type='CocoMetric')
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(input_size=(
        96,
        128,
    ), type='TopdownAffine'),
    dict(type='PackPoseInputs'),
]
vis_backends = [
    dict(_scope_='mmpose', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmpose',
    name='visualizer',
    type='PoseLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = 'work_dirs/ap_w_s2g/gdas/seed2/retrain'
