# Transfer of a COCO-searched AutoPose net to MPII at 256x256 (paper Sec. 4.3:
# no search on MPII, trained from scratch on the train split with the COCO
# augmentation and schedule, PCKh on val through MMPose's MpiiPCKAccuracy).
# Same architecture (genotype) as the COCO retrain config, 16 joints.
_base_ = ['./td-hm_autopose_hm_1xb128-210e_coco-256x192.py']

default_hooks = dict(checkpoint=dict(save_best='PCK', rule='greater'))
codec = dict(type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
model = dict(head=dict(out_channels=16, decoder=codec))

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
data_root = 'data/mpii/'
train_dataset = dict(
    _delete_=True,
    type='MpiiDataset',
    data_root=data_root,
    data_mode='topdown',
    ann_file='annotations/mpii_train.json',
    data_prefix=dict(img='images/'),
    pipeline=train_pipeline)
train_dataloader = dict(batch_size=128, dataset=train_dataset)
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='MpiiDataset',
        data_root=data_root,
        data_mode='topdown',
        ann_file='annotations/mpii_val.json',
        headbox_file=data_root + 'annotations/mpii_gt_val.mat',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='MpiiPCKAccuracy')
test_evaluator = val_evaluator
