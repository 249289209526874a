# P=1 (one fabric predicts every joint; the paper's whole-body baseline),
# otherwise as pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py.
_base_ = ['./pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py']

model = dict(head=dict(parts=1))
