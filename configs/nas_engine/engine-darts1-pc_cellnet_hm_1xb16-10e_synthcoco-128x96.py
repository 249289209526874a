# PC-DARTS (Xu et al., ICLR 2020) on the engine's reference space: first-order
# DARTS steps as in engine-darts1_*, with a quarter of every edge's channels
# through the candidate ops (the rest bypass them, then a channel shuffle)
# and edge normalisation over each node's inputs (arch_beta).
_base_ = ['./engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

train_cfg = dict(search=dict(strategy='darts1+pc', pc=dict(k=4, edge_norm=True)))
