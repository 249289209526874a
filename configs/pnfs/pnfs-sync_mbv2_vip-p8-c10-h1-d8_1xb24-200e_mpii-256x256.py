# P=8 parts (the best of the paper's Table III); otherwise as the P=3
# MobileNetV2 MPII config.
_base_ = ['./pnfs-sync_mbv2_vip-p3-c10-h1-d8_1xb24-200e_mpii-256x256.py']

model = dict(head=dict(parts=8))
