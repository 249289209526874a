# The AutoPose bi-level search on synthcoco-bench-v1 with single-path cell
# steps (GDAS: one sampled op per edge per step, hard Gumbel, tau 10 -> 0.1
# linear) instead of the soft Gumbel-softmax mixture; everything else (data,
# split, branch controller, reward, derivation) as in the
# darts1-gumbel-reinforce bench config.
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-synthcoco-bench-v1-128x96.py']

train_cfg = dict(
    search=dict(
        _delete_=True,
        strategy='darts1+gdas+reinforce',
        arch_optimizer={{_base_.arch_optimizer}},
        darts=dict(arch_dataloader={{_base_.arch_dataloader}}, warmup_epochs=1),
        gdas=dict(tau_start=10.0, tau_end=0.1, schedule='linear'),
        reinforce={{_base_.reinforce}}))
