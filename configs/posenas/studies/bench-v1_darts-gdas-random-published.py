# PoseNAS on synthcoco-bench-v1 (benchmarks/nas_evidence.md), 3 seeds, every
# net retrained with the benchmark's one recipe and tested on its test split
# (encoder L=8, C=20, Fusion-and-Enhancement on):
#   darts1     first-order DARTS of the encoder and decoder cells (weights on
#              2/3 of the searched training images, arch steps on the other
#              third) -> top-2 incoming edges per node
#   gdas       the same search with single-path sampling (darts1+gdas: one
#              sampled op per edge per step, hard Gumbel, tau 10 -> 0.1)
#   random     N(0, 1) logits (a new draw per seed), same derivation, within
#              5 % of the darts1 net's GFLOPs at C=20 (before widening)
#   published  the authors' genotype at the same L and C
# Nothing of a search reads val or test.
#   python tools/run_nas_study.py configs/posenas/studies/bench-v1_darts-gdas-random-published.py \
#       --work-dir work_dirs/posenas_bench_v1 --threads 1 --skip-topdown
data = dict(preset='synthcoco-bench-v1', seed=0)
# every net retrained at the one GFLOPs of the cross-method table
# (benchmarks/nas_evidence.md): at C=20 the seed-0 nets were 0.070-0.073
# GFLOPs and the published genotype 0.113. The encoder's channel factor C
# (even: steps of 15-20 % in GFLOPs) and, between two of its steps, the
# Fusion-and-Enhancement width (8-20, steps of about 4 %) are chosen per
# net, narrowest to widest, as DARTS chooses its evaluation network's width
width_match = dict(
    gflops=0.1,
    tolerance=0.02,
    choices=[{'model.backbone.channels': C,
              'model.head.in_channels': [2 * C, 4 * C, 8 * C, 16 * C],
              'model.head.stage2_channels': s2}
             for C in range(12, 35, 2) for s2 in (8, 12, 16, 20)])
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
