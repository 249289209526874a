# Copyright (c) pose_nas contributors. All rights reserved.
"""Layout of PNFS's cell-based neural fabric: constants and spec helpers.

Pose Neural Fabrics Search (Yang, Yang and Cui, arXiv:1909.07068; journal
version: "Searching part-specific neural fabrics for human pose
estimation", Pattern Recognition 2022), Sec. III-B/C.

A fabric is a grid of cells over ``L`` layers and 4 scales (index 0..3 =
1/4, 1/8, 1/16, 1/32 of the image; channels ``C * [4, 8, 16, 32]``). The
full fabric is diamond shaped: layer ``j`` (0-based) holds the cells of
scales ``0 .. n_j - 1`` with ``n_j = min(j + 2, 4, L - j)`` (L=6: 2, 3, 4, 3,
2, 1 cells). A *backbone* keeps the first ``m`` layers (its last layer is the
feature pyramid), a *subnetwork* keeps the last ``n`` layers and is fed a
feature pyramid in place of layer ``L - n - 1``'s outputs (Sec. III-C, Fig.
4).

A cell ``(s, l)`` reads three *sources* of the previous layer, in the
column order of ``beta`` (:data:`SOURCES`): ``same`` (scale ``s``),
``finer`` (scale ``s - 1``) and ``coarser`` (scale ``s + 1``). Missing
neighbours (footnote 2 of the paper, and the authors' code), with ``prev``
the previous layer's outputs (the stem output alone for the first layer):
``same = prev[s]`` if it exists, else ``prev[s - 1]``; ``finer = prev[s -
1]`` if ``s > 0``, else the ``same`` source; ``coarser = prev[s + 1]`` if it
exists, else the ``same`` source (:func:`source_indices`).
"""
import copy
from typing import Dict, List, Sequence, Tuple, Union

from pose_nas.nas.genotype import Genotype, GenotypeError, load_genotype
from pose_nas.nas.genotype_specs import continuous_spec

#: Number of scales of a fabric (1/4, 1/8, 1/16, 1/32).
NUM_SCALES = 4
#: Channel multipliers of the scales: a scale-``i`` node has ``C * m_i``.
SCALE_MULTIPLIERS = (4, 8, 16, 32)
#: The three input sources of a cell, in the column order of ``beta``.
SOURCES = ('same', 'finer', 'coarser')
#: Candidate ops of a backbone fabric (Pose Neural Fabrics Search,
#: Sec. III-B: zero, skip, 3x3 separable conv, 3x3 dilated conv, 3x3 average
#: and max pooling).
BACKBONE_CANDIDATES = ('none', 'skip_connect', 'sep_conv_3x3',
                       'dil_sep_conv_3x3', 'avg_pool_3x3', 'max_pool_3x3')
#: Candidate ops of a subnetwork fabric: no pooling (Sec. III-C).
SUBNET_CANDIDATES = ('none', 'skip_connect', 'sep_conv_3x3',
                     'dil_sep_conv_3x3')
#: The space name of a fabric's own genotype.
FABRIC_SPACE = 'NeuralFabric'
#: Structural hyper-parameters recorded in a genotype's meta and checked
#: against the model when present.
STRUCTURE_KEYS = ('num_hidden', 'num_layers', 'keep', 'num_kept_layers')

#: ``cell key -> (layer, scale, scales read by the (same, finer, coarser)
#: slots)``, in ``beta``'s row order (see :func:`fabric_wiring`).
Wiring = Dict[str, Tuple[int, int, Tuple[int, int, int]]]


def fabric_layer_sizes(num_layers: int) -> List[int]:
    """Cells per layer of the full diamond-shaped fabric:
    ``min(j + 2, 4, L - j)`` for layer ``j`` (L=6: ``[2, 3, 4, 3, 2, 1]``).
    """
    if num_layers < 1:
        raise ValueError(f'num_layers must be >= 1, got {num_layers}')
    return [min(j + 2, NUM_SCALES, num_layers - j) for j in range(num_layers)]


