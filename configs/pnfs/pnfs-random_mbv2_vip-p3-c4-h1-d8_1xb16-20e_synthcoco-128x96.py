# PNFS's random baseline: every alpha/beta drawn once from N(0, 1) (seeded,
# RandomArchHook) and frozen; only the weights train. Another draw:
#   --cfg-options train_cfg.search.random.seed=1
_base_ = ['./td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py']

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='random', random=dict(seed=0)))
