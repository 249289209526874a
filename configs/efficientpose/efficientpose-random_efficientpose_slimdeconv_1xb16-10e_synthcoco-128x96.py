# The random-architecture baseline of the EfficientPose space: every block's
# architecture logits are drawn once from N(0, 1) (seeded, RandomArchHook)
# and frozen while the supernet weights train. Derive it onto a FLOPs budget
# so that it is compared with a searched net of the same cost:
#   python tools/derive_arch.py THIS_CONFIG CKPT --out-dir D --budget-gflops 0.42
# (the projection keeps the random argmax where the budget allows it).
# Another draw: --cfg-options train_cfg.search.random.seed=1
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='random', random=dict(seed=0)))

retrain_config = 'td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py'
