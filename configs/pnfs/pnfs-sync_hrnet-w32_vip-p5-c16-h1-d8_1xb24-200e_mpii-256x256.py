# PNFS on HRNet-W32 stem..stage 3, P=5, C=16, H=1, d=8 (the paper's Table V
# "Ours-b": 16.4M params, 9.4 GFLOPs reported; the authors' released config
# for it turns the vectors off, the paper says d=8).
_base_ = ['./_base_pnfs_mpii-256x256.py']

model = dict(
    backbone=dict(
        type='HRNetPyramid',
        # HRNet-W32 stem .. stage 3 (+ the 1/32 transition branch)
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/pretrain_models/hrnet_w32-36af842e.pth')),
    head=dict(
        in_channels=(32, 64, 128, 256),
        parts=5,
        vector_dim=8,
        fabric=dict(channel_factor=16, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
