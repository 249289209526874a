# Copyright (c) pose_nas contributors. All rights reserved.
"""Tests of the deterministic synthetic pose dataset generator."""
import hashlib
import importlib.util
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from scipy.io import loadmat

from pose_nas.datasets import (SyntheticPoseGenerator,
                               generate_synthetic_dataset)
from pose_nas.datasets.synthetic import (COCO_KEYPOINTS, JOINT_LIMITS,
                                         MANIFEST_NAME, MPII_KEYPOINTS,
                                         image_rng)
from pose_nas.datasets.synthetic.body_model import (forward_kinematics,
                                                    project_to_image,
                                                    sample_body_shape)
from pose_nas.datasets.synthetic.drawing import pixel_of
from pose_nas.datasets.synthetic.figure import LANDMARK_PARTS, PART_IDS
from pose_nas.datasets.synthetic.landmarks import (COCO_INDICES,
                                                   FACE_LANDMARKS,
                                                   FACE_VISIBILITY_THR,
                                                   LANDMARK_INDEX, LANDMARKS)
from pose_nas.datasets.synthetic.pose_prior import sample_pose_angles

W, H = 320, 256
SPLITS = {'train': 8, 'val': 6}


def _pixel(x, y):
    return pixel_of(np.array([x, y]))


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def _tree_bytes(root):
    """{relative path: sha256} of every file under ``root``."""
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            path = osp.join(d, name)
            out[osp.relpath(path, root)] = hashlib.sha256(
                _read(path)).hexdigest()
    return out


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synth'))
    paths = generate_synthetic_dataset(root, splits=SPLITS, seed=3)
    return root, paths


@pytest.fixture(scope='module')
def samples():
    """A moderately sized sample drawn straight from the generator."""
    gen = SyntheticPoseGenerator((W, H), max_figures=3)
    return [gen.generate(np.random.default_rng(100 + i)) for i in range(40)]


# --------------------------------------------------------------------------
# body model
# --------------------------------------------------------------------------
def test_pose_angles_within_limits():
    rng = np.random.default_rng(0)
    for _ in range(300):
        angles = sample_pose_angles(rng)
        for name, (lo, hi) in JOINT_LIMITS.items():
            assert np.all(angles[name] >= lo) and np.all(angles[name] <= hi)


def test_body_model_is_mirror_symmetric():
    """Swapping the left/right angles mirrors the body (x -> -x) with left and
    right landmarks exchanged: the model itself carries no chirality."""
    rng = np.random.default_rng(1)
    swap = [
        LANDMARK_INDEX[n.replace('left', 'tmp').replace('right', 'left')
                       .replace('tmp', 'right')] for n in LANDMARKS
    ]
    for _ in range(20):
        shape = sample_body_shape(rng)
        angles = sample_pose_angles(rng)
        mirrored = {k: v[::-1].copy() if v.ndim else -v
                    for k, v in angles.items()}
        # the lean and flexion of the spine / neck are symmetric
        for k in ('spine_lean', 'neck_flexion'):
            mirrored[k] = angles[k]
        a = forward_kinematics(shape, angles).points
        b = forward_kinematics(shape, mirrored).points
        np.testing.assert_allclose(b[swap] * [-1, 1, 1], a, atol=1e-9)


def test_left_right_follow_facing_direction():
    shape = sample_body_shape(np.random.default_rng(0))
    angles = sample_pose_angles(np.random.default_rng(0), 'stand')
    pose = forward_kinematics(shape, angles)
    ls, rs = LANDMARK_INDEX['left_shoulder'], LANDMARK_INDEX['right_shoulder']
    front = project_to_image(pose, 0., 0., 50., (100, 100))['xy']
    back = project_to_image(pose, 180., 0., 50., (100, 100))['xy']
    # facing the camera, the person's left side is on the image's right
    assert front[ls, 0] > front[rs, 0]
    assert back[ls, 0] < back[rs, 0]
    # head above the pelvis when upright
    assert front[LANDMARK_INDEX['head_top'], 1] < front[0, 1]


