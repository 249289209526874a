# AutoPose on synthcoco-bench-v1 (benchmarks/nas_evidence.md), 3 seeds, every
# net retrained with the benchmark's one recipe and tested on its test split:
#   darts1  the paper's bi-level search: cells by first-order alternating
#           Gumbel-softmax steps (darts1+gumbel), branches by the REINFORCE
#           controller (reward PCK@0.2 on held-out TRAIN images) -> argmax
#           cells + the controller's best of K=3 branch sets
#   gdas    the same with single-path cell steps (darts1+gdas+reinforce)
#   random  N(0, 1) cell logits + uniform branch bits (a new draw per seed),
#           within 5 % of the darts1 net's GFLOPs
# The paper's cells are only in its unavailable supplement: no published
# row. Nothing of a search reads val or test.
#   python tools/run_nas_study.py configs/autopose/studies/bench-v1_darts-gdas-random.py \
#       --work-dir work_dirs/autopose_bench_v1 --threads 1 --skip-topdown
data = dict(preset='synthcoco-bench-v1', seed=0)
# every net retrained at the one GFLOPs of the cross-method table
# (benchmarks/nas_evidence.md): the branch controller has no FLOPs budget,
# so derived nets range 0.03-0.47 GFLOPs at the space's x2 (measured on
# the seed-0 nets at x1-x3); the multiplier of the derived widths
# (supernet branches 6/12/24/48, the head reads their sum) is chosen per
# net, as DARTS chooses its evaluation network's width
width_match = dict(
    gflops=0.1,
    tolerance=0.02,
    choices=[{'model.backbone.channel_multiplier': m / 40,
              'model.head.in_channels': sum(max(1, int(round(c * m / 40))) for c in (6, 12, 24, 48))}
             for m in range(30, 121)])
seeds = [0, 1, 2]
retrain_epochs = 10
flops_input_size = (96, 128)
search = '../autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-synthcoco-bench-v1-128x96.py'
single_path = '../autopose-darts1-gdas-reinforce_autopose_hm_1xb8-synthcoco-bench-v1-128x96.py'
# every method's bench searches see the same 600 training images for the
# same 4 epochs (configs/*/studies/bench-v1_*.py); the rewards read the
# held-out third of them
searched_images = {
    'train_dataloader.dataset.dataset.indices': 600,
    'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices': 600,
    'train_cfg.search.reinforce.reward.dataloader.dataset.dataset.indices': 600,
}

variants = [
    dict(name='darts1', search_config=search, search_epochs=4, search_cfg_options=searched_images),
    dict(name='gdas', search_config=single_path, search_epochs=4, search_cfg_options=searched_images),
    dict(name='random', search_config=search, random_flops_of='darts1'),
]
compare = [('darts1', 'random'), ('gdas', 'random'), ('darts1', 'gdas')]
