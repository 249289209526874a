# The released EfficientPose-A (Zhang et al., CVM 2021; genotype
# genotypes/efficientpose_a.json, 0.42 GFLOPs at 256x192) trained with
# synthcoco-bench-v1's one recipe: the "published" row of
# benchmarks/nas_evidence.md for EfficientPose.
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py']

model = dict(
    backbone=dict(
        stages=((24, 4, 2), (32, 6, 2), (64, 8, 2), (96, 8, 1)),
        stem_channels=32,
        stem_out_channels=16,
        genotype='{{ fileDirname }}/genotypes/efficientpose_a.json'),
    head=dict(in_channels=96))
