# Everything of a synthcoco-bench-v1 training run but the model: data
# (configs/_base_/datasets/synthcoco_bench_v1.py), 128x96 crops of the
# ground-truth boxes, the codec, the pipelines and one schedule shared by
# every net the benchmark compares (benchmarks/nas_evidence.md): 10 epochs of
# Adam, linear warm-up then cosine, batch 32, no weight decay.
# A model config inherits it and sets `model`, with
# `decoder={{_base_.codec}}` in its head.
_base_ = ['./default_runtime.py', './datasets/synthcoco_bench_v1.py']

# runtime
train_cfg = dict(max_epochs=10, val_interval=5)

# optimizer
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))

# learning policy
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True),
]

# automatically scaling LR based on the actual training batch size
auto_scale_lr = dict(base_batch_size=32)

# hooks: keep the last checkpoint (model selection on `test` is not allowed;
# `val` is there for that)
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=1))

# codec settings
# unbiased (DARK) encoding and decoding: +1 AP at these 32x24 heatmaps
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2, unbiased=True, blur_kernel_size=11)

# pipelines
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', rotate_factor=15, scale_factor=(0.8, 1.2)),
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
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))

# channels-last (NHWC) model and images: oneDNN's CPU convolutions, above all
# the depthwise convolutions' backward pass, are much faster in that format
# (benchmarks/channels_last.md); the values are the same up to summation order
custom_hooks = [dict(type='ChannelsLastHook')]
