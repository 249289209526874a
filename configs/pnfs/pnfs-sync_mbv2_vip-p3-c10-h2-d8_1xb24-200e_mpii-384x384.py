# The paper's MPII test-set model (Table IV): MobileNetV2 feature blocks,
# P=3, C=10, H=2, d=8, 384x384 input (reported 5.2M params, 4.6 GFLOPs).
_base_ = ['./pnfs-sync_mbv2_vip-p3-c10-h1-d8_1xb24-200e_mpii-256x256.py']

codec = dict(type='MSRAHeatmap', input_size=(384, 384), heatmap_size=(96, 96), sigma=2)
model = dict(head=dict(fabric=dict(num_hidden=2), decoder=codec))
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
