# PNFS on HRNet-W32 stem..stage 3, P=3, C=12, H=2, d=8 (the paper's Table V
# "Ours-a": backbone 8.8M + fabrics 4.8M reported).
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
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=12, num_hidden=2, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
