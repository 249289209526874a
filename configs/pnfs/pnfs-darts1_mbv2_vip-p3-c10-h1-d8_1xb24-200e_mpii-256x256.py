# First-order DARTS of the paper's Table II: half of the MPII training
# images train the weights, the other half the architecture (its own Adam,
# lr 3e-3, weight decay 1e-3); the continuous result is kept, as in the
# paper (no discretisation, no retraining).
_base_ = ['./pnfs-sync_mbv2_vip-p3-c10-h1-d8_1xb24-200e_mpii-256x256.py']

# metainfo: for tools that read it from the config (init_model)
split = dict(heldout_ratio=1 / 2, seed=0, metainfo=dict(from_file='configs/_base_/datasets/mpii.py'))
train_dataset = {{_base_.train_dataloader.dataset}}
train_dataloader = dict(
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset=train_dataset, part='train', **split))
arch_dataloader = dict(
    batch_size=24,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset=train_dataset, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=200, milestones=[90, 120, 150], gamma=0.25, by_epoch=True),
]
train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        _delete_=True,
        strategy='darts1',
        arch_optimizer=dict(type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=0)))
