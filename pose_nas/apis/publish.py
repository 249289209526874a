# Copyright (c) pose_nas contributors. All rights reserved.
"""Training checkpoint -> model-zoo release.

:func:`publish_model` does what MMPose's ``tools/misc/publish_model.py``
does, plus what a searched model needs:

- keeps only the weights (``state_dict``) and a new ``meta``; the
  optimizer, message hub, LR schedulers, RNG states and NAS search state
  are dropped;
- ``meta`` holds plain Python values only (``dataset_meta`` with numpy
  arrays as lists, the genotype of every searchable module, provenance,
  the release config's text), so ``torch.load(..., weights_only=True)``
  reads the release with torch's default allow-list;
- the bytes are deterministic (torch's zip writer stores no timestamps, and
  the archive is written to memory, so the temporary file name does not
  enter it): the same checkpoint and config give the same file;
- the file is ``<name>-<sha256[:8]>.pth``; beside it ``<name>.py`` is a
  self-contained config: ``_base_`` merged, every genotype inlined as a
  dict, nothing pointing into the training run's work dir, and
  ``custom_imports`` that load pose_nas and the release checks
  (:mod:`pose_nas.apis.publish_check`).

``mmpose.apis.init_model(release_config, release_checkpoint)`` gives the
trained model.
"""
import copy
import hashlib
import io
import os
import os.path as osp
import re
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config

from pose_nas.nas.checkpoint_check import checkpoint_read_error

from .publish_check import check_release_file

__all__ = ['publish_model', 'load_release', 'plain_meta', 'RELEASE_FORMAT']

RELEASE_FORMAT = 'pose_nas.release'
RELEASE_VERSION = 1
_CHECK_MODULE = 'pose_nas.apis.publish_check'
# run-specific top-level config keys a release does not carry
_RUN_KEYS = ('work_dir', 'load_from', 'resume', 'launcher')
# config keys that name dataset files, allowed to lie in the work dir
_DATA_KEYS = ('data_root', 'ann_file', 'img', 'bbox_file', 'img_prefix')