# --------------------------------------------------------------------------
# generator invariants (masks available)
# --------------------------------------------------------------------------
def test_generator_visibility_invariants(samples):
    for sample in samples:
        assert sample.image.shape == (H, W, 3)
        assert sample.image.dtype == np.uint8
        assert 1 <= len(sample.figures) <= 3
        for k, fig in enumerate(sample.figures):
            later = np.zeros((H, W), bool)
            for other in sample.figures[k + 1:]:
                later |= other.silhouette
            np.testing.assert_array_equal(
                fig.visible_mask,
                fig.silhouette & ~later & ~sample.occluder_mask)
            assert fig.area == fig.visible_mask.sum() > 0
            kpts = fig.coco_keypoints
            assert fig.in_image[COCO_INDICES].sum() >= 5
            assert (kpts[:, 2] == 2).sum() >= 3
            x, y, w, h = fig.bbox
            assert x >= 0 and y >= 0 and w > 0 and h > 0
            assert x + w <= W - 1 and y + h <= H - 1
            for j, name in enumerate(COCO_KEYPOINTS):
                i = LANDMARK_INDEX[name]
                px, py, v = kpts[j]
                inside = 0 <= px <= W - 1 and 0 <= py <= H - 1
                if v == 0:
                    assert not fig.in_image[i] and px == py == 0
                    ox, oy = fig.keypoints[i]
                    assert not (0 <= ox <= W - 1 and 0 <= oy <= H - 1)
                    continue
                assert inside
                col, row = _pixel(px, py)
                # every in-image joint lies on the figure's own silhouette
                assert fig.silhouette[row, col]
                part = fig.part_map[row, col]
                own = part in [PART_IDS[p] for p in LANDMARK_PARTS[name]]
                face_away = (name in FACE_LANDMARKS and
                             fig.self_occluded[i] and own)
                if v == 2:
                    assert fig.visible_mask[row, col] and own
                    assert x <= px <= x + w and y <= py <= y + h
                else:  # v == 1: something covers it
                    covered = (sample.occluder_mask[row, col]
                               or later[row, col])
                    assert covered or not own or face_away, (name, k)
                    if fig.self_occluded[i]:
                        assert not own or name in FACE_LANDMARKS


def test_generator_produces_all_occlusion_cases(samples):
    counts = dict(occluder=0, later_figure=0, self=0, outside=0,
                  multi=0, back=0, front=0, face_hidden=0)
    for sample in samples:
        counts['multi'] += len(sample.figures) > 1
        for k, fig in enumerate(sample.figures):
            counts[fig.facing] += 1
            later = np.zeros((H, W), bool)
            for other in sample.figures[k + 1:]:
                later |= other.silhouette
            for j, (x, y, v) in enumerate(fig.coco_keypoints):
                if v == 0:
                    counts['outside'] += 1
                elif v == 1:
                    col, row = _pixel(x, y)
                    counts['occluder'] += bool(sample.occluder_mask[row, col])
                    counts['later_figure'] += bool(later[row, col])
                    counts['self'] += bool(
                        fig.self_occluded[COCO_INDICES[j]])
                    counts['face_hidden'] += (fig.facing == 'back'
                                              and j in (0, 1, 2))
    assert all(v > 0 for v in counts.values()), counts
    assert counts['front'] > counts['back']


def test_face_landmarks_hidden_when_facing_away(samples):
    n_back = 0
    for sample in samples:
        for fig in sample.figures:
            if fig.facing != 'back':
                continue
            n_back += 1
            for name in ('left_eye', 'right_eye'):
                i = LANDMARK_INDEX[name]
                assert not fig.visible[i]
    assert n_back > 0
    assert FACE_VISIBILITY_THR['left_eye'] == FACE_VISIBILITY_THR['right_eye']


def test_left_right_consistent_with_facing(samples):
    """Mostly upright figures: a figure facing the camera has its left
    shoulder on the image's right, a figure seen from behind on the left."""
    ls, rs = LANDMARK_INDEX['left_shoulder'], LANDMARK_INDEX['right_shoulder']
    agree = {'front': [], 'back': []}
    for sample in samples:
        for fig in sample.figures:
            dx = fig.keypoints[ls, 0] - fig.keypoints[rs, 0]
            agree[fig.facing].append(dx > 0 if fig.facing == 'front'
                                     else dx < 0)
    assert np.mean(agree['front']) > 0.8
    assert np.mean(agree['back']) > 0.8


