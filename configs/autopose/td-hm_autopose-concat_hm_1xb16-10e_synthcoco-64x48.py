# Retrain config of the synthetic "no aggregation cell" ablation (plain
# concatenation + 1x1 conv); derive_arch.py sets the searched genotype.
_base_ = ['./td-hm_autopose_hm_1xb16-10e_synthcoco-64x48.py']

model = dict(backbone=dict(aggregation='concat', genotype='{{ fileDirname }}/genotypes/autopose-concat_synthcoco-64x48.json'))
