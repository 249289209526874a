# Copyright (c) pose_nas contributors. All rights reserved.
"""The released EfficientPose architectures A, B and C (SPEC 3.4, from the
paper's figures): stage layouts and block choices."""
from typing import Dict, List

from pose_nas.nas.genotype import Genotype
from .efficientpose_backbone import released_genotype


def _expand(spec: str) -> List[str]:
    """``'k3e6/s2 k7e3 x3 skip'`` -> ``['k3e6', 'k7e3', 'k7e3', 'k7e3',
    'skip']`` (``/s2`` marks the strided first block and is dropped)."""
    out: List[str] = []
    for tok in spec.split():
        if tok.startswith('x') and tok[1:].isdigit():
            out.extend([out[-1]] * (int(tok[1:]) - 1))
        else:
            out.append(tok.split('/')[0])
    return out


#: name -> backbone arguments (without genotype) and the block list
RELEASED: Dict[str, dict] = dict(
    A=dict(
        stem_out_channels=16,
        stages=((24, 4, 2), (32, 6, 2), (64, 8, 2), (96, 8, 1)),
        blocks=_expand('k3e6/s2 k7e3 k3e6 k3e3 '
                       'k3e6/s2 k3e3 k5e3 k3e3 k3e3 k3e3 '
                       'k5e6/s2 k7e3 x7 '
                       'k5e6 k5e6 k7e6 k5e6 k7e3 k7e3 k7e3 k7e6')),
    B=dict(
        stem_out_channels=24,
        stages=((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1)),
        blocks=_expand('k3e6/s2 k3e6 k5e3 k7e3 k5e3 k7e3 '
                       'k5e6/s2 k5e3 k7e3 x6 '
                       'k7e6/s2 k5e6 k5e6 k7e3 k7e3 k3e6 k7e3 k7e6 k7e6 k7e3 '
                       'k7e3 x6 skip k7e3 k7e6 k7e3')),
    C=dict(
        stem_out_channels=24,
        stages=((32, 6, 2), (64, 8, 2), (96, 10, 2), (160, 10, 1)),
        blocks=_expand('k5e3/s2 k3e6 k3e3 k3e3 skip k5e3 '
                       'k3e6/s2 k7e6 k5e6 k3e6 k5e6 k3e6 k3e6 k3e6 '
                       'k7e6/s2 k7e6 x7 k7e3 k7e6 '
                       'k7e6 k7e6 k7e3 k7e3 k7e6 x6')),
)


def released_arch(name: str) -> dict:
    """Backbone kwargs (``stages``, ``stem_out_channels``, ``genotype``) of
    the released architecture ``name`` (``'A'``, ``'B'`` or ``'C'``)."""
    if name not in RELEASED:
        raise KeyError(f'unknown EfficientPose architecture {name!r}; '
                       f'released: {sorted(RELEASED)}')
    spec = RELEASED[name]
    genotype: Genotype = released_genotype(spec['blocks'], spec['stages'])
    genotype.meta.update(source=f'EfficientPose-{name} (paper, SPEC 3.4)')
    return dict(
        stages=spec['stages'],
        stem_out_channels=spec['stem_out_channels'],
        genotype=genotype.to_dict())
