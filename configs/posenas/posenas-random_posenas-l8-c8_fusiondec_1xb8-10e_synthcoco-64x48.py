# The random-architecture baseline of the PoseNAS space: every architecture
# logit (encoder normal / reduce, decoder 1..3) is drawn once from N(0, 1)
# (seeded, RandomArchHook) and frozen; derived with the same top-2 rule.
# The cost is that of the same cell topology (L, C, 4 nodes x 2 edges), so
# the random net is of similar cost; the study reports each net's GFLOPs.
# Another draw: --cfg-options train_cfg.search.random.seed=1
_base_ = ['./td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py']

model = dict(genotype=None)
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=2e-3, weight_decay=1e-4))

train_cfg = dict(type='NASEpochBasedTrainLoop', val_interval=100, search=dict(strategy='random', random=dict(seed=0)))

retrain_config = 'td-hm_posenas-l8-c8_fusiondec_1xb16-10e_synthcoco-64x48.py'
