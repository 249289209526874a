# Table 4 ablation "multi-branch: fixed to four": all branches of all stages
# forced on, only the cells are searched (no controller: 'darts1+gumbel').
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb32-20e_coco-256x192.py']

model = dict(backbone=dict(branch_mode='all'))
train_cfg = dict(search=dict(_delete_=True, strategy='darts1+gumbel', arch_optimizer={{_base_.train_cfg.search.arch_optimizer}}, darts={{_base_.train_cfg.search.darts}}, gumbel={{_base_.train_cfg.search.gumbel}}))
