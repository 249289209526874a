# Copyright (c) pose_nas contributors. All rights reserved.
"""Checkpoint / model agreement, and clear errors for unreadable checkpoints.

**Agreement.** MMEngine loads checkpoints with ``strict=False`` and only logs
the keys that do not fit, so a model whose weights are all missing from the
checkpoint would run with its random initialisation and report numbers.
Every searchable module (:class:`~pose_nas.nas.arch.SearchableMixin`)
therefore registers :func:`check_checkpoint_fits` as a ``load_state_dict``
pre-hook (:meth:`SearchableMixin.register_checkpoint_check`): loading a
state dict that lacks any of the module's own weights raises
:class:`CheckpointMismatchError`, with a short diagnosis (a search checkpoint
given to a derived config, a derived checkpoint given to a search config, a
checkpoint of another model, another genotype). Extra keys are allowed: a
derived PNFS or EfficientPose net loads its supernet's checkpoint on purpose
(the pruned modules and the ``arch_*`` parameters are extra keys).

**Reading.** :func:`checkpoint_read_error` turns what ``torch.load`` raises
for an empty, truncated or foreign file (or for objects outside the
safe-loading allow-list) into a :class:`CheckpointReadError` that names the
file, and never repeats torch's advice to retry with ``weights_only=False``.
:func:`wrap_checkpoint_loader` applies it to MMEngine's local checkpoint
loader (see :mod:`pose_nas.compat`), which every entry point goes through.
"""
import os.path as osp
import pickle
import re
from typing import Any, Callable, List, Optional

import torch.nn as nn

from .arch import is_arch_param_name

__all__ = [
    'CheckpointMismatchError', 'CheckpointReadError',
    'CheckpointRefusedError', 'check_checkpoint_fits',
    'checkpoint_read_error', 'key_mismatch_summary', 'wrap_checkpoint_loader'
]

# buffers MMEngine itself does not require in a checkpoint
_OPTIONAL_KEYS = ('num_batches_tracked', )


class CheckpointMismatchError(RuntimeError):
    """A checkpoint lacks weights of a pose_nas searchable module.

    Args:
        detail (str): what does not fit, and what to do.
        source (str, optional): the checkpoint file, when known.
    """

    def __init__(self, detail: str, source: Optional[str] = None) -> None:
        self.detail = detail
        self.source = source
        what = f'checkpoint {source}' if source else 'the checkpoint'
        super().__init__(f'{what} does not fit the model: {detail}')

    def __reduce__(self):
        return type(self), (self.detail, self.source)

    def with_source(self, source: str) -> 'CheckpointMismatchError':
        """The same error, naming the checkpoint file."""
        return type(self)(self.detail, source)


class CheckpointReadError(RuntimeError):
    """A checkpoint file that cannot be read (empty, truncated, not a
    checkpoint, or refused by safe loading)."""


class CheckpointRefusedError(CheckpointReadError, pickle.UnpicklingError):
    """A checkpoint holding objects outside the safe-loading allow-list
    (still the ``UnpicklingError`` that ``torch.load`` raises for it)."""


def _shape(value: Any) -> Optional[tuple]:
    shape = getattr(value, 'shape', None)
    return None if shape is None else tuple(shape)


def _diagnosis(prefix: str, model_arch: bool, ckpt_keys: List[str],
               num_present: int, num_weights: int) -> str:
    where = f"'{prefix}'" if prefix else 'the top level'
    ckpt_arch = any(
        is_arch_param_name(k[len(prefix):]) for k in ckpt_keys)
    if not ckpt_keys:
        return f'not a checkpoint of this model (no weights under {where})'
    # a hint: a search checkpoint of which few weights match is likely of
    # another model (a derived net of this one keeps a good part of them)
    few = (f' (only {num_present} of {num_weights} weights match: of '
           'another model or method?)' if num_present * 4 < num_weights
           else '')
    if ckpt_arch and not model_arch:
        return (f'it is a search (supernet) checkpoint{few} and the config '
                'builds a derived net: derive it with tools/derive_arch.py '
                'and retrain, or use the search config')
    if num_present == 0:
        return (f'not a checkpoint of this model or method (its keys under '
                f"{where} are others, e.g. '{ckpt_keys[0]}')")
    if model_arch and not ckpt_arch:
        return ('this is not a search checkpoint: it has no architecture '
                f'parameters under {where} (a derived/trained net, or '
                'another model), and the config builds a search space; '
                'derive_arch and search configs need a search checkpoint')
    return ("the checkpoint's architecture differs from the config's "
            '(a different genotype?)')


