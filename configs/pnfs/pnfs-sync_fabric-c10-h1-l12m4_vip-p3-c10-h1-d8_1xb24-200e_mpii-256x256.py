# PNFS with a neural-fabric backbone (no ImageNet weights): a two-conv stem
# to 1/4, then the first 4 layers of an L=12 fabric (C=10, H=1, all six ops
# incl. pooling, its own alpha/beta) -> 4-scale pyramid -> P=3 part fabrics.
# The backbone settings are the authors' released (inactive) fabric-backbone
# config; the paper's Fabric-1/2/3 backbones (5.8/6.8/10.5M) are not
# specified, see the README.
_base_ = ['./_base_pnfs_mpii-256x256.py']

model = dict(
    backbone=dict(type='FabricBackbone', channel_factor=10, num_hidden=1, num_layers=12, num_kept_layers=4),
    head=dict(
        in_channels=(40, 80, 160, 320),
        parts=3,
        vector_dim=8,
        fabric=dict(channel_factor=10, num_hidden=1, num_layers=6, num_kept_layers=3,
                    candidates={{_base_.fabric_ops}})))