def test_generator_small_image_and_single_figure():
    gen = SyntheticPoseGenerator((64, 64), max_figures=1)
    for i in range(5):
        sample = gen.generate(np.random.default_rng(i))
        assert sample.image.shape == (64, 64, 3)
        assert len(sample.figures) == 1


# --------------------------------------------------------------------------
# files on disk
# --------------------------------------------------------------------------
def test_layout_and_returned_paths(dataset):
    root, paths = dataset
    assert set(paths) == {'coco', 'mpii'}
    for split in SPLITS:
        coco = paths['coco'][split]
        assert coco['ann_file'] == osp.join(
            root, 'coco', 'annotations', f'person_keypoints_{split}.json')
        assert coco['img_dir'] == osp.join(root, 'coco', split)
        mpii = paths['mpii'][split]
        assert mpii['ann_file'] == osp.join(root, 'mpii', 'annotations',
                                            f'mpii_{split}.json')
        assert mpii['img_dir'] == osp.join(root, 'mpii', 'images')
        assert mpii['headbox_file'] == osp.join(
            root, 'mpii', 'annotations', f'mpii_gt_{split}.mat')
        for p in (coco['ann_file'], mpii['ann_file'], mpii['headbox_file']):
            assert osp.isfile(p)
    assert osp.isfile(osp.join(root, MANIFEST_NAME))


def test_coco_annotation_invariants(dataset):
    root, paths = dataset
    all_image_ids = set()
    for split, count in SPLITS.items():
        with open(paths['coco'][split]['ann_file']) as f:
            coco = json.load(f)
        assert {'info', 'licenses', 'images', 'annotations',
                'categories'} <= set(coco)
        cat, = coco['categories']
        assert cat['id'] == 1 and cat['name'] == 'person'
        assert cat['keypoints'] == list(COCO_KEYPOINTS)
        assert len(cat['skeleton']) == 19
        images = {im['id']: im for im in coco['images']}
        assert len(images) == len(coco['images']) == count
        assert not all_image_ids & set(images)  # unique across splits
        all_image_ids |= set(images)
        ann_ids = [a['id'] for a in coco['annotations']]
        assert len(set(ann_ids)) == len(ann_ids)
        per_image = {i: 0 for i in images}
        for ann in coco['annotations']:
            im = images[ann['image_id']]
            per_image[ann['image_id']] += 1
            assert ann['category_id'] == 1 and ann['iscrowd'] == 0
            kpts = np.array(ann['keypoints'], dtype=float).reshape(17, 3)
            v = kpts[:, 2]
            assert set(v.tolist()) <= {0, 1, 2}
            assert ann['num_keypoints'] == int((v > 0).sum()) >= 5
            assert ann['area'] > 0
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0 and x >= 0 and y >= 0
            assert x + w <= im['width'] and y + h <= im['height']
            seg = ann['segmentation']
            assert isinstance(seg, list) and len(seg[0]) >= 6
            for kx, ky, kv in kpts:
                inside = 0 <= kx <= im['width'] - 1 and \
                    0 <= ky <= im['height'] - 1
                if kv == 0:
                    assert kx == ky == 0
                else:
                    assert inside
                if kv == 2:
                    assert x <= kx <= x + w and y <= ky <= y + h
        assert all(n >= 1 for n in per_image.values())
        for im in coco['images']:
            path = osp.join(paths['coco'][split]['img_dir'], im['file_name'])
            assert im['file_name'] == osp.basename(im['file_name'])
            img = cv2.imread(path)
            assert img.shape == (im['height'], im['width'], 3)


def test_json_matches_generator(dataset):
    """The files hold exactly what the generator produced for the same seed
    (so the mask-level invariants above hold for the files too)."""
    root, paths = dataset
    with open(paths['coco']['val']['ann_file']) as f:
        coco = json.load(f)
    gen = SyntheticPoseGenerator((W, H), max_figures=3)
    anns = iter(coco['annotations'])
    for index, im in enumerate(coco['images']):
        sample = gen.generate(image_rng(3, 'val', index))
        img = cv2.imread(
            osp.join(paths['coco']['val']['img_dir'], im['file_name']))
        np.testing.assert_array_equal(img, sample.image)
        for fig in sample.figures:
            ann = next(anns)
            assert ann['image_id'] == im['id']
            np.testing.assert_allclose(
                np.array(ann['keypoints']).reshape(17, 3),
                fig.coco_keypoints, atol=1e-6)
            assert ann['area'] == fig.area
    assert next(anns, None) is None


