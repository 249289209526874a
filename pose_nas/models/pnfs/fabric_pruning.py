# Copyright (c) pose_nas contributors. All rights reserved.
"""Which cells and source slots a derived (retrain) PNFS fabric keeps.

PNFS derives no discrete cell: the derived net keeps the continuous
mixture of the search (Pose Neural Fabrics Search, Yang et al.,
arXiv:1909.07068, Sec. III-F c, synchronous optimization). What is pruned
is what has weight exactly zero in the genotype (weights at or below the
derive threshold are stored as 0): a source slot whose ``beta`` weight is
zero is not built, and a cell whose output no kept cell reads any more is
removed, recursively from the last layer back to the first. A live cell
whose ``beta`` row is all zero is an error (no input); so is an all-zero
``alpha`` row (:class:`~.neural_fabric.NeuralFabric` checks it): an edge is
pruned by giving its weight to ``none``.
"""
from typing import Dict, List, NamedTuple, Optional, Sequence

import torch

from pose_nas.nas.genotype import GenotypeError
from .fabric_layout import Wiring


class FabricPruning(NamedTuple):
    """The result of :func:`prune_fabric`.

    Attributes:
        live_cells (List[str]): the cells that are built, in ``beta``'s row
            order (a subsequence of the wiring's keys).
        slots (Dict[str, List[int | None]]): for every live cell, the scale
            read by each ``(same, finer, coarser)`` slot, None where the
            slot's beta weight is zero (no transform is built).
        input_used (List[bool]): whether each fabric input is read by a live
            cell of the first kept layer.
    """
    live_cells: List[str]
    slots: Dict[str, List[Optional[int]]]
    input_used: List[bool]


def prune_fabric(wiring: Wiring, beta: torch.Tensor,
                 num_inputs: int) -> FabricPruning:
    """Prune a fabric's cells and source slots by the zeros of ``beta``.

    Walking the kept layers backwards, a cell lives if a live cell of the
    next layer reads it through a slot of non-zero weight; the cells of the
    last kept layer always live. A live cell whose three beta weights are
    all zero has no input: that is a genotype error.

    Args:
        wiring (dict): ``cell key -> (layer, scale, source scales)`` of every
            kept cell, in ``beta``'s row order
            (:func:`~.fabric_layout.fabric_wiring`).
        beta (Tensor): ``(num_cells, 3)`` non-negative weights, one row per
            cell of ``wiring``.
        num_inputs (int): tensors fed to the first kept layer.

    Returns:
        FabricPruning: the live cells, their slots and the used inputs.

    Raises:
        GenotypeError: a live cell has every beta weight zero.
    """
    keys = list(wiring)
    if tuple(beta.shape) != (len(keys), 3):
        raise GenotypeError(f'beta of shape {tuple(beta.shape)} does not fit '
                            f'{len(keys)} cells x 3 sources')
    beta_of = dict(zip(keys, beta))
    layers: List[int] = []
    cells_of: Dict[int, List[str]] = {}
    for key in keys:
        layer = wiring[key][0]
        if layer not in cells_of:
            layers.append(layer)
            cells_of[layer] = []
        cells_of[layer].append(key)

    def _reads(readers: Sequence[str], scale: int) -> bool:
        return any(s == scale for k in readers if live[k]
                   for s in slots[k] if s is not None)

    live: Dict[str, bool] = {}
    slots: Dict[str, List[Optional[int]]] = {}
    for idx in range(len(layers) - 1, -1, -1):
        for key in cells_of[layers[idx]]:
            _, scale, srcs = wiring[key]
            if idx == len(layers) - 1:
                live[key] = True
            else:
                live[key] = _reads(cells_of[layers[idx + 1]], scale)
            slots[key] = [
                s if float(w) > 0 else None
                for s, w in zip(srcs, beta_of[key])
            ]
            if live[key] and all(s is None for s in slots[key]):
                raise GenotypeError(
                    f'cell {key} has every beta weight zero: it has no '
                    'input')
    first = cells_of[layers[0]] if layers else []
    live_cells = [k for k in keys if live[k]]
    return FabricPruning(
        live_cells=live_cells,
        slots={k: slots[k]
               for k in live_cells},
        input_used=[_reads(first, i) for i in range(num_inputs)])
