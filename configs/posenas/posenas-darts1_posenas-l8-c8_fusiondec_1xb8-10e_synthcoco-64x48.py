# PoseNAS search on synthetic COCO at 64x48 (CPU-sized): encoder (normal and
# reduce cells) and the three decoder fusion cells searched end to end with
# first-order DARTS: a weight step on the train side of a deterministic 2:1
# image split of the training annotations, an arch step on the held-out
# side. With Fusion-and-Enhancement the stage-2 encoder shares the encoder's
# alphas (one genotype). Derive (top-2 incoming edges per node, none
# excluded) with tools/derive_arch.py: ONE genotype.json + a retrain config.
_base_ = ['./td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py']

model = dict(genotype=None)

auto_scale_lr = dict(base_batch_size=8)
split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=2e-3, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    val_interval=100,
    search=dict(
        strategy='darts1',
        # a larger arch lr than the authors' 4e-4: a CPU search makes few
        # arch steps
        arch_optimizer=dict(type='Adam', lr=1e-2, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=1)))

retrain_config = 'td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py'
