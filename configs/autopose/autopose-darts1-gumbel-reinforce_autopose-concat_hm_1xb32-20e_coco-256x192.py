# Table 4 ablation "aggregation cell: N/A": multi-branch search, but every
# aggregation cell is replaced by a plain concatenation of the resized branch
# outputs + a 1x1 conv (no searched cross-scale aggregation).
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb32-20e_coco-256x192.py']

model = dict(backbone=dict(aggregation='concat'))
retrain_config = 'td-hm_autopose-concat_hm_1xb128-210e_coco-256x192.py'
