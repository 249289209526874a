# The random baseline of the paper's Table II: alpha/beta from N(0, 1),
# frozen; only the weights train. The paper ran 5 seeds:
#   --cfg-options custom_hooks.0.seed=1 ... 4
_base_ = ['./pnfs-sync_mbv2_vip-p3-c10-h1-d8_1xb24-200e_mpii-256x256.py']

optim_wrapper = dict(arch=dict(_delete_=True, strategy='frozen'))
custom_hooks = [
    dict(type='RandomArchHook', seed=0),
    dict(type='GenotypeLoggerHook'),
    dict(type='RNGStateHook'),
]
