# Retrain config of the "no aggregation cell" ablation (concatenation + 1x1
# conv instead of aggregation cells); derive_arch.py sets its genotype.
_base_ = ['./td-hm_autopose_hm_1xb128-210e_coco-256x192.py']

model = dict(backbone=dict(aggregation='concat', genotype='{{ fileDirname }}/genotypes/autopose-concat_synthcoco-search.json'))
