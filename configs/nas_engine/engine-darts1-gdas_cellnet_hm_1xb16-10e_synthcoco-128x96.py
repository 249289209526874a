# Single-path search (GDAS, Dong & Yang, CVPR 2019) on the engine's reference
# space: every edge runs one op per step, drawn from the hard Gumbel-softmax
# of its logits (tau 10 -> 0.1, linear); weight steps on the train part,
# arch steps on the held-out part of train (the DARTS split of
# engine-darts1_*), each on one sampled path. Cost per step: see
# benchmarks/search_cost.md.
_base_ = ['./engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py']

train_cfg = dict(
    search=dict(
        strategy='darts1+gdas',
        gdas=dict(tau_start=10.0, tau_end=0.1, schedule='linear')))
