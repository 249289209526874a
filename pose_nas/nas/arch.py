# Copyright (c) pose_nas contributors. All rights reserved.
"""Architecture parameters: one naming convention, helpers around it.

**Convention.** An architecture parameter is an ``nn.Parameter`` registered
under an attribute whose name starts with ``arch_`` (``arch_alpha_normal``,
``arch_beta``, ...), or inside a container so named (the edge
normalisation weights ``cells.0.arch_beta.node1`` of a PC-DARTS cell). Its
qualified name therefore has a component starting with ``arch_``; every
other parameter is a weight. The optimizer constructor,
the strategy hooks, the genotype logger and the derive tool all recognise
architecture parameters by this rule and nothing else, so a weight can never
be mistaken for one and vice versa.

A searchable module additionally implements :class:`SearchableMixin`
(``derive_genotype``, ``genotype_spec``, optional capabilities: discrete
decisions for a controller, a cost table for budgets).
"""
import math
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import is_model_wrapper

ARCH_PREFIX = 'arch_'


def is_arch_param_name(name: str) -> bool:
    """Whether a qualified parameter name denotes an architecture param."""
    return any(part.startswith(ARCH_PREFIX) for part in name.split('.'))


def unwrap_model(model: nn.Module) -> nn.Module:
    """Strip MMEngine / torch model wrappers (DDP, FSDP...)."""
    return model.module if is_model_wrapper(model) else model


def named_arch_parameters(
        model: nn.Module) -> Iterator[Tuple[str, nn.Parameter]]:
    """Yield ``(name, param)`` for every architecture parameter, in
    registration order."""
    for name, param in unwrap_model(model).named_parameters():
        if is_arch_param_name(name):
            yield name, param


def arch_parameters(model: nn.Module) -> List[nn.Parameter]:
    """The architecture parameters of ``model`` (see the convention)."""
    return [p for _, p in named_arch_parameters(model)]


def named_weight_parameters(
        model: nn.Module) -> Iterator[Tuple[str, nn.Parameter]]:
    """Yield ``(name, param)`` for every parameter that is not an
    architecture parameter."""
    for name, param in unwrap_model(model).named_parameters():
        if not is_arch_param_name(name):
            yield name, param


def weight_parameters(model: nn.Module) -> List[nn.Parameter]:
    """The ordinary (non-architecture) parameters of ``model``."""
    return [p for _, p in named_weight_parameters(model)]


