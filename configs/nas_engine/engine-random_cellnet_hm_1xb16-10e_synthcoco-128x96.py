# Random-architecture baseline: arch params drawn from N(0, 1) with a fixed
# seed and frozen; only the weights train.
_base_ = ['./td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))

# the search strategy, in one place (pose_nas.engine.strategies)
train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='random', random=dict(seed=0, std=1.0)))

retrain_config = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
