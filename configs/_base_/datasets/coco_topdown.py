# COCO person keypoints (data/coco, MMPose's layout), top-down: loaders and
# CocoMetric on the person detections of MMPose's configs. A model config
# adds its pipelines and batch size:
#   train_dataloader = dict(batch_size=..., dataset=dict(pipeline=train_pipeline))
#   val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
#   test_dataloader = val_dataloader
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = 'data/coco/'

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/')))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val2017.json',
        bbox_file='data/coco/person_detection_results/COCO_val2017_detections_AP_H_56_person.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'annotations/person_keypoints_val2017.json')
test_evaluator = val_evaluator
