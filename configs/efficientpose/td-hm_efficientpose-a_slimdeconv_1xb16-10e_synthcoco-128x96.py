# The released EfficientPose-A (Zhang et al., CVM 2021) in the synthetic-data
# setting of td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py (same data, schedule and head
# recipe as the searched nets it is compared with).
_base_ = ['./td-hm_efficientpose_slimdeconv_1xb16-10e_synthcoco-128x96.py']

model = dict(
    backbone=dict(
        stages=((24, 4, 2), (32, 6, 2), (64, 8, 2), (96, 8, 1)),
        stem_channels=32,
        stem_out_channels=16,
        genotype='{{ fileDirname }}/genotypes/efficientpose_a.json'),
    head=dict(in_channels=96))
