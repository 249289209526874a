# First-order DARTS: a weight step on the train side of a deterministic 2:1
# image split of the training annotations, an arch step (own Adam, own LR
# schedule) on the held-out side, which never feeds the weight step. Weights
# alone train during the warm-up epochs.
_base_ = ['./td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

split = dict(heldout_ratio=1 / 3, seed=0)

train_dataloader = dict(
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))

arch_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3))

# the search strategy, in one place (pose_nas.engine.strategies): the arch
# optimizer gets a constant LR, the inherited param_scheduler is the weights'
train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='darts1',
        arch_optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(arch_dataloader=arch_dataloader, warmup_epochs=2)))

retrain_config = 'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py'
