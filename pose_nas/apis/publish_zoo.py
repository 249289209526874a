# Copyright (c) pose_nas contributors. All rights reserved.
"""The model zoo: packaged configs, ``model-index.yml`` and metafiles.

pose_nas ships its ``configs/``, ``tools/`` and ``model-index.yml`` inside
the package, in ``pose_nas/.mim/`` (the layout of mmpose and mmdet). In a
repository checkout those are symbolic links to the top-level folders; a
wheel (``pip install .``) holds copies (see ``setup.py``). The functions
here find them either way, so a user without the repository can do::

    from pose_nas.apis import get_config_path
    cfg = get_config_path(
        'efficientpose/td-hm_efficientpose-a_slimdeconv_2xb64-240e_coco-256x192.py')

``get_config_path`` also accepts the ``pose_nas::<method>/<file>.py`` form.
MMEngine itself does not resolve ``pose_nas::`` (its package list,
``mmengine.config.utils.MODULE2PACKAGE``, is closed; adding ``pose_nas`` to
it would also make MMEngine's registries with scope ``pose_nas`` call a
``pose_nas.utils.register_all_modules`` that does not exist).

Metafiles (``configs/<method>/metafile.yml``) follow OpenMMLab's format:
``Collections`` (Name, Paper: Title / URL / Year, README) and ``Models``
(Name, In Collection, Config, Metadata, optional Results and Weights).
"""
import glob
import os.path as osp
from typing import Any, Dict, List, Optional

__all__ = [
    'mim_root', 'get_config_path', 'load_model_index', 'zoo_models'
]

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def mim_root() -> str:
    """The folder holding ``configs/``, ``tools/`` and ``model-index.yml``:
    ``pose_nas/.mim`` when it has the configs (an installed wheel, or a
    checkout with its links), else the checkout's root."""
    mim = osp.join(PACKAGE_DIR, '.mim')
    if osp.isdir(osp.join(mim, 'configs')):
        return mim
    root = osp.dirname(PACKAGE_DIR)
    if osp.isdir(osp.join(root, 'configs')):
        return root
    raise FileNotFoundError(
        f'no packaged configs: neither {mim}/configs nor {root}/configs '
        'exists (reinstall pose_nas)')


def get_config_path(name: str) -> str:
    """Absolute path of a shipped config.

    Args:
        name (str): ``<method>/<file>.py``, optionally starting with
            ``configs/`` or ``pose_nas::``.

    Raises:
        FileNotFoundError: no such config (the message lists the method
            folder's configs).
    """
    for prefix in ('pose_nas::', 'configs/'):
        if name.startswith(prefix):
            name = name[len(prefix):]
    configs = osp.join(mim_root(), 'configs')
    path = osp.join(configs, name)
    if osp.isfile(path):
        return path
    folder = osp.join(configs, osp.dirname(name))
    have = sorted(osp.basename(p) for p in glob.glob(osp.join(folder, '*.py')))
    hint = (f'; {osp.dirname(name)}/ has {len(have)} configs, e.g. '
            f'{have[:3]}' if have else '; methods: ' + ', '.join(sorted(
                d for d in map(osp.basename, glob.glob(osp.join(configs, '*')))
                if not d.startswith(('_', '.')))))
    raise FileNotFoundError(f'no shipped config {name!r} in {configs}{hint}')


def load_model_index(root: Optional[str] = None) -> Dict[str, Any]:
    """``model-index.yml`` with every imported metafile loaded.

    Returns:
        dict: ``root``, ``imports`` (relative paths) and ``metafiles``
        (relative path -> parsed metafile).
    """
    import yaml
    root = root or mim_root()
    with open(osp.join(root, 'model-index.yml')) as f:
        index = yaml.safe_load(f) or {}
    metafiles = {}
    for rel in index.get('Import', []):
        with open(osp.join(root, rel)) as f:
            metafiles[rel] = yaml.safe_load(f)
    return dict(root=root, imports=list(index.get('Import', [])),
                metafiles=metafiles)


def zoo_models(root: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every model entry of every imported metafile, each with its
    ``Metafile`` (relative path) added."""
    index = load_model_index(root)
    return [
        dict(model, Metafile=rel)
        for rel, data in index['metafiles'].items()
        for model in (data or {}).get('Models', [])
    ]
