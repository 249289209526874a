# Copyright (c) pose_nas contributors. All rights reserved.
"""Build script: the metadata is in setup.cfg; this file only ships the
configs, tools and model index inside the package, in ``pose_nas/.mim/``
(the layout mmpose and mmdet use, which ``mim`` and MMEngine look for).

- In the source tree, ``pose_nas/.mim/{configs,tools,model-index.yml}`` are
  relative symbolic links to the top-level ones, so an editable install
  (``pip install -e .``) sees the live files. :func:`link_mim` (re)creates
  them when they are missing, e.g. in a checkout made without symlinks.
- A wheel (``pip install .``, ``pip wheel .``) gets real copies: the
  ``build_py`` below copies the three items into the build folder's
  ``pose_nas/.mim/``, skipping caches and compiled files.
"""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')
_IGNORE = shutil.ignore_patterns('__pycache__', '*.pyc', '*.pyo')


def link_mim() -> None:
    """Make ``pose_nas/.mim/<item>`` a relative link to ``<item>``."""
    mim = osp.join(ROOT, 'pose_nas', '.mim')
    os.makedirs(mim, exist_ok=True)
    for item in MIM_ITEMS:
        target, link = osp.join('..', '..', item), osp.join(mim, item)
        if not osp.exists(osp.join(ROOT, item)):
            continue
        if osp.islink(link) and os.readlink(link) == target:
            continue
        if osp.isdir(link) and not osp.islink(link):
            shutil.rmtree(link)
        elif osp.lexists(link):
            os.remove(link)
        os.symlink(target, link)


class BuildPyWithMim(build_py):
    """``build_py`` that also copies configs, tools and the model index
    into ``pose_nas/.mim/`` of the build (not for editable installs, which
    use the links of the source tree)."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        mim = osp.join(self.build_lib, 'pose_nas', '.mim')
        if osp.lexists(mim):
            shutil.rmtree(mim) if osp.isdir(mim) and not osp.islink(
                mim) else os.remove(mim)
        os.makedirs(mim)
        for item in MIM_ITEMS:
            src = osp.join(ROOT, item)
            if osp.isdir(src):
                shutil.copytree(src, osp.join(mim, item), ignore=_IGNORE)
            elif osp.isfile(src):
                shutil.copyfile(src, osp.join(mim, item))


if osp.isdir(osp.join(ROOT, '.git')) or not osp.isdir(
        osp.join(ROOT, 'pose_nas', '.mim')):
    link_mim()

setup(cmdclass={'build_py': BuildPyWithMim})