def test_mpii_annotation_invariants(dataset):
    root, paths = dataset
    for split in SPLITS:
        with open(paths['mpii'][split]['ann_file']) as f:
            mpii = json.load(f)
        with open(paths['coco'][split]['ann_file']) as f:
            coco = json.load(f)
        assert isinstance(mpii, list)
        assert len(mpii) == len(coco['annotations'])
        mat = loadmat(paths['mpii'][split]['headbox_file'])
        boxes = mat['headboxes_src']
        assert boxes.shape == (2, 2, len(mpii))
        assert mat['pos_gt_src'].shape == (16, 2, len(mpii))
        assert mat['jnt_missing'].shape == (16, len(mpii))
        assert np.all(boxes[1] > boxes[0])  # x2 > x1 and y2 > y1
        coco_pos = [COCO_KEYPOINTS.index(n) if n in COCO_KEYPOINTS else None
                    for n in MPII_KEYPOINTS]
        for n, (person, ann) in enumerate(zip(mpii, coco['annotations'])):
            assert set(person) >= {'image', 'center', 'scale', 'joints',
                                   'joints_vis'}
            stem = osp.splitext(person['image'])[0]
            assert stem.isdigit() and int(stem) == ann['image_id']
            assert osp.isfile(osp.join(paths['mpii'][split]['img_dir'],
                                       person['image']))
            joints = np.array(person['joints'])
            vis = np.array(person['joints_vis'])
            assert joints.shape == (16, 2) and vis.shape == (16, )
            assert (vis > 0).sum() >= 5
            np.testing.assert_array_equal(mat['jnt_missing'][:, n], 1 - vis)
            kpts = np.array(ann['keypoints']).reshape(17, 3)
            # MMPose's view of the box: center - 1 + 15 * scale, side 200*s
            s = person['scale'] * 200
            c = np.array(person['center']) - 1 + [0, 15 * person['scale']]
            for j, ((x, y), v) in enumerate(zip(joints, vis)):
                if v == 0:
                    assert x == y == -1
                    continue
                # 1-based pixel coordinates inside the image
                assert 1 <= x <= W and 1 <= y <= H
                assert np.all(np.abs(np.array([x, y]) - 1 - c) <= s / 2 + 1e-6)
                if coco_pos[j] is not None:
                    k = kpts[coco_pos[j]]
                    assert k[2] > 0
                    np.testing.assert_allclose([x - 1, y - 1], k[:2],
                                               atol=1e-6)


def test_same_seed_is_byte_identical(dataset, tmp_path):
    root, _ = dataset
    other = str(tmp_path / 'again')
    generate_synthetic_dataset(other, splits=SPLITS, seed=3)
    a, b = _tree_bytes(root), _tree_bytes(other)
    assert a == b
    assert any(p.endswith('.png') for p in a)


def test_other_seed_and_splits_differ(dataset, tmp_path):
    root, paths = dataset
    other = generate_synthetic_dataset(str(tmp_path / 's4'),
                                       splits={'val': 6}, seed=4,
                                       formats='coco')
    assert set(other) == {'coco'}

    def load(p):
        with open(p) as f:
            return json.load(f)

    val3 = load(paths['coco']['val']['ann_file'])
    val4 = load(other['coco']['val']['ann_file'])
    train3 = load(paths['coco']['train']['ann_file'])
    assert val3['annotations'] != val4['annotations']
    imgs3 = [_read(osp.join(paths['coco']['val']['img_dir'], im['file_name']))
             for im in val3['images']]
    imgs4 = [_read(osp.join(other['coco']['val']['img_dir'], im['file_name']))
             for im in val4['images']]
    assert all(x != y for x, y in zip(imgs3, imgs4))
    # train and val: different images, different keypoints
    train_imgs = {
        hashlib.sha256(
            _read(osp.join(paths['coco']['train']['img_dir'],
                           im['file_name']))).hexdigest()
        for im in train3['images']
    }
    assert not train_imgs & {hashlib.sha256(x).hexdigest() for x in imgs3}
    kp = [a['keypoints'] for a in train3['annotations']]
    assert all(a['keypoints'] not in kp for a in val3['annotations'])


