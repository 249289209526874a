# The weak baseline of synthcoco-bench-v1: the reference baseline
# (td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py) at a quarter
# of its width, same data, schedule and head layout. The benchmark must rank
# it below the baseline (README, benchmarks/nas_evidence.md).
_base_ = ['./td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py']

model = dict(
    backbone=dict(base_channels=8, stem_channels=8),
    head=dict(in_channels=32, deconv_out_channels=(16, 16)))
