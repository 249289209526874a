# EfficientPose-B (released architecture: EfficientPose, Zhang et al., CVM 2021) on MPII 256x256.
_base_ = ['./_base_efficientpose_mpii-256x256.py']

model = dict(
    backbone=dict(
        stages=((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1)),
        stem_channels=32,
        stem_out_channels=24,
        genotype='{{ fileDirname }}/genotypes/efficientpose_b.json'),
    head=dict(in_channels=160))