def plain_meta(obj: Any) -> Any:
    """``obj`` with numpy / torch values as Python lists and scalars, and
    tuples as lists (what ``weights_only=True`` reads without an
    allow-list).

    Raises:
        TypeError: a value that is not plain data (e.g. an object).
    """
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().tolist()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {str(k): plain_meta(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain_meta(v) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    raise TypeError(f'cannot store a {type(obj).__name__} in a release meta')


def _genotype_slots(node: Any, path: str = 'model') -> List[Tuple[str, dict]]:
    """``(dotted path, owning dict)`` of every ``genotype`` key in a model
    config."""
    slots = []
    if isinstance(node, dict):
        if node.get('genotype') is not None:
            slots.append((f'{path}.genotype', node))
        for key, value in node.items():
            if key != 'genotype':
                slots.extend(_genotype_slots(value, f'{path}.{key}'))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            slots.extend(_genotype_slots(value, f'{path}.{i}'))
    return slots


def _inline_genotypes(cfg: Config) -> Dict[str, dict]:
    """Replace every genotype path of ``cfg.model`` by the genotype itself;
    return ``{dotted path: genotype dict}``. Path-like provenance in a
    genotype's ``meta`` is reduced to the file name."""
    from pose_nas.nas.genotype import load_genotype
    out = {}
    for path, owner in _genotype_slots(cfg.model):
        data = load_genotype(owner['genotype']).to_dict()
        data['meta'] = {
            k: osp.basename(v) if isinstance(v, str) and '/' in v else v
            for k, v in data.get('meta', {}).items()
        }
        owner['genotype'] = data
        out[path] = copy.deepcopy(data)
    return out


def _release_config(config: str) -> Tuple[Config, dict]:
    cfg = Config.fromfile(config)
    genotypes = _inline_genotypes(cfg)
    for key in _RUN_KEYS:
        cfg.pop(key, None)
    imports = cfg.get('custom_imports', {}).get('imports', [])
    imports = [imports] if isinstance(imports, str) else list(imports)
    for module in ('pose_nas', _CHECK_MODULE):
        if module not in imports:
            imports.append(module)
    cfg.custom_imports = dict(imports=imports, allow_failed_imports=False)
    return cfg, genotypes


def _run_paths(node: Any, work_dir: str, key: str = '') -> List[str]:
    """Dotted keys of strings in ``node`` that point into ``work_dir``,
    except dataset locations (a run may keep its data there)."""
    if isinstance(node, dict):
        return [k for name, value in node.items() for k in _run_paths(
            value, work_dir, f'{key}.{name}' if key else str(name))]
    if isinstance(node, (list, tuple)):
        return [k for i, value in enumerate(node)
                for k in _run_paths(value, work_dir, f'{key}.{i}')]
    if isinstance(node, str) and key.rsplit('.', 1)[-1] not in _DATA_KEYS:
        path = osp.abspath(node) if osp.isabs(node) else None
        if path and (path == work_dir or path.startswith(work_dir + os.sep)):
            return [key]
    return []


def _check_no_run_paths(cfg: Config, work_dir: str) -> None:
    keys = _run_paths(cfg.to_dict(), work_dir)
    if keys:
        raise ValueError(
            f'the release config would point into the work dir {work_dir} '
            f"({', '.join(keys[:3])}); give a config without such paths")


def _load_training_checkpoint(path: str) -> Dict[str, Any]:
    from .derive import load_search_checkpoint
    ckpt = load_search_checkpoint(path)
    if 'state_dict' not in ckpt:
        raise ValueError(f'{path} has no state_dict: not a training '
                         'checkpoint written by MMEngine')
    return ckpt


def _derived_genotypes(cfg: Config, ckpt: dict, path: str) -> Dict[str, dict]:
    """Build the model, load the weights strictly (a checkpoint that does
    not fit the config is refused here) and, for a searchable model that
    still has architecture parameters, derive its genotypes."""
    from pose_nas.nas.mutator import ArchMutator
    from .derive import build_search_model, derive_genotypes
    model = build_search_model(cfg, ckpt, source=path)
    if not ArchMutator(model).arch_parameters():
        return {}
    genotypes = derive_genotypes(model, ckpt, source=osp.basename(path),
                                 force=True)
    return {name or 'model': g.to_dict() for name, g in genotypes.items()}


def publish_model(config: str,
                  checkpoint: str,
                  out_dir: str,
                  name: Optional[str] = None) -> Dict[str, Any]:
    """Turn a training checkpoint into a release.

    Args:
        config (str): the config the checkpoint was trained with (a derived
            config with ``genotype=`` paths, a search config, any pose
            config).
        checkpoint (str): an MMEngine training checkpoint of ``config``.
        out_dir (str): where the release and its config are written.
        name (str, optional): release name; default: the config's file
            name without ``.py``.

    Returns:
        dict: ``checkpoint`` (``<out_dir>/<name>-<sha8>.pth``), ``config``
        (``<out_dir>/<name>.py``), ``name``, ``sha256``, ``genotypes``
        (dotted config path -> genotype dict).

    Raises:
        FileNotFoundError: a missing input.
        CheckpointReadError: an unreadable checkpoint.
        CheckpointMismatchError: the checkpoint does not fit the config.
        ValueError: a name that is not a plain file name, or a release
            config that would still point into the training run's work
            dir.
    """
    for path, what in ((config, 'config'), (checkpoint, 'checkpoint')):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{what} not found: {path}')
    name = name or osp.splitext(osp.basename(config))[0]
    if not re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9._+-]*', name):
        raise ValueError(f'release name {name!r}: use letters, digits and '
                         "'._+-' only (it becomes a file name)")
    ckpt = _load_training_checkpoint(checkpoint)
    cfg, genotypes = _release_config(config)
    derived = _derived_genotypes(cfg, ckpt, checkpoint)
    _check_no_run_paths(cfg, osp.abspath(osp.dirname(checkpoint)))
    cfg_text = cfg.pretty_text
    old_meta = ckpt.get('meta') or {}
    dataset_meta = old_meta.get('dataset_meta')
    if dataset_meta is None:
        from mmpose.apis.inference import dataset_meta_from_config
        dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    from pose_nas.version import __version__
    meta = dict(
        dataset_meta=plain_meta(dataset_meta),
        genotypes=genotypes or derived,
        epoch=plain_meta(old_meta.get('epoch')),
        iter=plain_meta(old_meta.get('iter')),
        cfg=cfg_text,
        release=dict(format=RELEASE_FORMAT, version=RELEASE_VERSION,
                     name=name, pose_nas_version=__version__,
                     source_checkpoint=osp.basename(checkpoint),
                     searchable=bool(derived)))
    buffer = io.BytesIO()
    torch.save(dict(state_dict=ckpt['state_dict'], meta=meta), buffer)
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    os.makedirs(out_dir, exist_ok=True)
    ckpt_out = osp.join(out_dir, f'{name}-{sha[:8]}.pth')
    cfg_out = osp.join(out_dir, f'{name}.py')
    with open(ckpt_out, 'wb') as f:
        f.write(data)
    with open(cfg_out, 'w') as f:
        f.write(cfg_text)
    return dict(checkpoint=ckpt_out, config=cfg_out, name=name, sha256=sha,
                genotypes=meta['genotypes'])


def load_release(path: str) -> Dict[str, Any]:
    """Read a release with torch's safe loading (default allow-list),
    after checking its bytes against the hash in its name.

    Returns:
        dict: ``state_dict`` and ``meta``.

    Raises:
        FileNotFoundError, CheckpointReadError, ReleaseHashError.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'release not found: {path}')
    check_release_file(path)  # names without a hash suffix pass
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - explained, or re-raised
        error = checkpoint_read_error(path, e)
        if error is None:
            raise
        raise error from e
