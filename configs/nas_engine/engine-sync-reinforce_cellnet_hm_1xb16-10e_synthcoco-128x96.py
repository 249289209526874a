# REINFORCE over discrete decisions (AutoPose's branch controller): every
# normal cell may be switched off; an LSTM controller picks the vector, its
# reward is MMPose's COCO AP on a validation subset with the shared supernet
# weights. The cell ops are searched synchronously at the same time.
_base_ = ['./engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

model = dict(backbone=dict(searchable_depth=True))

reward_subset = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='CocoDataset',
        data_root='data/synthetic/coco/',
        data_mode='topdown',
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        indices=32,
        pipeline={{_base_.val_pipeline}}))

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='sync+reinforce',
        reinforce=dict(
            reward=dict(type='EvaluatorReward', dataloader=reward_subset, evaluator=dict(type='CocoMetric'), metric='coco/AP'),
            controller=dict(hidden_size=32),
            optimizer=dict(type='Adam', lr=5e-3),
            start_epoch=2,
            updates_per_epoch=1,
            samples_per_update=4,
            entropy_weight=1e-3,
            derive_samples=4)))

# switching cells off leaves parameters unused in a step
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