def test_split_independent_of_other_splits(dataset, tmp_path):
    root, paths = dataset
    only_val = generate_synthetic_dataset(str(tmp_path / 'v'),
                                          splits={'val': 6}, seed=3)
    for fmt in ('coco', 'mpii'):
        assert _read(only_val[fmt]['val']['ann_file']) == _read(
            paths[fmt]['val']['ann_file'])


def test_rerun_is_noop_and_manifest_rules(tmp_path):
    root = str(tmp_path / 'd')
    kwargs = dict(splits={'train': 2, 'val': 1}, seed=0, image_size=(96, 80))
    paths = generate_synthetic_dataset(root, **kwargs)
    ann = paths['coco']['train']['ann_file']
    os.utime(ann, (1, 1))
    generate_synthetic_dataset(root, **kwargs)  # no-op: file untouched
    assert os.stat(ann).st_mtime == 1
    # different arguments on an existing dataset: clear error ...
    with pytest.raises(FileExistsError):
        generate_synthetic_dataset(root, **{**kwargs, 'seed': 1})
    # ... unless overwrite=True, which removes the old files first
    new = generate_synthetic_dataset(root, splits={'val': 1}, seed=1,
                                     image_size=(96, 80), overwrite=True)
    assert not osp.exists(ann)
    assert osp.isfile(new['mpii']['val']['ann_file'])
    with open(osp.join(root, MANIFEST_NAME)) as f:
        manifest = json.load(f)
    assert manifest['complete'] and manifest['args']['seed'] == 1
    # a tampered file of our own dataset is regenerated
    img_dir = new['coco']['val']['img_dir']
    img = osp.join(img_dir, os.listdir(img_dir)[0])
    original = _read(img)
    with open(img, 'wb') as f:
        f.write(b'broken')
    with pytest.warns(UserWarning):
        generate_synthetic_dataset(root, splits={'val': 1}, seed=1,
                                   image_size=(96, 80))
    assert _read(img) == original


def test_foreign_files_are_not_overwritten(tmp_path):
    root = tmp_path / 'foreign'
    ann = root / 'coco' / 'annotations' / 'person_keypoints_val.json'
    ann.parent.mkdir(parents=True)
    ann.write_text('{}')
    with pytest.raises(FileExistsError):
        generate_synthetic_dataset(str(root), splits={'val': 1})
    generate_synthetic_dataset(str(root), splits={'val': 1}, overwrite=True)
    assert json.loads(ann.read_text())['annotations']


@pytest.mark.parametrize('kwargs', [
    dict(formats=('coco', 'lsp')),
    dict(formats=()),
    dict(splits={'train': 0}),
    dict(splits={'train': -3}),
    dict(splits={'train': 2.5}),
    dict(splits={}),
    dict(splits={'bad/name': 2}),
    dict(image_size=(32, 256)),
    dict(image_size=(320, )),
    dict(max_figures=0),
    dict(seed=-1),
    dict(seed=1.5),
])
def test_bad_arguments_raise(tmp_path, kwargs):
    args = dict(splits={'val': 1})
    args.update(kwargs)
    with pytest.raises(ValueError):
        generate_synthetic_dataset(str(tmp_path / 'bad'), **args)
    assert not osp.exists(tmp_path / 'bad' / MANIFEST_NAME)


def test_generator_bad_arguments():
    with pytest.raises(ValueError):
        SyntheticPoseGenerator((16, 16))
    with pytest.raises(ValueError):
        SyntheticPoseGenerator((320, 256), max_figures=0)


