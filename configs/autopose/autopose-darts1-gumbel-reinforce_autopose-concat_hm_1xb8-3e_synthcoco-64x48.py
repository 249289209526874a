# Synthetic Table-4 ablation: aggregation cells replaced by concatenation + 1x1.
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py']

model = dict(backbone=dict(aggregation='concat'))
retrain_config = 'td-hm_autopose-concat_hm_1xb16-10e_synthcoco-64x48.py'
