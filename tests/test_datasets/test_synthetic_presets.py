# Copyright (c) pose_nas contributors. All rights reserved.
"""Named generator presets: the benchmark scene is fixed by its name."""
import glob
import hashlib
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from pose_nas.datasets import SyntheticPoseGenerator, generate_synthetic_dataset
from pose_nas.datasets.synthetic import (MANIFEST_NAME, SYNTHETIC_PRESETS,
                                         get_preset)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCH = 'synthcoco-bench-v1'


def _digest(root):
    files = sorted(glob.glob(osp.join(root, 'coco', '**', '*.*'),
                             recursive=True))
    h = hashlib.sha256()
    for f in files:
        h.update(osp.relpath(f, root).encode())
        with open(f, 'rb') as fh:
            h.update(fh.read())
    return h.hexdigest()


def test_default_preset_is_the_generator_default(tmp_path):
    """The default preset writes what the plain call always wrote."""
    a = generate_synthetic_dataset(str(tmp_path / 'a'), splits={'val': 2},
                                   formats='coco')
    b = generate_synthetic_dataset(str(tmp_path / 'b'), splits={'val': 2},
                                   formats='coco', preset='default',
                                   image_size=(320, 256), max_figures=3)
    assert _digest(str(tmp_path / 'a')) == _digest(str(tmp_path / 'b'))
    img = cv2.imread(glob.glob(a['coco']['val']['img_dir'] + '/*.png')[0])
    assert img.shape == (256, 320, 3)
    with open(tmp_path / 'a' / MANIFEST_NAME) as f:
        assert 'preset' not in json.load(f)['args']  # old manifests match


def test_bench_preset_scene_and_manifest(tmp_path):
    conf = get_preset(BENCH)
    paths = generate_synthetic_dataset(str(tmp_path / 'b'),
                                       splits={'train': 3, 'test': 2},
                                       formats='coco', preset=BENCH)
    with open(tmp_path / 'b' / MANIFEST_NAME) as f:
        args = json.load(f)['args']
    assert args['preset'] == BENCH
    assert args['image_size'] == list(conf['image_size'])
    assert args['scene']['center_range'] == list(
        conf['scene']['center_range'])
    w, h = conf['image_size']
    for split in ('train', 'test'):
        for f in glob.glob(paths['coco'][split]['img_dir'] + '/*.png'):
            assert cv2.imread(f).shape == (h, w, 3)
    # the same call again is a no-op; another preset on it is refused
    generate_synthetic_dataset(str(tmp_path / 'b'),
                               splits={'train': 3, 'test': 2},
                               formats='coco', preset=BENCH)
    with pytest.raises(FileExistsError, match='other arguments'):
        generate_synthetic_dataset(str(tmp_path / 'b'),
                                   splits={'train': 3, 'test': 2},
                                   formats='coco')


def test_bench_preset_default_splits_are_disjoint_three():
    splits = get_preset(BENCH)['splits']
    assert set(splits) == {'train', 'val', 'test'}
    assert splits['train'] >= 4 * splits['test'] > 0


def test_bench_scene_differs_from_default():
    """The scene arguments reach the generator: figures are centred more
    (fewer cut by the border) than with the default scene."""
    conf = get_preset(BENCH)
    bench = SyntheticPoseGenerator(tuple(conf['image_size']),
                                   conf['max_figures'], **conf['scene'])
    plain = SyntheticPoseGenerator(tuple(conf['image_size']),
                                   conf['max_figures'])

    def in_image_frac(gen):
        fr = [f.in_image.mean() for i in range(40)
              for f in gen.generate(np.random.default_rng(i)).figures]
        return float(np.mean(fr))

    assert in_image_frac(bench) > in_image_frac(plain) + 0.05


@pytest.mark.parametrize('kwargs, match', [
    (dict(preset='synthcoco-bench-v0'), 'unknown synthetic preset'),
    (dict(preset=BENCH, image_size=(320, 256)), 'fixes image_size'),
    (dict(preset=BENCH, max_figures=3), 'fixes max_figures'),
])
def test_bad_preset_arguments(tmp_path, kwargs, match):
    with pytest.raises((KeyError, ValueError), match=match):
        generate_synthetic_dataset(str(tmp_path / 'x'), splits={'val': 1},
                                   **kwargs)
    assert not osp.exists(tmp_path / 'x' / MANIFEST_NAME)


@pytest.mark.parametrize('scene', [
    dict(size_range=(0.5, 0.2)), dict(size_range=(0, 1)),
    dict(crowd_prob=1.5), dict(upright_prob=0.9, tilt_prob=0.2),
    dict(center_range=(0.8, 0.2)), dict(size_range='big'),
])
def test_bad_scene_arguments(scene):
    with pytest.raises(ValueError):
        SyntheticPoseGenerator((128, 128), 2, **scene)


def test_cli_preset(tmp_path, capsys):
    path = osp.join(ROOT, 'tools', 'dataset_converters',
                    'generate_synthetic_data.py')
    spec = importlib.util.spec_from_file_location('gen_cli_preset', path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = str(tmp_path / 'cli')
    cli.main([out, '--preset', BENCH, '--train', '2', '--val', '0',
              '--test', '1', '--formats', 'coco'])
    printed = capsys.readouterr().out
    assert osp.join(out, 'coco', 'annotations',
                    'person_keypoints_test.json') in printed
    assert not osp.exists(osp.join(out, 'coco', 'val'))
    with pytest.raises(SystemExit, match='unknown synthetic preset'):
        cli.main([out + '2', '--preset', 'nope'])
    with pytest.raises(SystemExit, match='fixes image_size'):
        cli.main([out + '3', '--preset', BENCH, '--image-size', '96', '80'])


@pytest.mark.parametrize('name', [
    'td-hm_res18s3-c32_hm_1xb32-10e_synthcoco-bench-v1-128x96.py',
    'td-hm_res18s3-c8_hm_1xb32-10e_synthcoco-bench-v1-128x96.py'
])
def test_bench_configs_report_on_test_only(name):
    """Training and validation read train / val; only the test loader and
    evaluator read the test split."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'baselines', name))
    for key in ('train_dataloader', 'val_dataloader', 'val_evaluator'):
        assert 'test' not in json.dumps(cfg[key].to_dict()
                                        if hasattr(cfg[key], 'to_dict')
                                        else cfg[key]).replace(
                                            'test_mode', '')
    assert cfg.test_dataloader.dataset.ann_file.endswith('_test.json')
    assert cfg.test_evaluator.ann_file.endswith('_test.json')
    assert cfg.train_dataloader.dataset.data_root.endswith(
        'synthcoco-bench-v1/coco/')


def test_presets_are_versioned_names():
    for name in SYNTHETIC_PRESETS:
        assert name == 'default' or name.rsplit('-', 1)[-1].startswith('v')
