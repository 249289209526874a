# PNFS with MobileNetV2 feature blocks, P=3 parts, C=10, H=1, d=8, six
# cells per part (the last 3 layers of an L=6 fabric), synchronous search:
# the configuration of the paper's MPII ablations (Tables II, III, VI;
# reported 3.3M params, 1.2 GFLOPs).
_base_ = ['./_base_pnfs_mpii-256x256.py']

model = dict(
    backbone=dict(
        type='MobileNetV2Features',
        widen_factor=1.,
        # the authors' feature blocks: 1/4 .. 1/32 = 24, 32, 96, 160 channels
        out_indices=(1, 2, 4, 5),
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2')),
    head=dict(
        in_channels=(24, 32, 96, 160),
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=10, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
