# Budget-aware differentiable search of the EfficientPose backbone (first-
# order DARTS on a 2:1 image split of the training annotations) with a FLOPs
# budget of 0.6 GFLOPs for the whole model at 256x192: the arch loss adds
# weight * (log(E[FLOPs]/target)^2 + log(FLOPs(argmax)/target)^2), the
# per-candidate FLOPs measured once with MMEngine's counter; the derived net
# is the projection of the final distribution onto the budget (5 %
# tolerance). Searched at 128x96 on synthetic data so that it runs on a CPU;
# the budget is for 256x192, where the derived net is deployed.
# Other budgets: --cfg-options train_cfg.search.darts.budget.target=1.2e9
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py']

auto_scale_lr = dict(base_batch_size=8)
split = dict(heldout_ratio=1 / 3, seed=0)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='train', **split))
arch_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='HeldOutSplitDataset', dataset={{_base_.train_dataset}}, part='heldout', **split))

optim_wrapper = dict(_delete_=True, optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', begin=0, end=10, T_max=10, eta_min=1e-5, by_epoch=True)]

train_cfg = dict(
    type='NASEpochBasedTrainLoop',
    search=dict(
        strategy='darts1',
        # a larger arch lr than DARTS's 3e-4: a CPU search makes few arch steps
        arch_optimizer=dict(type='Adam', lr=2e-2, betas=(0.5, 0.999), weight_decay=1e-3),
        darts=dict(
            arch_dataloader=arch_dataloader,
            warmup_epochs=1,
            budget=dict(target=0.6e9, input_size=(192, 256), weight=1.0))))

retrain_config = 'td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py'
