# Copyright (c) pose_nas contributors. All rights reserved.
"""Tool flags and tool inputs that make no sense: clear errors, or handled.

- ``tools/derive_arch.py``: a derive option the space's genotype rule does
  not take (``--k`` on PNFS, ``--prune-below`` on a cell space, declared by
  :attr:`SearchableMixin.derive_options`) and values out of range;
- ``tools/visualize_arch.py`` given a picture;
- ``tools/run_nas_study.py``: ``--resume`` on a finished study (handled),
  ``seeds = []``, an unreadable earlier summary;
- ``tools/topdown_demo.py``: a corrupt image in the input folder is skipped
  with a warning (handled), a missing input is an error.
"""
import json
import os.path as osp
import shutil
from typing import Dict

import numpy as np
import pytest
from bad_input_harness import REPO, Case, check, params, tool
from test_bad_checkpoints import CONFIGS, make_models

M: Dict[str, str] = {}


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return make_models(str(tmp_path_factory.mktemp('bad_tool_flags')))


@pytest.fixture(autouse=True)
def _paths(models):
    M.update(models)


def _derive(cfg: str, ckpt: str, *flags: str):
    return lambda tmp: tool('derive_arch.py', M[cfg], M[ckpt], '--out-dir',
                            str(tmp / 'derived'), *flags)


def _picture(tmp, name: str) -> str:
    import cv2
    path = str(tmp / name)
    with open(path, 'wb') as f:  # PNG bytes, whatever the file is called
        f.write(cv2.imencode('.png', np.zeros((8, 8, 3), np.uint8))[1])
    return path


def _study(tmp, seeds: str = '[0]') -> str:
    path = tmp / 'study.py'
    train = osp.join(REPO, CONFIGS['cell_train'])
    path.write_text(
        'data = dict(num_train=2, num_val=1, seed=0)\n'
        f'seeds = {seeds}\n'
        'retrain_epochs = 1\n'
        f"variants = [dict(name='a', config={train!r})]\n")
    return str(path)


def _finished_study(tmp):
    """A work dir whose summary lists every run as finished."""
    work = tmp / 'work'
    work.mkdir()
    ckpt = work / 'epoch_1.pth'
    shutil.copy(M['cell_derived.pth'], ckpt)
    run = dict(variant='a', seed=0, checkpoint=str(ckpt),
               metrics={'coco/AP': 0.5}, params_m=0.3, gflops=0.1)
    (work / 'summary.json').write_text(json.dumps(dict(runs=[run])))
    return tool('run_nas_study.py', _study(tmp), '--work-dir', str(work),
                '--resume')


def _broken_summary(tmp):
    work = tmp / 'work'
    work.mkdir()
    (work / 'summary.json').write_text('{"runs": [')
    return tool('run_nas_study.py', _study(tmp), '--work-dir', str(work),
                '--resume')


def _demo(tmp, images: str):
    return tool('topdown_demo.py', osp.join(REPO, CONFIGS['det']),
                M['det.pth'], M['cell_derived.py'], M['cell_derived.pth'],
                '--input', images, '--out-dir', str(tmp / 'demo'))


def _demo_with_corrupt_image(tmp):
    folder = tmp / 'images'
    folder.mkdir()
    shutil.copy(M['image'], folder)
    (folder / 'broken.jpg').write_bytes(b'not a jpeg at all')
    (folder / 'notes').write_text('no extension: not an image, ignored')
    return _demo(tmp, str(folder))


CASES = [
    Case('derive-k-on-pnfs',
         _derive('pnfs_search.py', 'pnfs_search.pth', '--k', '2'),
         match=r"derive option 'k' \(--k\) does not apply.*PartFabricHead "
         r"takes \['prune_below'\]"),
    Case('derive-prune-below-on-cell-space',
         _derive('cell_search.py', 'cell_search.pth', '--prune-below',
                 '0.1'),
         match=r"'prune_below' \(--prune-below\) does not apply.*"
         r"CellSearchBackbone takes \['k'\]"),
    Case('derive-prune-below-nan',
         _derive('pnfs_search.py', 'pnfs_search.pth', '--prune-below',
                 'nan'),
         match=r'--prune-below: must be a number in \[0, 1\).*got nan'),
    Case('derive-prune-below-negative',
         _derive('pnfs_search.py', 'pnfs_search.pth', '--prune-below',
                 '-0.5'),
         match=r'--prune-below: must be a number in \[0, 1\)'),
    Case('derive-prune-below-one',
         _derive('pnfs_search.py', 'pnfs_search.pth', '--prune-below', '1'),
         match=r'--prune-below: must be a number in \[0, 1\)'),
    Case('derive-k-zero',
         _derive('cell_search.py', 'cell_search.pth', '--k', '0'),
         match=r'--k: must be >= 1'),
    Case('visualize-png',
         lambda tmp: tool('visualize_arch.py', _picture(tmp, 'arch.png')),
         match=r'arch.png is not a text file'),
    Case('visualize-png-named-json',
         lambda tmp: tool('visualize_arch.py',
                          _picture(tmp, 'genotype.json')),
         match=r'genotype.json is not a text file'),
    Case('study-resume-finished', _finished_study, expect='handled',
         match=r'"variant": "a"[\s\S]*results:'),
    Case('study-no-seeds',
         lambda tmp: tool('run_nas_study.py', _study(tmp, '[]'),
                          '--work-dir', str(tmp / 'work')),
         match=r'study .*study.py: `seeds` must be a non-empty list'),
    Case('study-resume-broken-summary', _broken_summary,
         match=r'cannot read the earlier summary .*summary.json'),
    Case('demo-corrupt-image-in-folder', _demo_with_corrupt_image,
         expect='handled',
         # stdout (the summary), then stderr (the warning)
         match=r'1 image\(s\), 1 unreadable skipped[\s\S]*warning: skipped '
         r'unreadable image .*broken.jpg'),
    Case('demo-missing-input',
         lambda tmp: _demo(tmp, str(tmp / 'nowhere')),
         match=r'input not found: .*nowhere'),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_tool_flag(case, tmp_path):
    check(case, tmp_path)


def test_derive_options_are_declared_by_the_spaces():
    """The options each space's genotype rule takes, as the derive tool
    checks them (no probing)."""
    from pose_nas.models.common.cell_search_backbone import \
        CellSearchBackbone
    from pose_nas.models.efficientpose.efficientpose_backbone import \
        EfficientPoseBackbone
    from pose_nas.models.pnfs import FabricBackbone, PartFabricHead
    assert CellSearchBackbone.derive_options == ('k', )
    assert PartFabricHead.derive_options == ('prune_below', )
    assert FabricBackbone.derive_options == ('prune_below', )
    assert EfficientPoseBackbone.derive_options == ()
