# REINFORCE over discrete decisions (AutoPose's branch controller): every
# normal cell may be switched off; an LSTM controller picks the vector, its
# reward is MMPose's COCO AP with the shared supernet weights on a fixed
# held-out part of the TRAINING images (a deterministic 2:1 split: the
# weights train on the other part; val and test are never read by the
# search). The cell ops are searched synchronously at the same time.
_base_ = ['./engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

model = dict(backbone=dict(searchable_depth=True))

split = dict(heldout_ratio=1 / 3, seed=0)

train_dataloader = dict(
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))

# the same images at every reward: no shuffling, the first 2 batches (32
# persons) of the held-out part
reward_subset = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='HeldOutSplitDataset',
        part='heldout',
        dataset=dict(
            type='CocoDataset',
            data_root='data/synthetic/coco/',
            data_mode='topdown',
            ann_file='annotations/person_keypoints_train.json',
            data_prefix=dict(img='train/'),
            test_mode=True,
            pipeline={{_base_.val_pipeline}}),
        **split))

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='sync+reinforce',
        reinforce=dict(
            reward=dict(type='EvaluatorReward', dataloader=reward_subset, evaluator=dict(type='CocoMetric'), metric='coco/AP', max_batches=2),
            controller=dict(hidden_size=32),
            optimizer=dict(type='Adam', lr=5e-3),
            start_epoch=2,
            updates_per_epoch=1,
            samples_per_update=4,
            entropy_weight=1e-3,
            derive_samples=4)))

# switching cells off leaves parameters unused in a step
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
