# A derived AutoPose net (channels doubled: 32/64/128/256) retrained from
# scratch on COCO 256x192 with the paper's recipe. tools/derive_arch.py writes
# configs inheriting this one with the searched genotype; as shipped it uses
# genotypes/autopose_synthcoco-search.json, a genotype from a SHORT SYNTHETIC
# search (a placeholder that builds; the paper's searched cells were not
# released).
_base_ = ['./_base_autopose_coco-256x192.py']

model = dict(backbone=dict(genotype='{{ fileDirname }}/genotypes/autopose_synthcoco-search.json'))