def check_checkpoint_fits(module: nn.Module, state_dict: dict, prefix: str,
                          *args: Any) -> None:
    """``load_state_dict`` pre-hook of a searchable module: every one of its
    own state keys must be in ``state_dict`` under ``prefix``.

    Args:
        module (nn.Module): the searchable module being loaded.
        state_dict (dict): the state dict (at least the keys under
            ``prefix``).
        prefix (str): the module's qualified name plus ``'.'`` (``''`` for
            the top level).
        *args: the other arguments of a load pre-hook (unused).

    Raises:
        CheckpointMismatchError: some of the module's weights are missing
            or have another shape.
    """
    own_state = module.state_dict(keep_vars=True)
    own = [k for k in own_state if not k.endswith(_OPTIONAL_KEYS)]
    missing = [k for k in own if prefix + k not in state_dict]
    name = prefix[:-1] or 'the model'
    if not missing:
        reshaped = [k for k in own if _shape(state_dict[prefix + k]) not in
                    (None, _shape(own_state[k]))]
        if reshaped:
            k = reshaped[0]
            raise CheckpointMismatchError(
                f'{len(reshaped)} of the {len(own)} weights of {name} '
                f"({type(module).__name__}) have another shape, e.g. "
                f"'{prefix}{k}' {_shape(state_dict[prefix + k])} in the "
                f'checkpoint, {_shape(own_state[k])} in the model: the '
                "checkpoint's architecture differs from the config's "
                '(other widths or genotype?)')
        return
    weights = [k for k in own if not is_arch_param_name(k)]
    num_present = sum(prefix + k in state_dict for k in weights)
    ckpt_keys = [k for k in state_dict if k.startswith(prefix)]
    model_arch = len(weights) < len(own)
    raise CheckpointMismatchError(
        f'{len(missing)} of the {len(own)} weights of {name} '
        f'({type(module).__name__}) are missing, e.g. '
        f"'{prefix}{missing[0]}': "
        + _diagnosis(prefix, model_arch, ckpt_keys, num_present,
                     len(weights)))


def key_mismatch_summary(model: nn.Module, state_dict: dict) -> str:
    """A one-line account of how ``state_dict`` differs from ``model``'s:
    how many keys are missing, unexpected or of another shape, one example
    each (instead of MMEngine's full key lists)."""
    own = model.state_dict()
    keys = dict(
        missing=[
            k for k in own
            if k not in state_dict and not k.endswith(_OPTIONAL_KEYS)
        ],
        unexpected=[k for k in state_dict if k not in own],
        reshaped=[
            k for k in own if k in state_dict
            and _shape(state_dict[k]) not in (None, _shape(own[k]))
        ])
    parts = [
        f"{len(v)} {what} (e.g. '{v[0]}')" for what, v in (
            ('missing', keys['missing']), ('unexpected', keys['unexpected']),
            ('of another shape', keys['reshaped'])) if v
    ]
    return (f'keys {", ".join(parts) or "differ"}: a checkpoint of another '
            'model or config?')


def _first_bytes(path: str, n: int = 8) -> bytes:
    try:
        with open(path, 'rb') as f:
            return f.read(n)
    except OSError:
        return b''


def checkpoint_read_error(path: str,
                          exc: BaseException) -> Optional[CheckpointReadError]:
    """A :class:`CheckpointReadError` explaining why ``torch.load`` failed
    on ``path`` with ``exc``, or None when the failure is not about the
    file's content (e.g. a device that is not available).

    Args:
        path (str): the checkpoint file.
        exc (BaseException): what ``torch.load`` raised.
    """
    head = _first_bytes(path)
    is_zip = head.startswith(b'PK')
    is_pickle = head.startswith(b'\x80')
    text = str(exc)
    error = CheckpointReadError
    if not head:
        reason = 'the file is empty (0 bytes)'
    elif not (is_zip or is_pickle):
        reason = ('not a PyTorch checkpoint (corrupt, or another kind of '
                  f'file: it starts with {head!r})')
    elif isinstance(exc, pickle.UnpicklingError) and (
            'Weights only load failed' in text):
        # torch's text around the reason is advice about weights_only
        reasons = [
            line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith(
                ('Weights only load failed', 'Check the documentation',
                 'Please file an issue'))
        ]
        detail = (reasons[0].split('. ')[0].rstrip('.')
                  if reasons else 'a refused object')
        reason = ('refused by safe loading: it holds objects outside the '
                  f'allow-list of checkpoint types ({detail}); only load '
                  'checkpoints written by MMEngine / pose_nas')
        error = CheckpointRefusedError
    elif isinstance(exc, (EOFError, pickle.UnpicklingError)) or (
            isinstance(exc, RuntimeError) and re.search(
                r'PytorchStreamReader|zip archive|magic number', text)):
        kind = 'zip archive' if is_zip else 'pickle'
        reason = (f'truncated or corrupt (a broken {kind}: '
                  f'{type(exc).__name__}); copy or save it again')
    else:
        return None
    return error(f'cannot read checkpoint {path}: {reason}')


def wrap_checkpoint_loader(load: Callable) -> Callable:
    """Wrap MMEngine's ``load_from_local(filename, map_location)`` so that a
    file ``torch.load`` cannot read raises a :class:`CheckpointReadError`."""

    def load_from_local(filename, map_location):
        try:
            return load(filename, map_location)
        except Exception as e:  # noqa: BLE001 - explained or re-raised
            error = (None if isinstance(e, OSError) else
                     checkpoint_read_error(osp.expanduser(filename), e))
            if error is None:
                raise
            raise error from e

    load_from_local.__name__ = load.__name__  # MMEngine logs it
    load_from_local.__doc__ = load.__doc__
    load_from_local._pose_nas_original = load
    return load_from_local
