# Copyright (c) pose_nas contributors. All rights reserved.
"""pose_nas ships its configs, tools and model index (``pose_nas/.mim/``).

The slow test builds the wheel of the working tree (``pip wheel``), checks
what it holds, installs it into a folder of its own (``pip install
--target``) and, from a folder outside the repository, finds a config
through the installed package, generates synthetic data
and trains and tests with MMPose's own ``tools/train.py`` / ``tools/test.py``.
"""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')
SYNTH = ('efficientpose/'
         'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py')


def test_source_tree_links_point_at_the_live_files():
    """Editable installs read pose_nas/.mim through relative links."""
    for item in MIM_ITEMS:
        link = osp.join(REPO, 'pose_nas', '.mim', item)
        assert osp.islink(link), f'{link} is not a symlink (run setup.py)'
        assert os.readlink(link) == osp.join('..', '..', item)
        assert osp.samefile(link, osp.join(REPO, item))


def test_get_config_path(tmp_path):
    from pose_nas.apis import get_config_path, mim_root
    assert osp.samefile(mim_root(), osp.join(REPO, 'pose_nas', '.mim'))
    for name in (SYNTH, 'configs/' + SYNTH, 'pose_nas::' + SYNTH):
        assert osp.samefile(get_config_path(name),
                            osp.join(REPO, 'configs', SYNTH))
    with pytest.raises(FileNotFoundError, match=r"efficientpose/ has \d+ "):
        get_config_path('efficientpose/nothing.py')
    with pytest.raises(FileNotFoundError, match='methods: .*pnfs'):
        get_config_path('nomethod/nothing.py')


def _run(args, cwd, env=None, timeout=600):
    full = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    full.update(env or {})
    proc = subprocess.run(args, cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    return proc.stdout


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    root = tmp_path_factory.mktemp('wheel')
    src = root / 'src'
    shutil.copytree(REPO, src, symlinks=True, ignore=shutil.ignore_patterns(
        '.git', 'work_dirs', 'data', 'build', 'dist', '*.egg-info',
        '__pycache__', '.pytest_cache', '*.pth', '*.whl'))
    _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
          '--no-build-isolation', '-w', str(root / 'dist'), '.'], src)
    (path, ) = glob.glob(str(root / 'dist' / 'pose_nas-*.whl'))
    site = root / 'site'
    _run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--target',
          str(site), path], root)
    return dict(path=path, site=str(site), root=root)


@pytest.mark.slow
def test_wheel_holds_configs_tools_and_model_index(wheel):
    with zipfile.ZipFile(wheel['path']) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    configs = {
        'pose_nas/.mim/' + osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '**', '*.*'),
                           recursive=True) if '__pycache__' not in p
    }
    assert configs and configs <= names, sorted(configs - names)[:5]
    for need in ('pose_nas/.mim/model-index.yml',
                 'pose_nas/.mim/tools/train.py',
                 'pose_nas/.mim/tools/dataset_converters/'
                 'generate_synthetic_data.py',
                 'pose_nas/.mim/configs/efficientpose/metafile.yml',
                 'pose_nas/__init__.py'):
        assert need in names, need
    assert not [n for n in names if '__pycache__' in n or n.endswith('.pyc')]
    links = [n for n, mode in modes.items() if mode & 0o170000 == 0o120000]
    assert not links, links[:3]


@pytest.mark.slow
def test_installed_package_finds_configs_and_trains_with_mmposes_tools(
        wheel):
    """No repository on the path: cwd and PYTHONPATH are outside it."""
    import mmpose
    site, work = wheel['site'], wheel['root'] / 'user'
    work.mkdir()
    env = dict(PYTHONPATH=site)
    mim = osp.join(site, 'pose_nas', '.mim')
    out = _run([sys.executable, '-c',
                'import pose_nas; from pose_nas.apis import get_config_path, '
                'load_model_index; from pose_nas.datasets import '
                "generate_synthetic_dataset as g; g('data/synthetic', "
                "splits={'train': 8, 'val': 4}, seed=0, formats=('coco', )); "
                f'print(pose_nas.__file__); print(get_config_path({SYNTH!r})); '
                "print(len(load_model_index()['metafiles']))"], work, env)
    file, config, num = out.split()[-3:]
    assert file.startswith(site) and config.startswith(mim)
    assert int(num) >= 2
    assert osp.isfile(osp.join(mim, 'tools', 'dataset_converters',
                               'generate_synthetic_data.py'))
    mmpose_tools = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools')
    _run([sys.executable, osp.join(mmpose_tools, 'train.py'), config,
          '--work-dir', 'run', '--cfg-options', 'train_cfg.max_epochs=1',
          'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
          'train_dataloader.persistent_workers=False',
          'val_dataloader.num_workers=0',
          'val_dataloader.persistent_workers=False'], work, env)
    out = _run([sys.executable, osp.join(mmpose_tools, 'test.py'), config,
                'run/epoch_1.pth', '--work-dir', 'test', '--cfg-options',
                'test_dataloader.num_workers=0',
                'test_dataloader.persistent_workers=False'], work, env)
    assert 'coco/AP' in out
    log = ''.join(open(p).read() for p in glob.glob(
        str(work / 'run' / '*' / '*.log')))
    assert mim in log or osp.join('pose_nas', '.mim') in log
