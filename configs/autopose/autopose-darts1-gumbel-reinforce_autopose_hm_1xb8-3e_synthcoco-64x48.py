# The AutoPose bi-level search (see the COCO search config) sized for a CPU:
# synthetic COCO-format data at 64x48, 3 epochs, controller from epoch 1
# (not 5: the whole search is 3 epochs), 2 updates of 2 vectors per epoch,
# reward = CocoMetric AP on 16 held-out TRAIN images, best of K=3.
_base_ = ['./td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py']

model = dict(backbone=dict(genotype=None, tau=5.0), head=dict(in_channels={{_base_.supernet_out_channels}}))

split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))
reward_dataloader = dict(
    batch_size=8,
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

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True)]
auto_scale_lr = dict(base_batch_size=8)

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    max_epochs=3,
    val_interval=100,
    search=dict(
        strategy='darts1+gumbel+reinforce',
        # a larger arch lr than DARTS's 3e-4: a CPU search makes few arch steps
        arch_optimizer=dict(type='Adam', lr=3e-2, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=0),
        gumbel=dict(tau_start=5.0, tau_end=0.5, schedule='exponential'),
        reinforce=dict(
            reward=dict(type='EvaluatorReward', dataloader=reward_dataloader, evaluator=dict(type='CocoMetric'), metric='coco/AP', max_batches=2),
            controller=dict(hidden_size=32),
            optimizer=dict(type='Adam', lr=5e-3),
            start_epoch=1,
            updates_per_epoch=2,
            samples_per_update=2,
            baseline_decay=0.9,
            entropy_weight=1e-3,
            train_sampling='controller',
            derive_samples=3)))

model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
default_hooks = dict(checkpoint=dict(interval=1))

retrain_config = 'td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py'
