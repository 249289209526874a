# The paper's COCO "Ours-2" (Table VII): ResNet-50 feature blocks, P=3,
# C=10, H=1, d=8, 384x288 (reported 27.5M params, 11.4 GFLOPs, test-dev AP
# 0.709).
_base_ = ['./_base_pnfs_coco-384x288.py']

model = dict(
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        in_channels=(256, 512, 1024, 2048),
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=10, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
