# The random-architecture baseline of the EfficientPose space: every block's
# architecture logits are drawn once from N(0, 1) (seeded, RandomArchHook)
# and frozen while the supernet weights train. Derive it onto a FLOPs budget
# so that it is compared with a searched net of the same cost:
#   python tools/derive_arch.py THIS_CONFIG CKPT --out-dir D --budget-gflops 0.42
# (the projection keeps the random argmax where the budget allows it).
# Another draw: --cfg-options custom_hooks.0.seed=1
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(
    _delete_=True,
    constructor='NASOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
    arch=dict(strategy='frozen'))

custom_hooks = [
    dict(type='RandomArchHook', seed=0),
    dict(type='GenotypeLoggerHook'),
    dict(type='RNGStateHook'),
]

retrain_config = 'td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py'
