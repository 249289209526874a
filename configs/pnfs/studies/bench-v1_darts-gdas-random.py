# PNFS on synthcoco-bench-v1 (benchmarks/nas_evidence.md), 3 seeds, every
# net retrained with the benchmark's one recipe and tested on its test split:
#   darts1  first-order DARTS of the part fabrics' alpha/beta (weights on one
#           half of the searched training images, alpha/beta on the other)
#           -> continuous alpha/beta exported, ops under 1e-3 pruned
#   gdas    the same search with single-path sampling (darts1+gdas: one
#           sampled op per edge per step, hard Gumbel, tau 10 -> 0.1)
#   random  alpha/beta drawn from N(0, 1) (a new draw per seed), within 5 %
#           of the darts1 net's GFLOPs, same export rule
# The paper publishes no searched alpha/beta, so there is no published row.
# Nothing of a search reads val or test.
#   python tools/run_nas_study.py configs/pnfs/studies/bench-v1_darts-gdas-random.py \
#       --work-dir work_dirs/pnfs_bench_v1 --threads 1 --skip-topdown
data = dict(preset='synthcoco-bench-v1', seed=0)
seeds = [0, 1, 2]
retrain_epochs = 10
flops_input_size = (96, 128)
search = '../pnfs-darts1_mbv2-w1_vip-p3-c4-h1-d8_1xb16-synthcoco-bench-v1-128x96.py'
derive = ['--prune-below', '1e-3']
# every method's bench searches see the same 600 training images for the
# same 4 epochs (configs/*/studies/bench-v1_*.py)
searched_images = {
    'train_dataloader.dataset.dataset.indices': 600,
    'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices': 600,
}

variants = [
    dict(name='darts1', search_config=search, search_epochs=4, search_cfg_options=searched_images,
         derive_args=derive),
    dict(name='gdas', search_config=search, search_epochs=4,
         search_cfg_options=dict(searched_images, **{'train_cfg.search.strategy': 'darts1+gdas'}),
         derive_args=derive),
    dict(name='random', search_config=search, random_flops_of='darts1', derive_args=derive),
]
compare = [('darts1', 'random'), ('gdas', 'random'), ('darts1', 'gdas')]
