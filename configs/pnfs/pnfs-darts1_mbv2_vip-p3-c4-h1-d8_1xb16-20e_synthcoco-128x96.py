# First-order DARTS for PNFS (the paper's Table II comparison): weights on
# one half of the training images, alpha/beta on the other half with their
# own Adam (lr 3e-3, weight decay 1e-3, the paper's settings), no warm-up
# (the paper gives none).
_base_ = ['./td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py']

split = dict(heldout_ratio=1 / 2, seed=0)
train_dataloader = dict(
    batch_size=16,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=20, milestones=[9, 12, 15], gamma=0.25, by_epoch=True),
]
train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='darts1',
        arch_optimizer=dict(type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=0)))
