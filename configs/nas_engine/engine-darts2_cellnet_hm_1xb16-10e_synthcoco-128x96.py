# Second-order DARTS (unrolled weights, finite-difference Hessian-vector
# product); otherwise as the first-order config.
_base_ = ['./engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

custom_hooks = [
    dict(type='DartsArchHook', arch_dataloader={{_base_.arch_dataloader}}, order=2, warmup_epochs=2),
    dict(type='GenotypeLoggerHook'),
    dict(type='RNGStateHook'),
]
