# Table 4 ablation "multi-branch: searched (single)": at most one active branch
# per stage during search (the controller picks none or one of the four per
# stage: a single chain-like backbone, as Auto-DeepLab's network level).
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb32-20e_coco-256x192.py']

model = dict(backbone=dict(branch_mode='single'))
