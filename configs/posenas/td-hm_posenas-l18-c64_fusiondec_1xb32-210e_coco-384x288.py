# PoseNAS-L18-C64 (published architecture: PoseNAS, Bao et al., ACM MM 2020;
# the paper's best model, 33.6 M params) on COCO 384x288, with
# Fusion-and-Enhancement (num_stages=2).
_base_ = ['./_base_posenas_coco-384x288.py']

model = dict(
    backbone=dict(channels=64, num_layers=18),
    head=dict(in_channels=[128, 256, 512, 1024]))
