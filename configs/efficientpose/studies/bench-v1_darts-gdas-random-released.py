# EfficientPose on synthcoco-bench-v1 (benchmarks/nas_evidence.md), at the
# budget of the released EfficientPose-A (0.42 GFLOPs at 256x192, MMEngine's
# counter), 3 seeds:
#   darts1     budget-aware first-order DARTS (weights on 2/3 of the searched
#              training images, arch steps on the other third) -> projection
#              onto the budget -> retrain with the benchmark's recipe
#   gdas       the same search with single-path sampling (darts1+gdas: one
#              sampled op per block per step, hard Gumbel, tau 10 -> 0.1)
#   random     a random architecture of the space at the darts1 net's GFLOPs
#              (+-5 %, a new draw per seed; no search)
#   released-A the authors' EfficientPose-A, same recipe
# Numbers are test AP (GT boxes); nothing of a search reads val or test.
#   python tools/run_nas_study.py configs/efficientpose/studies/bench-v1_darts-gdas-random-released.py \
#       --work-dir work_dirs/efficientpose_bench_v1 --threads 2 --skip-topdown
data = dict(preset='synthcoco-bench-v1', seed=0)
seeds = [0, 1, 2]
retrain_epochs = 10
flops_input_size = (96, 128)
budget_gflops = 0.42
search = '../efficientpose-darts1-budget0.42g_efficientpose_slimdeconv_1xb8-synthcoco-bench-v1-128x96.py'
# both searches see the same 600 training images (400 weights / 200 arch)
# for the same 4 epochs (1 of them weights only)
searched_images = {
    'train_dataloader.dataset.dataset.indices': 600,
    'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices': 600,
}

variants = [
    dict(name='darts1', search_config=search, search_epochs=4,
         search_cfg_options=searched_images),
    dict(name='gdas', search_config=search, search_epochs=4,
         search_cfg_options=dict(searched_images, **{'train_cfg.search.strategy': 'darts1+gdas'})),
    dict(name='random', search_config=search, random_flops_of='darts1'),
    dict(name='released-A', config='../td-hm_efficientpose-a_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py'),
]
compare = [('darts1', 'random'), ('gdas', 'random'), ('darts1', 'gdas'),
           ('darts1', 'released-A')]
