# Copyright (c) pose_nas contributors. All rights reserved.
"""The one owner of a model's architecture state.

Learned from MMRazor's *mutator* (a component that, given a supernet, finds
its searchable parts and reads / sets their choices), without depending on
it. :class:`ArchMutator` is what the strategy hooks, the genotype logger,
the derive step and the study tool go through:

- it finds the searchable modules (:class:`~pose_nas.nas.arch.SearchableMixin`)
  and their ``arch_*`` parameters;
- it reads and sets the current discrete choices: controller decisions (the
  path sampled for this step, and the controller's greedy / best vectors),
  budget choices (the projection of the distribution onto a compute
  budget), the :class:`~pose_nas.nas.mixed_op.MixedOp` mode;
- it derives the genotype of every searchable module with the one rule
  that says which choices make the current architecture
  (:meth:`ArchMutator.derive_kwargs`);
- it reports softmax weights and entropies.

During training the hooks share one mutator per model
(:meth:`ArchMutator.of`); at derive time one is rebuilt from a search
checkpoint (:meth:`ArchMutator.load_nas_state`).
"""
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .arch import (SearchableMixin, find_searchable, is_arch_param_name,
                   named_arch_parameters, normalized_entropy, unwrap_model,
                   weight_parameters)
from .genotype import Genotype
from .mixed_op import set_mixed_op_attr

_ATTR = '_pose_nas_arch_mutator'