def _cli_main(argv):
    path = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                    'dataset_converters', 'generate_synthetic_data.py')
    spec = importlib.util.spec_from_file_location('gen_synth_cli', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def test_cli(tmp_path, capsys):
    out = str(tmp_path / 'cli')
    _cli_main([out, '--train', '2', '--val', '1', '--formats', 'mpii',
              '--image-size', '96', '80', '--max-figures', '2'])
    printed = capsys.readouterr().out
    assert osp.join(out, 'mpii', 'annotations', 'mpii_val.json') in printed
    assert osp.isfile(osp.join(out, 'mpii', 'annotations',
                               'mpii_gt_train.mat'))
    assert not osp.exists(osp.join(out, 'coco'))
    with pytest.raises(SystemExit):
        _cli_main([out, '--train', '3', '--val', '1', '--formats', 'mpii'])


# --------------------------------------------------------------------------
# MMPose reads the data unchanged
# --------------------------------------------------------------------------
def _mmpose():
    import pose_nas  # noqa: F401  (compat fixes, if any, live there)
    return pytest.importorskip('mmpose.datasets')


def test_mmpose_coco_dataset_and_metric(dataset):
    _mmpose()
    from mmpose.datasets import CocoDataset
    from mmpose.evaluation import CocoMetric
    root, paths = dataset
    p = paths['coco']['val']
    ds = CocoDataset(
        ann_file=osp.relpath(p['ann_file'], p['data_root']),
        data_root=p['data_root'], data_prefix=dict(img='val/'),
        data_mode='topdown', pipeline=[], test_mode=True)
    with open(p['ann_file']) as f:
        coco = json.load(f)
    assert len(ds) == len(coco['annotations'])
    by_id = {a['id']: a for a in coco['annotations']}
    samples = []
    for i in range(len(ds)):
        info = ds[i]
        assert osp.isfile(info['img_path'])
        ann = by_id[info['id']]
        kpts = np.array(ann['keypoints']).reshape(17, 3)
        np.testing.assert_allclose(info['keypoints'][0], kpts[:, :2],
                                   atol=1e-4)
        np.testing.assert_array_equal(info['keypoints_visible'][0],
                                      np.minimum(1, kpts[:, 2]))
        samples.append(
            dict(id=info['id'], img_id=info['img_id'],
                 category_id=1, ori_shape=(H, W),
                 gt_instances=dict(bbox_scores=info['bbox_score']),
                 pred_instances=dict(keypoints=info['keypoints'],
                                     keypoint_scores=np.ones((1, 17)))))
    metric = CocoMetric(ann_file=p['ann_file'])
    metric.dataset_meta = ds.metainfo
    metric.process([], samples)
    results = metric.evaluate(len(samples))
    assert results['coco/AP'] > 0.99
    # a clearly wrong prediction scores lower
    for s in samples:
        s['pred_instances']['keypoints'] = s['pred_instances'][
            'keypoints'] + 8.
    metric = CocoMetric(ann_file=p['ann_file'])
    metric.dataset_meta = ds.metainfo
    metric.process([], samples)
    assert metric.evaluate(len(samples))['coco/AP'] < 0.9


def test_mmpose_mpii_dataset_and_pckh(dataset):
    _mmpose()
    from mmpose.datasets import MpiiDataset
    from mmpose.evaluation import MpiiPCKAccuracy
    root, paths = dataset
    p = paths['mpii']['val']
    ds = MpiiDataset(
        ann_file=p['ann_file'], data_root=p['data_root'],
        data_prefix=dict(img='images/'), headbox_file=p['headbox_file'],
        data_mode='topdown', pipeline=[], test_mode=True)
    with open(p['ann_file']) as f:
        mpii = json.load(f)
    assert len(ds) == len(mpii)

    def run(offset):
        metric = MpiiPCKAccuracy()
        samples = []
        for i in range(len(ds)):
            info = ds[i]
            assert osp.isfile(info['img_path'])
            # MMPose's bbox centre is the true centre of the figure box
            kp = info['keypoints'][0][info['keypoints_visible'][0] > 0] - 1
            half = info['bbox_scale'][0] / 2
            assert np.all(np.abs(kp - info['bbox_center'][0]) <= half + 1e-3)
            samples.append(
                dict(gt_instances=dict(
                    keypoints=info['keypoints'],
                    keypoints_visible=info['keypoints_visible'],
                    head_size=info['head_size']),
                     pred_instances=dict(keypoints=info['keypoints'] +
                                         offset)))
        metric.process([], samples)
        return metric.compute_metrics(metric.results)

    # the metric adds 1 to (0-based) predictions: exact 0-based -> 100
    assert run(-1.)['PCK'] == pytest.approx(100.)
    assert run(0.)['PCK'] > 99.
    assert run(15.)['PCK'] < 90.
