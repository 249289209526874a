# AutoPose search on COCO at 256x192 (the paper searches at the training size,
# Table 5), bi-level, with the engine's strategies only:
# - cell level ('darts1+gumbel'): first-order alternating steps, a weight step
#   on the train side of a deterministic 2:1 image split of COCO train2017, an
#   architecture step (Adam) on the held-out side; Gumbel-softmax edges with an
#   exponentially annealed temperature;
# - network level ('reinforce'): an LSTM controller over the 3 x 4 branch bits,
#   REINFORCE with a moving-average baseline and an entropy bonus; reward =
#   COCO AP (OKS) from MMPose's CocoMetric on a subset of the held-out side of
#   the TRAIN images with the shared supernet weights (val2017 is never used
#   by the search); M updates at the end of every epoch from epoch 5 on, each
#   on 2 sampled vectors (the paper's controller batch size); derivation =
#   best of K sampled vectors on the same subset.
# Values the extraction lost are our choices, see configs/autopose/README.md.
_base_ = ['./_base_autopose_coco-256x192.py']

model = dict(backbone=dict(genotype=None, tau=5.0), head=dict(in_channels={{_base_.supernet_out_channels}}))

split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))
# the reward's subset: held-out TRAIN images, GT boxes, no augmentation
reward_dataloader = dict(
    batch_size=32,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='HeldOutSplitDataset',
        part='heldout',
        dataset=dict(
            type='CocoDataset',
            data_root='data/coco/',
            data_mode='topdown',
            ann_file='annotations/person_keypoints_train2017.json',
            data_prefix=dict(img='train2017/'),
            test_mode=True,
            pipeline={{_base_.val_pipeline}}),
        **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=20, T_max=20, eta_min=1e-5, by_epoch=True)]
auto_scale_lr = dict(base_batch_size=32)

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    max_epochs=20,
    val_interval=20,
    search=dict(
        strategy='darts1+gumbel+reinforce',
        arch_optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=0),
        gumbel=dict(tau_start=5.0, tau_end=0.5, schedule='exponential'),
        reinforce=dict(
            reward=dict(type='EvaluatorReward', dataloader=reward_dataloader, evaluator=dict(type='CocoMetric'), metric='coco/AP', max_batches=16),
            controller=dict(hidden_size=64),
            optimizer=dict(type='Adam', lr=3.5e-3),
            start_epoch=5,
            updates_per_epoch=10,
            samples_per_update=2,
            baseline_decay=0.95,
            entropy_weight=1e-4,
            train_sampling='controller',
            derive_samples=10)))

# switched-off branches leave parameters unused in a step
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
default_hooks = dict(checkpoint=dict(interval=1, save_best=None))

retrain_config = 'td-hm_autopose_hm_1xb128-210e_coco-256x192.py'
