# P=1 (one fabric predicts every joint; the paper's whole-body baseline),
# otherwise as pnfs_mbv2-p3-c4-h1-d8_search-sync_synthcoco-128x96.py.
_base_ = ['./pnfs_mbv2-p3-c4-h1-d8_search-sync_synthcoco-128x96.py']

model = dict(head=dict(parts=1))
