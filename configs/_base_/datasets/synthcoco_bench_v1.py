# synthcoco-bench-v1: the NAS benchmark preset of the synthetic generator
# (pose_nas/datasets/synthetic/presets.py), written by
#   python tools/dataset_converters/generate_synthetic_data.py \
#       data/synthcoco-bench-v1 --preset synthcoco-bench-v1 --formats coco
# 128x128 images, up to 2 figures, occluders, clutter, back views; splits
# train 4000 / val 500 / test 500 images, disjoint. `val` is what training
# and search may look at (checkpoint selection, arch steps, rewards); `test`
# is the split numbers are reported on and nothing else reads it.
# Loaded by MMPose's own CocoDataset; the model config adds the pipelines.
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = 'data/synthcoco-bench-v1/coco/'

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
    batch_size=64,
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
test_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_test.json',
        data_prefix=dict(img='test/'),
        test_mode=True,
    ))

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_test.json')
