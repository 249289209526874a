# A random AutoPose architecture (the study's baseline): cell logits drawn
# from N(0, 1) by the 'random' strategy (seeded), branch bits = one vector
# sampled (K=1) from a freshly seeded, never updated controller. One short
# epoch only so that derive_arch can read a checkpoint; the weights are not
# kept.
_base_ = ['./autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py']

train_cfg = dict(
    max_epochs=1,
    search=dict(
        _delete_=True,
        strategy='random+reinforce',
        random=dict(seed=0),
        reinforce=dict(
            reward=dict(type='CallableReward', fn='builtins:len'),
            controller=dict(hidden_size=32),
            start_epoch=100,
            derive_samples=1,  # K=1: the one sampled vector (reward unused)
            seed=0)))
