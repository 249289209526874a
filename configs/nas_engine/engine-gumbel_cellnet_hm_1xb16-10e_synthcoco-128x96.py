# Gumbel-softmax relaxation (AutoPose's cell search) trained synchronously,
# with an exponentially decaying temperature.
_base_ = ['./engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

model = dict(backbone=dict(tau=5.0))

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='gumbel', gumbel=dict(tau_start=5.0, tau_end=0.5, schedule='exponential')))
