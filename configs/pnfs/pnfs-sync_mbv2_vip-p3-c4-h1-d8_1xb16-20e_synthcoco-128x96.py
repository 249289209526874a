# PNFS's default search strategy, synchronous: every part's alpha (shared
# by its fabric's cells) and beta (per cell) are trained with the weights by
# the same Adam on the same batch (their own param group, no weight decay).
# The architecture found is continuous; tools/derive_arch.py exports every
# part's softmax(alpha)/softmax(beta) (ops whose weight is <= --prune-below
# are dropped) and writes a retrain config that inherits this one with the
# search-only settings reset.
_base_ = ['./td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py']

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(strategy='sync', arch_optimizer=dict(lr=1e-3, weight_decay=0.0)))
