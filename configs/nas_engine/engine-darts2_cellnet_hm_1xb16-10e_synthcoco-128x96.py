# Second-order DARTS (unrolled weights, finite-difference Hessian-vector
# product); otherwise as the first-order config.
_base_ = ['./engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='darts2'))
