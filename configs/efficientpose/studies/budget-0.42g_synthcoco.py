# EfficientPose on synthetic COCO (tools/run_nas_study.py): at the budget
# of the released EfficientPose-A (0.42 GFLOPs at 256x192, MMEngine's
# counter), compare
#   searched   budget-aware first-order DARTS search -> projection onto the
#              budget -> retrain from scratch
#   random     seeded N(0, 1) architecture logits (a new draw per seed),
#              projected onto the same budget -> retrain from scratch
#   released-A the authors' EfficientPose-A -> train from scratch
# with the same data, schedule and head, at every seed; then detector ->
# pose with the searched net.
data = dict(num_train=300, num_val=60, seed=0)
seeds = [0, 1]
retrain_epochs = 20
flops_input_size = (192, 256)
budget_gflops = 0.42

variants = [
    dict(
        name='searched',
        search_config='../efficientpose-darts1-budget0.6g_efficientpose_slimdeconv_1xb8-10e_synthcoco-128x96.py',
        search_epochs=3,
        search_cfg_options={
            'train_cfg.search.darts.budget.target': budget_gflops * 1e9,
            # the supernet is ~6x the derived net: search on the first 64
            # training images (the same 2:1 split for weights and arch)
            'train_dataloader.dataset.dataset.indices': 64,
            'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices': 64,
        }),
    dict(
        name='random',
        search_config='../efficientpose-random_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py',
        search_epochs=1,  # the weights are not kept, only the random draw
        search_cfg_options={
            'train_cfg.search.random.seed': '{seed}',
            'train_dataloader.dataset.indices': 32,
        },
        derive_args=['--budget-gflops', budget_gflops]),
    dict(name='released-A', config='../td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py'),
]
topdown = dict(
    variant='searched',
    det_config='../../detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py',
    det_epochs=20,
    num_images=10,
    bbox_thr=0.1)
