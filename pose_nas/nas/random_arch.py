# Copyright (c) pose_nas contributors. All rights reserved.
"""Random architectures: the draw every random baseline uses.

One rule for every search space, so that a random baseline means the same
thing for every method:

- every architecture parameter (``arch_*``, in name order) is drawn from
  ``N(0, std^2)``; the derive rule of the space then picks from it (argmax
  of i.i.d. normals = a uniformly random op per edge, the top-k incoming
  edges of a node = a uniformly random k-subset);
- every discrete decision (``decision_space()``, e.g. AutoPose's branch
  bits) is drawn uniformly.

:class:`~pose_nas.engine.hooks.RandomArchHook` (the ``random`` strategy)
draws the parameters this way; :func:`draw_random_arch` also draws the
decisions and is what ``tools/derive_arch.py --random`` uses, including its
FLOPs-matched variant (:mod:`pose_nas.apis.random_arch`).

:func:`mutate_random_arch` is one step of a random walk over the same
architectures (one edge's logits or one decision redrawn by the same rule):
the FLOPs matching walks with it when plain redraws never reach a target in
the tail of the cost distribution.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .genotype import Genotype
from .mutator import ArchMutator


def randomize_arch_parameters(named: Sequence[Tuple[str, nn.Parameter]],
                              generator: torch.Generator,
                              std: float = 1.0) -> None:
    """Overwrite ``named`` (``(name, parameter)`` pairs) in name order with
    ``N(0, std^2)`` draws from ``generator`` (in place, no autograd)."""
    with torch.no_grad():
        for _, p in sorted(named, key=lambda kv: kv[0]):
            p.copy_(
                torch.randn(p.shape, generator=generator, dtype=p.dtype) *
                std)


def random_decisions(space: Sequence[int],
                     generator: torch.Generator) -> List[int]:
    """One uniform draw per discrete decision (``space``: choice counts)."""
    return [
        int(torch.randint(int(n), (1, ), generator=generator))
        for n in space
    ]


def draw_random_arch(mutator: ArchMutator,
                     generator: torch.Generator,
                     std: float = 1.0,
                     **derive_kwargs) -> Dict[str, Genotype]:
    """Draw a random architecture into ``mutator``'s model and derive it.

    The architecture parameters get ``N(0, std^2)``; a module with discrete
    decisions gets uniform ones (recorded as the controller's ``best``, the
    choice derivation uses). ``derive_kwargs`` go to every
    ``derive_genotype`` (e.g. ``k``).

    Returns:
        dict: qualified module name -> :class:`Genotype`.
    """
    named = list(mutator.named_arch_parameters())
    if not named:
        raise RuntimeError(f'{type(mutator.model).__name__} has no '
                           'architecture parameters to draw')
    randomize_arch_parameters(named, generator, std)
    spaces = [m.decision_space() for m in mutator.searchable.values()]
    spaces = [s for s in spaces if s]
    if len(spaces) > 1:
        raise RuntimeError('a random draw supports one searchable module '
                           f'with discrete decisions, found {len(spaces)}')
    mutator.record_decisions(
        dict(best=random_decisions(spaces[0], generator)) if spaces else {})
    mutator.budget_record = None  # a random draw, not a budget projection
    return mutator.derive_genotypes(**derive_kwargs)


def arch_slots(mutator: ArchMutator) -> List[Tuple[str, int]]:
    """What one walk step may redraw: ``(name, row)`` per row of every
    architecture parameter (one edge's op logits; a 1-d parameter is one
    row) and ``('decision', i)`` per discrete decision."""
    slots = [(name, row)
             for name, p in sorted(mutator.named_arch_parameters(),
                                   key=lambda kv: kv[0])
             for row in range(p.shape[0] if p.dim() > 1 else 1)]
    decisions = mutator.derived_decisions() or []
    return slots + [('decision', i) for i in range(len(decisions))]


def mutate_random_arch(mutator: ArchMutator,
                       generator: torch.Generator,
                       std: float = 1.0,
                       **derive_kwargs) -> Dict[str, Genotype]:
    """Redraw one uniformly chosen slot of :func:`arch_slots` (a parameter
    row from ``N(0, std^2)``, a decision uniformly) and derive again.

    The proposal is symmetric, so a walk that accepts exactly the steps that
    stay inside a set of architectures samples that set uniformly in the
    limit. Undo a step with :func:`arch_snapshot` / :func:`restore_arch`.
    """
    slots = arch_slots(mutator)
    name, row = slots[int(torch.randint(len(slots), (1, ),
                                        generator=generator))]
    if name == 'decision':
        decisions = mutator.derived_decisions()
        space = [m.decision_space() for m in mutator.searchable.values()]
        space = [s for s in space if s][0]
        decisions[row] = random_decisions([space[row]], generator)[0]
        mutator.record_decisions(dict(best=decisions))
    else:
        p = dict(mutator.named_arch_parameters())[name]
        with torch.no_grad():
            target = p[row] if p.dim() > 1 else p
            target.copy_(torch.randn(target.shape, generator=generator,
                                     dtype=p.dtype) * std)
    return mutator.derive_genotypes(**derive_kwargs)


def arch_snapshot(mutator: ArchMutator) -> Dict[str, object]:
    """A copy of the architecture parameters and decisions."""
    return dict(params={n: p.detach().clone()
                        for n, p in mutator.named_arch_parameters()},
                decisions=mutator.derived_decisions())


def restore_arch(mutator: ArchMutator, snapshot: Dict[str, object],
                 **derive_kwargs) -> Dict[str, Genotype]:
    """Put a :func:`arch_snapshot` back and derive it again."""
    with torch.no_grad():
        for name, p in mutator.named_arch_parameters():
            p.copy_(snapshot['params'][name])
    decisions: Optional[List[int]] = snapshot['decisions']
    mutator.record_decisions(dict(best=decisions) if decisions else {})
    return mutator.derive_genotypes(**derive_kwargs)
