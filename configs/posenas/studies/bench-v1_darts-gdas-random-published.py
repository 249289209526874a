# PoseNAS on synthcoco-bench-v1 (benchmarks/nas_evidence.md), 3 seeds, every
# net retrained with the benchmark's one recipe and tested on its test split
# (encoder L=8, C=20, Fusion-and-Enhancement on):
#   darts1     first-order DARTS of the encoder and decoder cells (weights on
#              2/3 of the searched training images, arch steps on the other
#              third) -> top-2 incoming edges per node
#   gdas       the same search with single-path sampling (darts1+gdas: one
#              sampled op per edge per step, hard Gumbel, tau 10 -> 0.1)
#   random     N(0, 1) logits (a new draw per seed), same derivation, within
#              5 % of the darts1 net's GFLOPs
#   published  the authors' genotype at the same L and C
# Nothing of a search reads val or test.
#   python tools/run_nas_study.py configs/posenas/studies/bench-v1_darts-gdas-random-published.py \
#       --work-dir work_dirs/posenas_bench_v1 --threads 1 --skip-topdown
data = dict(preset='synthcoco-bench-v1', seed=0)
seeds = [0, 1, 2]
retrain_epochs = 10
flops_input_size = (96, 128)
search = '../posenas-darts1_posenas-l8-c20_fusiondec_1xb8-synthcoco-bench-v1-128x96.py'
# every method's bench searches see the same 600 training images for the
# same 4 epochs (configs/*/studies/bench-v1_*.py)
searched_images = {
    'train_dataloader.dataset.dataset.indices': 600,
    'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices': 600,
}

variants = [
    dict(name='darts1', search_config=search, search_epochs=4, search_cfg_options=searched_images),
    dict(name='gdas', search_config=search, search_epochs=4,
         search_cfg_options=dict(searched_images, **{'train_cfg.search.strategy': 'darts1+gdas'})),
    dict(name='random', search_config=search, random_flops_of='darts1'),
    dict(name='published', config='../td-hm_posenas-l8-c20_fusiondec_1xb32-10e_synthcoco-bench-v1-128x96.py'),
]
compare = [('darts1', 'random'), ('gdas', 'random'), ('darts1', 'gdas'), ('darts1', 'published')]
