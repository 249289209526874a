# First-order DARTS: a weight step on the train side of a deterministic 2:1
# image split of the training annotations, an arch step (own Adam, own LR
# schedule) on the held-out side, which never feeds the weight step. Weights
# alone train during the warm-up epochs.
_base_ = ['./td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

split = dict(heldout_ratio=1 / 3, seed=0)

train_dataloader = dict(
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))

arch_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))

optim_wrapper = dict(
    _delete_=True,
    constructor='NASOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=1e-3),
    arch=dict(strategy='separate', optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)))

# one schedule per optimizer (MMEngine's dict form)
param_scheduler = dict(
    _delete_=True,
    weight=[
        dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
        dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True),
    ],
    arch=[dict(type='ConstantLR', factor=1.0, by_epoch=True)])

custom_hooks = [
    dict(type='DartsArchHook', arch_dataloader=arch_dataloader, order=1, warmup_epochs=2),
    dict(type='GenotypeLoggerHook'),
    dict(type='RNGStateHook'),
]

retrain_config = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
