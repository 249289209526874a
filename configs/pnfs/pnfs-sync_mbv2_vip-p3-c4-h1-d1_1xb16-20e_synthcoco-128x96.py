# d=1, the scalar-heatmap baseline of the vector-in-pixel ablation (the
# paper's Table VI): each part's 1x1 conv gives one channel per joint, used
# as the heatmap without the squash; otherwise as the P=3 synchronous search.
_base_ = ['./pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py']

model = dict(head=dict(vector_dim=1))
