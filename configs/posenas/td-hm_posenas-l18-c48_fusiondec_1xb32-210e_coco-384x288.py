# PoseNAS-L18-C48 (published architecture: PoseNAS, Bao et al., ACM MM 2020)
# on COCO 384x288, with Fusion-and-Enhancement (num_stages=2). Without it:
#   --cfg-options model.head.num_stages=1
_base_ = ['./_base_posenas_coco-384x288.py']

model = dict(
    backbone=dict(channels=48, num_layers=18),
    head=dict(in_channels=[96, 192, 384, 768]))
