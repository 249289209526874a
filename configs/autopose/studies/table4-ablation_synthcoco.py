# AutoPose's Table-4 ablation on synthetic COCO (tools/run_nas_study.py), each
# variant searched -> derived (tools/derive_arch.py) -> retrained from scratch
# (channels x2) -> tested with MMPose's tools, at 3 seeds:
#   full      multi-branch search + aggregation cells (the method)
#   single    at most one active branch per stage during search
#   concat    aggregation cells replaced by concatenation + 1x1 conv
#   all-on    every branch forced on, cells searched only
#   random    N(0, 1) cell logits + branch bits sampled from an untrained
#             controller (a new draw per seed); NOT FLOPs-matched
#   random-flops  a random architecture within 5 % of the FLOPs of the
#             'full' variant's derived net at the same seed
# Sized for one CPU thread (about 25 min for the study): 64x48 inputs, 64
# training images (2/3 weight steps, 1/3 held out for the arch steps and the
# rewards), 5 search epochs, 4 retrain epochs. Both levels really search:
#   cells       arch Adam lr 0.1 without weight decay (DARTS's 1e-3 decay
#               kept the alphas near uniform at this size: measured on the
#               PoseNAS search, see configs/posenas/README.md)
#   branches    controller from epoch 1, 4 updates of 2 vectors per epoch
#               (16 updates), controller lr 5e-2, best of K=3
#   reward      PCK@0.2 (MMPose's PCKAccuracy) on 16 held-out TRAIN images:
#               at this size COCO AP is 0.0 (every retrained net of the
#               earlier run of this study had AP <= 0.0003), a reward
#               REINFORCE cannot learn from; the COCO configs keep the
#               paper's CocoMetric AP
# results.md lists how far every search moved both levels. After so little
# training COCO AP is ~0 for every variant, so the metric compared is
# PCK@0.2 of the bounding box on the report split; CocoMetric runs as well
# (its AP is in summary.json). The top-down (detector -> pose) step runs in
# the e2e test instead (--skip-topdown).
data = dict(num_train=64, num_val=16, seed=0)
seeds = [0, 1, 2]
search_epochs = 5
retrain_epochs = 4
flops_input_size = (48, 64)
metric = 'pck/PCK'

evaluators = [dict(type='CocoMetric'), dict(type='PCKAccuracy', thr=0.2, prefix='pck')]
retrain = {
    'optim_wrapper.optimizer.lr': 3e-3,
    'val_evaluator': evaluators,
    'test_evaluator': evaluators,
}
cells = {
    'train_cfg.search.arch_optimizer.lr': 0.1,
    'train_cfg.search.arch_optimizer.weight_decay': 0.0,
}
search = dict(
    cells, **{
        'train_cfg.search.reinforce.start_epoch': 1,
        'train_cfg.search.reinforce.updates_per_epoch': 4,
        'train_cfg.search.reinforce.derive_samples': 3,
        'train_cfg.search.reinforce.optimizer.lr': 5e-2,
        'train_cfg.search.reinforce.reward.evaluator': dict(_delete_=True, type='PCKAccuracy', thr=0.2, prefix='pck'),
        'train_cfg.search.reinforce.reward.metric': 'pck/PCK',
        'train_cfg.search.reinforce.reward.max_batches': 2,
    })
variants = [
    dict(name='full', search_config='../autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py', search_cfg_options=search, retrain_cfg_options=retrain),
    dict(name='single', search_config='../autopose-darts1-gumbel-reinforce_autopose-single_hm_1xb8-3e_synthcoco-64x48.py', search_cfg_options=search, retrain_cfg_options=retrain),
    dict(name='concat', search_config='../autopose-darts1-gumbel-reinforce_autopose-concat_hm_1xb8-3e_synthcoco-64x48.py', search_cfg_options=search, retrain_cfg_options=retrain),
    dict(name='all-on', search_config='../autopose-darts1-gumbel_autopose-allon_hm_1xb8-3e_synthcoco-64x48.py', search_cfg_options=cells,
         retrain_cfg_options=retrain),
    dict(
        name='random',
        search_config='../autopose-random-reinforce_autopose_hm_1xb8-1e_synthcoco-64x48.py',
        search_epochs=1,
        search_cfg_options={
            'train_cfg.search.random.seed': '{seed}',
            'train_cfg.search.reinforce.seed': '{seed}',
        },
        retrain_cfg_options=retrain),
    # a random architecture at the FLOPs of the 'full' variant's derived net
    # (same seed, within 5 %): uniform random op per edge and random branch
    # bits, redrawn until the retrained model matches (tools/derive_arch.py
    # --random SEED --match-gflops G; the draw's seed and trial are in the
    # genotype's meta)
    dict(name='random-flops', search_config='../autopose-darts1-gumbel-reinforce_autopose_hm_1xb8-3e_synthcoco-64x48.py',
         random_flops_of='full', retrain_cfg_options=retrain),
]
compare = [('full', 'single'), ('full', 'concat'), ('full', 'all-on'), ('full', 'random'), ('full', 'random-flops')]
