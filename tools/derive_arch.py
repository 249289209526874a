# Copyright (c) pose_nas contributors. All rights reserved.
"""Derive the discrete architecture from a search checkpoint.

Example::

    python tools/derive_arch.py \
        configs/nas_engine/engine-darts1_cellnet_hm_1xb16-10e_synthcoco-128x96.py \
        work_dirs/search/epoch_10.pth --out-dir work_dirs/derived

Writes one genotype file per searchable module (``genotype_backbone.json``)
and a retrain config (``<train config>_derived.py``) that inherits the
method's train config (the search config's ``retrain_config``, or
``--retrain-config``) with ``genotype=`` pointing at those files; then
builds the derived model once to check that the genotype fits it. Train it
with ``tools/train.py <that config>``.

The command line lives in :mod:`pose_nas.workflows.derive_cli` (also
``python -m pose_nas.workflows.derive_cli``); this script only runs it.
"""
from pose_nas.workflows.derive_cli import main

if __name__ == '__main__':
    main()
