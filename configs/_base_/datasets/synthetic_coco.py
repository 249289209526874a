# Synthetic COCO-format person keypoints written by
# ``python tools/dataset_converters/generate_synthetic_data.py data/synthetic``.
# Loaded by MMPose's own ``CocoDataset``; the model config adds the pipelines:
#   train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = 'data/synthetic/coco/'

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'),
    ))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
    ))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator
