# Budget-aware search of the EfficientPose backbone on synthcoco-bench-v1:
# first-order DARTS, weight steps on 2/3 of the benchmark's train split,
# arch steps on the other third (never val or test), a FLOPs budget of
# 0.42 GFLOPs at 256x192 (EfficientPose-A's, MMEngine's counter) for the
# whole model; the derived net is the projection of the final distribution
# onto the budget (5 % tolerance) and retrains with the benchmark's recipe
# (retrain_config). The number of search epochs and the images searched on
# are the study's (configs/efficientpose/studies/).
# Single path instead (GDAS, one sampled op per block per step):
#   --cfg-options train_cfg.search.strategy=darts1+gdas
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py']

auto_scale_lr = dict(base_batch_size=8)
split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataloader.dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='darts1',
        # no arch weight decay: DARTS's 1e-3 holds the logits near uniform
        # over the few hundred arch steps of a CPU search
        arch_optimizer=dict(type='Adam', lr=2e-2, betas=(0.5, 0.999), weight_decay=0.0),
        darts=dict(
            arch_dataloader=arch_dataloader,
            warmup_epochs=1,
            budget=dict(target=0.42e9, input_size=(192, 256), weight=1.0))))

retrain_config = 'td-hm_efficientpose_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py'
