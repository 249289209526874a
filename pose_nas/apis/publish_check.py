# Copyright (c) pose_nas contributors. All rights reserved.
"""Checks on published releases (``{name}-{sha256[:8]}.pth``).

A release's file name carries the first 8 hex digits of the SHA-256 of its
bytes (OpenMMLab's convention, the one ``torch.hub`` checks with
``check_hash=True``). :func:`check_release_file` recomputes it; a file
whose content does not match its name is a :class:`ReleaseHashError` (a
:class:`~pose_nas.nas.checkpoint_check.CheckpointReadError`), and a
truncated or corrupt one is the :class:`CheckpointReadError` MMEngine's
loader gives under :mod:`pose_nas.compat`, both one line naming the file.

Importing this module wraps MMEngine's local checkpoint loader once more
(:func:`enable_release_checks`), so that every path that loads weights
(``init_model``, ``MMPoseInferencer``, ``tools/test.py``, ``load_from``)
checks a file named like a release before reading it. A release config
written by :func:`~pose_nas.apis.publish.publish_model` imports it through
``custom_imports``.
"""
import hashlib
import os.path as osp
import re
from typing import Callable, Optional

import pose_nas  # noqa: F401  compat shims: the checkpoint loader to wrap
from pose_nas.nas.checkpoint_check import (CheckpointReadError,
                                           checkpoint_read_error)

__all__ = [
    'RELEASE_NAME', 'ReleaseHashError', 'check_release_file',
    'enable_release_checks', 'file_sha256', 'release_hash'
]

#: a release file name: ``<name>-<first 8 hex digits of its sha256>.pth``
RELEASE_NAME = re.compile(r'^(?P<name>.+)-(?P<hash>[0-9a-f]{8})\.pth$')


class ReleaseHashError(CheckpointReadError):
    """A release whose bytes do not match the hash in its file name."""


def file_sha256(path: str) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def release_hash(path: str) -> Optional[str]:
    """The hash suffix of a release file name, or None for other names."""
    match = RELEASE_NAME.match(osp.basename(str(path)))
    return match.group('hash') if match else None


def _read_error(path: str) -> Optional[CheckpointReadError]:
    """Why ``torch.load`` (safe loading) cannot read ``path``, if it
    cannot."""
    import torch
    try:
        torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - explained below
        return checkpoint_read_error(path, e) or CheckpointReadError(
            f'cannot read checkpoint {path}: {type(e).__name__}: {e}')
    return None


def check_release_file(path: str) -> Optional[str]:
    """Check a release file against the hash in its name.

    Args:
        path (str): a checkpoint file. Names without a ``-<8 hex>.pth``
            suffix are not releases and are not checked.

    Returns:
        str | None: the file's full SHA-256 for a release name, else None.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CheckpointReadError: a release that does not match its name and
            cannot be read either (truncated, corrupt, not a checkpoint).
        ReleaseHashError: a readable release whose bytes do not match its
            name (changed after publishing, or renamed).
    """
    expected = release_hash(path)
    if expected is None:
        return None
    if not osp.isfile(path):
        raise FileNotFoundError(f'release not found: {path}')
    sha = file_sha256(path)
    if sha.startswith(expected):
        return sha
    error = _read_error(path)
    if error is not None:
        raise CheckpointReadError(
            f'{error} (its sha256 {sha[:8]} does not match the release name '
            f'either)')
    raise ReleaseHashError(
        f'release {path} does not match its name: sha256 starts with '
        f'{sha[:8]}, the name says {expected} (the file was changed or '
        'corrupted after publishing; download or publish it again)')


def _checked(load: Callable) -> Callable:

    def load_from_local(filename, map_location):
        check_release_file(osp.expanduser(filename))
        return load(filename, map_location)

    for attr in ('__name__', '__doc__', '_pose_nas_original'):
        if hasattr(load, attr):
            setattr(load_from_local, attr, getattr(load, attr))
    load_from_local._pose_nas_release_check = True
    return load_from_local


def enable_release_checks() -> None:
    """Make MMEngine's local checkpoint loader check release names
    (idempotent)."""
    from mmengine.runner.checkpoint import CheckpointLoader
    local = CheckpointLoader._schemes['']
    if not getattr(local, '_pose_nas_release_check', False):
        CheckpointLoader.register_scheme(
            prefixes='', loader=_checked(local), force=True)


enable_release_checks()
