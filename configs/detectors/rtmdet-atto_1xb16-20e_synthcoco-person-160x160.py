# A person detector for top-down inference on synthetic data: MMDetection's
# RTMDet at an even smaller width than RTMDet-tiny ("atto": widen 0.25, 64-channel
# neck and head), one class, 160x160 input, trained from scratch (no ImageNet
# checkpoint is ever fetched) on the person boxes of the synthetic COCO split.
# Small enough to train in minutes on a 2-core CPU.
#   python $(python -c "import mmdet,os;print(os.path.dirname(mmdet.__file__))")/.mim/tools/train.py \
#       configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py
_base_ = ['mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py']

custom_imports = dict(imports=['pose_nas'], allow_failed_imports=False)

data_root = 'data/synthetic/coco/'
metainfo = dict(classes=('person', ), palette=[(220, 20, 60)])
img_scale = (160, 160)
max_epochs = 20
base_lr = 4e-3

norm_cfg = dict(type='BN')
model = dict(
    backbone=dict(widen_factor=0.25, init_cfg=None, norm_cfg=norm_cfg),
    neck=dict(in_channels=[64, 128, 256], out_channels=64, norm_cfg=norm_cfg),
    bbox_head=dict(
        num_classes=1, in_channels=64, feat_channels=64, norm_cfg=norm_cfg),
    test_cfg=dict(nms_pre=1000, score_thr=0.05, max_per_img=20))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='RandomResize',
        scale=img_scale,
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=img_scale, allow_negative_crop=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    pin_memory=False,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=4),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    ann_file=data_root + 'annotations/person_keypoints_val.json',
    proposal_nums=(100, 1, 10))
test_evaluator = val_evaluator

train_cfg = dict(
    max_epochs=max_epochs, val_interval=10, dynamic_intervals=None)
optim_wrapper = dict(optimizer=dict(lr=base_lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=100),
    dict(
        type='CosineAnnealingLR',
        eta_min=base_lr * 0.05,
        begin=max_epochs // 2,
        end=max_epochs,
        T_max=max_epochs // 2,
        by_epoch=True,
        convert_to_iter_based=True),
]
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=1),
    logger=dict(type='LoggerHook', interval=10))
# No pipeline switch (there is no mosaic to switch off) and no EMA: the run is
# a few hundred iterations long.
custom_hooks = []
auto_scale_lr = dict(enable=False, base_batch_size=16)
