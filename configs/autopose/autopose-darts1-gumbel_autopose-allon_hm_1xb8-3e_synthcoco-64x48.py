# Synthetic Table-4 ablation: every branch forced on, cells searched only.
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py']

model = dict(backbone=dict(branch_mode='all'))
train_cfg = dict(search=dict(_delete_=True, strategy='darts1+gumbel', arch_optimizer={{_base_.train_cfg.search.arch_optimizer}}, darts={{_base_.train_cfg.search.darts}}, gumbel={{_base_.train_cfg.search.gumbel}}))
