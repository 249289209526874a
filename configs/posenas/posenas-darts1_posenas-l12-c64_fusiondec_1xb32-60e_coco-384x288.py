# PoseNAS search on COCO 384x288 with the search settings of the authors'
# released experiments/coco/384x288_18l_*.yaml (SEARCH section): L=12 cells,
# C=64, 60 epochs with 20 weight-only warm-up epochs, batch 32, weight SGD
# lr 1e-3 momentum 0.9 WD 1e-4 with LR x0.2 at 20 and 40, arch Adam lr 4e-4
# WD 1e-4 (DARTS's betas 0.5, 0.999: not in their file). First-order DARTS
# (the engine's darts1) on a 2:1 split of COCO train2017 images (their code
# for the split is not released; this is our held-out split). Not run by us
# at this scale (the GPU cost is the authors': see README).
_base_ = ['./_base_posenas_coco-384x288.py']

model = dict(
    genotype=None,
    backbone=dict(channels=64, num_layers=12),
    head=dict(in_channels=[128, 256, 512, 1024]))

split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='MultiStepLR', begin=0, end=60, milestones=[20, 40], gamma=0.2, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    max_epochs=60,
    search=dict(
        strategy='darts1',
        arch_optimizer=dict(type='Adam', lr=4e-4, betas=(0.5, 0.999), weight_decay=1e-4),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=20)))

retrain_config = 'td-hm_posenas-l18-c64_fusiondec_1xb32-210e_coco-384x288.py'
