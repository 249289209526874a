# PNFS on synthetic COCO (tools/run_nas_study.py): the paper's ablations at
# CPU scale, every variant searched (or drawn) for the same number of
# epochs, exported (continuous alpha/beta, ops <= 1e-3 pruned) and retrained
# from scratch with the same data and schedule, at every seed:
#   P3         synchronous search, 3 parts (head / upper limb / lower limb)
#   P1         synchronous search, one fabric for all joints
#   random-P3  alpha/beta drawn from N(0, 1) (a new draw per seed), frozen
#   P3-d1      synchronous search, scalar heatmaps (d=1) instead of vectors
# then detector -> pose with P3.
data = dict(num_train=240, num_val=60, seed=0)
seeds = [0, 1]
search_epochs = 4
retrain_epochs = 20
flops_input_size = (96, 128)
derive = ['--prune-below', '1e-3']

variants = [
    dict(name='P3', search_config='../pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
         derive_args=derive),
    dict(name='P1', search_config='../pnfs-sync_mbv2_vip-p1-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
         derive_args=derive),
    dict(name='random-P3', search_config='../pnfs-random_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
         search_cfg_options={'train_cfg.search.random.seed': '{seed}'}, derive_args=derive),
    dict(name='P3-d1', search_config='../pnfs-sync_mbv2_vip-p3-c4-h1-d1_1xb16-20e_synthcoco-128x96.py',
         derive_args=derive),
]
topdown = dict(
    variant='P3',
    det_config='../../detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py',
    det_epochs=20,
    num_images=10,
    bbox_thr=0.1)