def num_fabric_edges(num_hidden: int) -> int:
    """Edges of a cell with ``H`` hidden nodes: ``H (H + 1) / 2``."""
    if num_hidden < 1:
        raise ValueError(f'num_hidden must be >= 1, got {num_hidden}')
    return num_hidden * (num_hidden + 1) // 2


def kept_layers(num_layers: int, keep: str,
                num_kept_layers: int) -> List[int]:
    """Indices of the layers a fabric keeps (``'first'``: ``0..m-1``,
    ``'last'``: ``L-n..L-1``)."""
    if keep not in ('first', 'last'):
        raise ValueError(f"keep must be 'first' or 'last', got {keep!r}")
    if not 1 <= num_kept_layers <= num_layers:
        raise ValueError(f'num_kept_layers must be in [1, {num_layers}], '
                         f'got {num_kept_layers}')
    if keep == 'first':
        return list(range(num_kept_layers))
    return list(range(num_layers - num_kept_layers, num_layers))


def source_indices(scale: int, num_prev: int) -> Tuple[int, int, int]:
    """Scales of the previous-layer tensors read by a cell at ``scale``
    through its ``(same, finer, coarser)`` slots, where the previous layer
    (or the fabric input) holds scales ``0 .. num_prev - 1``."""
    if not 0 <= scale <= num_prev:
        raise ValueError(f'a cell at scale {scale} cannot follow a layer '
                         f'with {num_prev} scales')
    same = scale if scale < num_prev else scale - 1
    finer = scale - 1 if scale > 0 else same
    coarser = scale + 1 if scale + 1 < num_prev else same
    return same, finer, coarser


def fabric_wiring(layers: Sequence[int], layer_sizes: Sequence[int],
                  num_inputs: int) -> Wiring:
    """Every kept cell ``'l{layer}_s{scale}'`` (layer-major, finest scale
    first: ``beta``'s row order) -> ``(layer, scale, source scales)``.

    Args:
        layers (Sequence[int]): the kept layers, consecutive.
        layer_sizes (Sequence[int]): cells per layer of the full fabric.
        num_inputs (int): tensors fed to the first kept layer.
    """
    wiring: Wiring = {}
    prev = num_inputs
    for j in layers:
        for i in range(layer_sizes[j]):
            wiring[f'l{j}_s{i}'] = (j, i, source_indices(i, prev))
        prev = layer_sizes[j]
    return wiring


def fabric_genotype_spec(num_hidden: int,
                         num_layers: int,
                         keep: str,
                         num_kept_layers: int,
                         candidates: Sequence[str],
                         prefix: str = '') -> Dict[str, dict]:
    """The genotype components a fabric expects, named ``prefix + 'alpha'``
    and ``prefix + 'beta'`` (a parent combining several fabrics uses e.g.
    ``prefix='head/'``)."""
    num_cells = sum(
        fabric_layer_sizes(num_layers)[j]
        for j in kept_layers(num_layers, keep, num_kept_layers))
    return {
        f'{prefix}alpha':
        continuous_spec((num_fabric_edges(num_hidden), len(candidates)),
                        candidates),
        f'{prefix}beta':
        continuous_spec((num_cells, len(SOURCES)), SOURCES, op_names=False),
    }


def select_fabric_components(genotype: Union[str, dict, Genotype],
                             prefix: str = '') -> Dict[str, dict]:
    """The ``alpha`` / ``beta`` components of one fabric, taken from a
    (possibly combined) genotype's components ``prefix + 'alpha'`` and
    ``prefix + 'beta'``; the result is what ``NeuralFabric(genotype=...)``
    accepts."""
    if isinstance(genotype, dict) and 'components' not in genotype:
        comps = genotype
    else:
        comps = load_genotype(genotype).components
    out = {}
    for name in ('alpha', 'beta'):
        key = f'{prefix}{name}'
        if key not in comps:
            raise GenotypeError(
                f'genotype has no component {key!r}; it has {sorted(comps)}')
        out[name] = copy.deepcopy(comps[key])
    return out
