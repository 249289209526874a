# The random baseline of the paper's Table II: alpha/beta from N(0, 1),
# frozen; only the weights train. The paper ran 5 seeds:
#   --cfg-options train_cfg.search.random.seed=1 ... 4
_base_ = ['./pnfs-sync_mbv2_vip-p3-c10-h1-d8_1xb24-200e_mpii-256x256.py']

train_cfg = dict(type='NASEpochBasedTrainLoop', search=dict(_delete_=True, strategy='random', random=dict(seed=0)))
