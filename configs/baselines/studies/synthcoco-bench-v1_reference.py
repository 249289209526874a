# The reference rows of synthcoco-bench-v1 (tools/run_nas_study.py): does the
# benchmark learn (baseline: test AP >= 0.5 with ground-truth boxes, at most
# 10 minutes of training on 2 CPU cores) and does it tell a clearly weaker
# net apart (the baseline at a quarter of its width)? 3 seeds, the
# benchmark's splits (train 4000 / val 500 / test 500 images; numbers on
# test only), the benchmark's one schedule (10 epochs).
#   python tools/run_nas_study.py configs/baselines/studies/synthcoco-bench-v1_reference.py \
#       --work-dir work_dirs/bench_v1_reference --threads 2
data = dict(preset='synthcoco-bench-v1', seed=0)
seeds = [0, 1, 2]
retrain_epochs = 10
flops_input_size = (96, 128)

variants = [
    dict(name='baseline', config='../td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py'),
    dict(name='weak-c8', config='../td-hm_res18s3-c8_hm_1xb32-10e_synthcoco-bench-v1-128x96.py'),
]
compare = [('baseline', 'weak-c8')]
