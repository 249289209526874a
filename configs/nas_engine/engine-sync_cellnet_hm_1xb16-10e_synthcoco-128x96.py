# Synchronous search (PNFS's default): the arch params are trained with the
# weights by one optimizer on the same batch; they sit in their own param
# group (own lr, no weight decay).
_base_ = ['./td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))

# the search strategy, in one place (pose_nas.engine.strategies)
train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='sync', arch_optimizer=dict(lr=3e-3, weight_decay=0.0)))

# used by tools/derive_arch.py to write the retrain config
retrain_config = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
