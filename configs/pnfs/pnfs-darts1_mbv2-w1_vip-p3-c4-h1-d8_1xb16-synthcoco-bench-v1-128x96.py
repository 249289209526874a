# First-order DARTS of the PNFS fabrics on synthcoco-bench-v1: weight steps
# on one half of the searched training images, alpha/beta steps on the
# other half (the paper's 1:1 split; never val or test), Adam for both.
# The number of search epochs and of images searched are the study's
# (configs/pnfs/studies/); derived fabrics (continuous alpha/beta, ops
# under --prune-below pruned) retrain with the benchmark's recipe.
# Single path instead (GDAS: one sampled op per edge per step):
#   --cfg-options train_cfg.search.strategy=darts1+gdas
_base_ = ['./td-hm_mbv2-w1_vip-p3-c4-h1-d8_1xb32-10e_synthcoco-bench-v1-128x96.py']

auto_scale_lr = dict(base_batch_size=16)
split = dict(heldout_ratio=1 / 2, seed=0)
train_dataloader = dict(
    batch_size=16,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    val_interval=100,
    search=dict(
        strategy='darts1',
        # the paper's arch lr 3e-3; no arch weight decay: 1e-3 holds the
        # logits near uniform over the few hundred arch steps of a CPU search
        arch_optimizer=dict(type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=0.0),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=0)))

retrain_config = 'td-hm_mbv2-w1_vip-p3-c4-h1-d8_1xb32-10e_synthcoco-bench-v1-128x96.py'
