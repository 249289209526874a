# Synthetic Table-4 ablation: at most one active branch per stage.
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py']

model = dict(backbone=dict(branch_mode='single'))