class ArchMutator:
    """Finds, reads and sets the architecture state of a model.

    Args:
        model (nn.Module): a model (wrappers such as DDP are unwrapped).

    Attributes:
        searchable (dict): qualified module name (``''`` for the model
            itself) -> outermost :class:`SearchableMixin` submodule.
        decision_record (dict | None): the controller's last summary
            (``choices``, ``probs``, ``greedy``, ``best``), as recorded by
            :meth:`record_decisions`.
        budget_record (dict | None): ``target`` and ``choices`` of the last
            projection onto a compute budget (:meth:`record_budget`).
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = unwrap_model(model)
        self.searchable: Dict[str, SearchableMixin] = find_searchable(
            self.model)
        self.decision_record: Optional[Dict[str, Any]] = None
        self.budget_record: Optional[Dict[str, Any]] = None

    @classmethod
    def of(cls, model: nn.Module) -> 'ArchMutator':
        """The mutator shared by everything that works on ``model`` (one
        per unwrapped model, created on first use)."""
        model = unwrap_model(model)
        mutator = model.__dict__.get(_ATTR)
        if mutator is None:
            mutator = cls(model)
            model.__dict__[_ATTR] = mutator
        return mutator

    # -- parameters ---------------------------------------------------------
    def named_arch_parameters(self) -> Iterator[Tuple[str, nn.Parameter]]:
        return named_arch_parameters(self.model)

    def arch_parameters(self) -> List[nn.Parameter]:
        return [p for _, p in self.named_arch_parameters()]

    def weight_parameters(self) -> List[nn.Parameter]:
        return weight_parameters(self.model)

    # -- discrete decisions -------------------------------------------------
    def decision_module(self, target: Optional[str] = None
                        ) -> Tuple[str, SearchableMixin]:
        """The searchable module with discrete decisions: ``target`` (its
        qualified name) or the first one with a non-empty
        ``decision_space()``."""
        if target is not None:
            module = dict(self.model.named_modules()).get(target)
            if not isinstance(module, SearchableMixin):
                raise KeyError(f'{target!r} is not a searchable module of '
                               f'{type(self.model).__name__}; searchable: '
                               f'{sorted(self.searchable)}')
            if not module.decision_space():
                raise RuntimeError(f'{target!r} has no discrete decisions')
            return target, module
        for name, module in self.searchable.items():
            if module.decision_space():
                return name, module
        raise RuntimeError(
            f'{type(self.model).__name__} has no searchable module with '
            'discrete decisions (decision_space() is empty everywhere)')

    def apply_decisions(self, decisions: Optional[Sequence[int]],
                        target: Optional[str] = None) -> None:
        """Set the path the next forward runs (None: every choice open)."""
        self.decision_module(target)[1].apply_decisions(decisions)

    def record_decisions(self, summary: Dict[str, Any]) -> None:
        """Keep the controller's summary; its ``best`` vector (else
        ``greedy``) is what derivation uses."""
        self.decision_record = dict(summary)

    def derived_decisions(self) -> Optional[List[int]]:
        """The decisions of the current genotype: the controller's best of K
        if it has one, else its greedy vector, else None."""
        rec = self.decision_record
        if not rec:
            return None
        if rec.get('best') is not None:
            return list(rec['best'])
        if rec.get('greedy') is not None:
            return list(rec['greedy'])
        return None

    # -- compute budget -----------------------------------------------------
    def budget_module(self) -> Tuple[str, SearchableMixin]:
        """The searchable module that has a cost table."""
        for name, module in self.searchable.items():
            if module.supports_budget:
                return name, module
        raise RuntimeError(
            'budget-aware search needs a searchable module with a cost table '
            f'(e.g. EfficientPoseBackbone); {type(self.model).__name__} has '
            f'none among {[type(m).__name__ for m in self.searchable.values()]}')

    def record_budget(self, target: float, choices: Sequence[int]) -> None:
        """Keep the projection of the distribution onto a budget: the
        candidate index per position of the budget module."""
        self.budget_record = dict(target=float(target),
                                  choices=[int(c) for c in choices])

    # -- MixedOp mode -------------------------------------------------------
    def set_mixed_op(self, **attrs) -> int:
        """Set ``mode`` / ``tau`` / ``hard`` on every searchable
        :class:`MixedOp`; returns how many edges changed."""
        return set_mixed_op_attr(self.model, **attrs)

    # -- checkpoints --------------------------------------------------------
    def load_nas_state(self, nas_state: Optional[Dict[str, Any]]) -> None:
        """Read the recorded choices from a search checkpoint's
        ``nas_state`` (what the strategy hooks saved)."""
        nas_state = nas_state or {}
        reinforce = nas_state.get('reinforce')
        if reinforce:
            best = reinforce.get('best') or {}
            self.record_decisions(
                dict(greedy=reinforce.get('greedy'),
                     best=best.get('decisions')))
        budget = (nas_state.get('darts') or {}).get('budget')
        if budget:
            self.record_budget(budget['target'], budget['choices'])

    # -- genotype -----------------------------------------------------------
    def derive_kwargs(self, module: SearchableMixin) -> Dict[str, Any]:
        """The one rule of which recorded choices make a module's current
        genotype: the controller's decisions for a module with discrete
        decisions; the budget projection for a module with a cost table."""
        kwargs: Dict[str, Any] = {}
        decisions = self.derived_decisions()
        if decisions is not None and module.decision_space():
            kwargs['decisions'] = decisions
        if self.budget_record is not None and module.supports_budget:
            kwargs['choices'] = self.budget_record['choices']
            kwargs['budget_flops'] = self.budget_record['target']
        return kwargs

    def derive_genotypes(self, **kwargs) -> Dict[str, Genotype]:
        """Genotype of every searchable module; ``kwargs`` (e.g.
        ``prune_below``, ``k``, meta such as ``epoch``) go to every
        ``derive_genotype`` and override the recorded choices.

        Raises:
            RuntimeError: a searchable module has none, or an architecture
                parameter has NaN / Inf values (a diverged search: no
                genotype is derived from it).
        """
        if not self.searchable:
            raise RuntimeError(
                f'{type(self.model).__name__} has no searchable module (was '
                'it built with genotype= already?)')
        self.check_finite()
        out = {}
        for name, module in self.searchable.items():
            full = self.derive_kwargs(module)
            full.update(kwargs)
            out[name] = module.derive_genotype(**full)
        return out

    def check_finite(self) -> None:
        """Raise a RuntimeError naming the first architecture parameter of
        a searchable module that has NaN / Inf values."""
        for prefix, module in self.searchable.items():
            for pname, p in module.named_parameters():
                if is_arch_param_name(pname) and not bool(
                        torch.isfinite(p.detach()).all()):
                    full = f'{prefix}.{pname}' if prefix else pname
                    raise RuntimeError(
                        f'architecture parameter {full} has NaN/Inf values '
                        '(the search diverged?); refusing to derive: use '
                        'an earlier checkpoint')

    # -- observation --------------------------------------------------------
    def arch_state(self) -> Dict[str, Dict[str, Any]]:
        """Qualified arch-parameter name -> ``labels`` (column names),
        ``weights`` (softmax along the last dim, as lists) and ``entropy``
        (normalized: 0 = decided, 1 = uniform)."""
        out: Dict[str, Dict[str, Any]] = {}
        for prefix, module in self.searchable.items():
            labels = module.arch_labels()
            for pname, p in module.named_parameters():
                if not is_arch_param_name(pname):
                    continue
                full = f'{prefix}.{pname}' if prefix else pname
                out[full] = dict(
                    labels=labels.get(pname,
                                      [str(i) for i in range(p.shape[-1])]),
                    weights=p.detach().float().softmax(-1).tolist(),
                    entropy=normalized_entropy(p.detach()))
        return out

    def entropy(self) -> Dict[str, float]:
        """Qualified arch-parameter name -> normalized entropy."""
        return {k: v['entropy'] for k, v in self.arch_state().items()}

