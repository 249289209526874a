# Copyright (c) pose_nas contributors. All rights reserved.
"""A search strategy as one named thing.

A strategy says, in one place, everything a search needs besides the model
and the data:

- where the architecture parameters go (``arch_routing``): into the weight
  optimizer as their own group (``'joint'``), into an optimizer of their own
  stepped by a hook (``'separate'``), or into no optimizer (``'frozen'``);
  or ``None`` when the strategy does not train them (a controller over
  discrete decisions);
- the :class:`~pose_nas.nas.mixed_op.MixedOp` mode while searching
  (``mixed_op_mode``; ``None`` leaves the model's);
- the hooks that run it (:meth:`SearchStrategy.hooks`).

A config selects it with ``train_cfg = dict(type='NASEpochBasedTrainLoop',
search=dict(strategy='darts1', ...))``; the loop
(:func:`~pose_nas.engine.loops.apply_search`) turns that into the
optimizer-wrapper constructor settings and hooks before MMEngine builds
them. Strategies combine with ``+`` (``'gumbel+reinforce'``:
Gumbel cell search and a REINFORCE controller over discrete decisions).
"""
import copy
from typing import Any, Dict, List, Optional

from mmengine.registry import Registry

#: Search strategies by name (``sync``, ``darts1``, ``darts2``, ``random``,
#: ``gumbel``, ``reinforce``; the cheap ones: ``gdas``, single path, and
#: ``pc``, partial channels); see :class:`SearchStrategy`.
STRATEGIES = Registry('nas search strategy', scope='pose_nas')

#: What may route architecture parameters (NASOptimWrapperConstructor).
ARCH_ROUTINGS = ('joint', 'separate', 'frozen')


class SearchStrategy:
    """Base of the search strategies.

    Subclasses set the class attributes and implement :meth:`hooks`.

    Args:
        **options: the strategy's own options (its hook's arguments), from
            the config's ``search.<section>`` dict; :attr:`section` names it.

    Attributes:
        name (str): registry name, as written in configs.
        section (str): key of the strategy's options in ``search``.
        arch_routing (str | None): see the module docstring.
        mixed_op_mode (str | None): MixedOp mode while searching.
    """

    name: str = ''
    section: str = ''
    arch_routing: Optional[str] = None
    #: True: ``arch_routing`` is only a default that another strategy of a
    #: combination may override (``'darts1+gumbel'``: Gumbel-softmax edges,
    #: architecture steps by DARTS on the held-out split)
    routing_is_default: bool = False
    mixed_op_mode: Optional[str] = None
    #: False: the strategy only changes the edges and must be combined with
    #: one that trains the architecture (``'pc'`` -> ``'darts1+pc'``)
    standalone: bool = True

    def __init__(self, **options) -> None:
        self.options: Dict[str, Any] = copy.deepcopy(options)

    def hooks(self) -> List[dict]:
        """Hook configs that run this strategy."""
        raise NotImplementedError(
            f'{type(self).__name__} must implement hooks()')

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r}, {self.options!r})'
