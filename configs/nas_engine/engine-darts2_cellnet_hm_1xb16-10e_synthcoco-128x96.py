# Second-order DARTS (unrolled weights, finite-difference Hessian-vector
# product); otherwise as the first-order config. The virtual weight step is
# the step of the configured weight optimizer, so it must be SGD (DARTS's
# reference setting: momentum 0.9, weight decay 3e-4); Adam is refused.
_base_ = ['./engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4))

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='darts2'))
