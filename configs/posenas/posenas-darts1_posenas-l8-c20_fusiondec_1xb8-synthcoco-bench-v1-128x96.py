# PoseNAS search on synthcoco-bench-v1: encoder (normal and reduce cells)
# and the three decoder fusion cells searched end to end with first-order
# DARTS, weight steps on 2/3 of the searched training images, arch steps on
# the other third (never val or test). With Fusion-and-Enhancement the
# stage-2 encoder shares the encoder's alphas (one genotype). The number of
# search epochs and of images searched are the study's
# (configs/posenas/studies/); derived nets (top-2 incoming edges per node)
# retrain with the benchmark's recipe (retrain_config).
# Single path instead (GDAS: one sampled op per edge per step):
#   --cfg-options train_cfg.search.strategy=darts1+gdas
_base_ = ['./td-hm_posenas-l8-c20_fusiondec_1xb32-10e_synthcoco-bench-v1-128x96.py']

model = dict(genotype=None)

auto_scale_lr = dict(base_batch_size=8)
split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=2e-3, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    val_interval=100,
    search=dict(
        strategy='darts1',
        # a larger arch lr than the authors' 4e-4 and no arch weight decay:
        # a CPU search makes few arch steps (see the synthetic study)
        arch_optimizer=dict(type='Adam', lr=1e-2, betas=(0.5, 0.999), weight_decay=0.0),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=1)))

retrain_config = 'td-hm_posenas-l8-c20_fusiondec_1xb32-10e_synthcoco-bench-v1-128x96.py'
