# The paper's COCO "Ours-1" (Table VII): MobileNetV2 feature blocks, P=3,
# C=16, H=1, d=8, 384x288 (reported 6.1M params, 4.0 GFLOPs, test-dev AP
# 0.674) - the authors' released mobilenet_v2_CNFx3_coco_384x288 settings.
_base_ = ['./_base_pnfs_coco-384x288.py']

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
        fabric=dict(channel_factor=16, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