def softmax_entropy(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Mean entropy (nats) of ``softmax(logits)`` along ``dim``.

    Args:
        logits (Tensor): e.g. ``(num_edges, num_ops)``.

    Returns:
        Tensor: scalar, the mean over the other dimensions.
    """
    logp = F.log_softmax(logits.detach().float(), dim=dim)
    return -(logp.exp() * logp).sum(dim=dim).mean()


def normalized_entropy(logits: torch.Tensor, dim: int = -1) -> float:
    """:func:`softmax_entropy` divided by ``log(n)``: 1 = uniform,
    0 = one-hot."""
    n = logits.shape[dim]
    if n <= 1:
        return 0.0
    return float(softmax_entropy(logits, dim) / math.log(n))


def arch_weights(logits: torch.Tensor,
                 mode: str = 'softmax',
                 tau: float = 1.0,
                 hard: bool = False,
                 dim: int = -1) -> torch.Tensor:
    """Turn architecture logits into mixing weights.

    Args:
        logits (Tensor): ``(..., num_ops)`` architecture logits.
        mode (str): ``'softmax'`` (DARTS) or ``'gumbel'`` (Gumbel-softmax,
            one sample of Gumbel noise per call from torch's global RNG).
        tau (float): Gumbel-softmax temperature.
        hard (bool): straight-through one-hot sample (``'gumbel'`` only).

    Returns:
        Tensor: weights of the same shape, summing to one along ``dim``.
    """
    if mode == 'softmax':
        return F.softmax(logits, dim=dim)
    if mode == 'gumbel':
        if tau <= 0:
            raise ValueError(f'Gumbel temperature must be > 0, got {tau}')
        return F.gumbel_softmax(logits, tau=tau, hard=hard, dim=dim)
    raise ValueError(f"mode must be 'softmax' or 'gumbel', got {mode!r}")


class SearchableMixin:
    """What a search space declares to the engine.

    A searchable module owns ``arch_*`` parameters (or discrete decisions)
    and implements:

    - :meth:`derive_genotype`: the discrete architecture (a
      :class:`~pose_nas.nas.genotype.Genotype`) for the current parameters;
    - :meth:`genotype_spec`: what a genotype for this module must look like
      (used to validate ``genotype=`` before building).

    Optional capabilities, each with a default here, so that the engine
    asks the module instead of probing it with ``hasattr``:

    - discrete decisions for a controller: :meth:`decision_space`,
      :meth:`apply_decisions`, :meth:`current_decisions`;
    - compute budgets: :meth:`cost_table` / :meth:`cost_logits`
      (:attr:`supports_budget` says whether the module implements them);
    - column labels of its architecture parameters: :meth:`arch_labels`.

    :class:`~pose_nas.nas.mutator.ArchMutator` is the one component that
    drives these methods during a search and at derive time.

    Two declarations, for users' inputs:

    - :attr:`derive_options`: the derive options (``tools/derive_arch.py``
      flags, ``derive_kwargs``) the space's genotype rule takes; an option
      no searchable module of a model takes is an error, not ignored;
    - :meth:`register_checkpoint_check` (one call in ``__init__``, after
      the base class's ``__init__``): loading a checkpoint that lacks any
      of the module's weights is an error
      (:mod:`pose_nas.nas.checkpoint_check`).
    """

    #: derive options of the genotype rule, e.g. ``('k', )`` for DARTS
    #: cells, ``('prune_below', )`` for continuous (PNFS) spaces
    derive_options: Tuple[str, ...] = ()

    #: smallest K of a controller's best-of-K derivation the space accepts
    #: (AutoPose's rule is best-of-K, so 1; 0 allows the greedy decision)
    min_derive_samples: int = 0

    def register_checkpoint_check(self) -> None:
        """Refuse, when a state dict is loaded into this module, one that
        lacks any of its weights (a search checkpoint given to a derived
        config, a checkpoint of another method...): see
        :func:`~pose_nas.nas.checkpoint_check.check_checkpoint_fits`.
        Extra keys stay allowed. A checkpoint of a partial-channel search
        first switches the module's edges to partial channels and edge
        normalisation (:func:`~pose_nas.nas.cell.adapt_to_checkpoint`)."""
        from .cell import adapt_to_checkpoint
        from .checkpoint_check import check_checkpoint_fits

        # a PC-DARTS search checkpoint switches the edges first (partial
        # channels, edge normalisation), then the weights are checked
        self.register_load_state_dict_pre_hook(adapt_to_checkpoint)
        self.register_load_state_dict_pre_hook(check_checkpoint_fits)

    def derive_genotype(self, **kwargs) -> Any:
        raise NotImplementedError(
            f'{type(self).__name__} must implement derive_genotype()')

    def genotype_spec(self) -> Dict[str, dict]:
        raise NotImplementedError(
            f'{type(self).__name__} must implement genotype_spec()')

    # -- discrete decisions -------------------------------------------------
    def decision_space(self) -> List[int]:
        """Number of choices of every discrete decision (empty: none)."""
        return []

    def apply_decisions(self, decisions: Optional[Sequence[int]]) -> None:
        if len(self.decision_space()) == 0:
            raise RuntimeError(
                f'{type(self).__name__} has no discrete decisions')
        raise NotImplementedError(
            f'{type(self).__name__} declares decisions but does not '
            'implement apply_decisions()')

    def current_decisions(self) -> Optional[List[int]]:
        return None

    # -- compute budget -----------------------------------------------------
    @property
    def supports_budget(self) -> bool:
        """Whether this space implements :meth:`cost_table` (budget-aware
        search and derivation)."""
        return type(self).cost_table is not SearchableMixin.cost_table

    def cost_table(self, input_size: Tuple[int, int]
                   ) -> Tuple[float, List[torch.Tensor]]:
        """FLOPs of the fixed parts and, per searchable position, of every
        candidate there, for an input of ``input_size = (w, h)``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no cost table: budget-aware search '
            'needs a space that implements cost_table() (e.g. '
            'EfficientPoseBackbone)')

    def cost_logits(self) -> List[torch.Tensor]:
        """The architecture logits matching :meth:`cost_table`'s rows."""
        raise NotImplementedError(
            f'{type(self).__name__} has no cost table')

    @property
    def supports_latency(self) -> bool:
        """Whether this space implements :meth:`latency_items` (latency
        budgets from a lookup table)."""
        return type(self).latency_items is not SearchableMixin.latency_items

    def latency_items(self, input_size: Tuple[int, int]) -> tuple:
        """The :class:`~pose_nas.nas.latency_table.LatencyItem` of the fixed
        parts and, per position of :meth:`cost_logits`, of every candidate
        there, for an input of ``input_size = (w, h)``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no latency items: a latency budget '
            'needs a space that implements latency_items() (e.g. '
            'EfficientPoseBackbone)')

    # -- observation --------------------------------------------------------
    def arch_labels(self) -> Dict[str, List[str]]:
        """Parameter name (relative to this module) -> column labels of
        that architecture parameter; the default numbers the columns."""
        return {
            name: [str(i) for i in range(p.shape[-1])]
            for name, p in self.named_parameters()
            if is_arch_param_name(name)
        }

    def arch_state(self) -> Dict[str, torch.Tensor]:
        """Name -> softmax weights of every architecture parameter of this
        module (rows sum to one), for logging and pictures."""
        return {
            name: F.softmax(p.detach().float(), dim=-1)
            for name, p in self.named_parameters()
            if is_arch_param_name(name)
        }


def find_searchable(model: nn.Module) -> Dict[str, SearchableMixin]:
    """The outermost :class:`SearchableMixin` submodules of ``model``.

    Returns:
        dict: qualified module name (``''`` for the model itself) ->
        module, in registration order; nested searchable modules inside a
        searchable module are left to their parent.
    """
    model = unwrap_model(model)
    found: Dict[str, SearchableMixin] = {}
    for name, module in model.named_modules():
        if not isinstance(module, SearchableMixin):
            continue
        if any(p == '' or name.startswith(p + '.') for p in found):
            continue
        found[name] = module
    return found
