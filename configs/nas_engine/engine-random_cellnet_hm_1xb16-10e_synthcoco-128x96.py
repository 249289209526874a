# Random-architecture baseline: arch params drawn from N(0, 1) with a fixed
# seed and frozen; only the weights train.
_base_ = ['./td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(
    constructor='NASOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=1e-3),
    arch=dict(strategy='frozen'))

custom_hooks = [
    dict(type='RandomArchHook', seed=0, std=1.0),
    dict(type='GenotypeLoggerHook'),
    dict(type='RNGStateHook'),
]

retrain_config = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
