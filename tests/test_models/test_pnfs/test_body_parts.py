# Copyright (c) pose_nas contributors. All rights reserved.
"""PNFS body-part groupings (Table I) by joint name."""
import pytest

from pose_nas.models.pnfs.body_parts import (BODY_PART_PRESETS,
                                             COCO_KEYPOINTS, MPII_KEYPOINTS,
                                             PAPER_KEYPOINT_ORDER, TABLE_I,
                                             available_presets,
                                             keypoint_names_from_metainfo,
                                             resolve_parts)

DATASETS = dict(coco=COCO_KEYPOINTS, mpii=MPII_KEYPOINTS)


def _named(dataset, p):
    names = DATASETS[dataset]
    return {
        part: [names[i] for i in idx]
        for part, idx in resolve_parts(p, names, dataset)
    }


def test_mmpose_metainfo_names_and_orders():
    for dataset, names in DATASETS.items():
        got, name = keypoint_names_from_metainfo(
            dict(from_file=f'configs/_base_/datasets/{dataset}.py'))
        assert got == list(names) and name == dataset
    # the paper's MPII order is a permutation of MMPose's
    assert sorted(PAPER_KEYPOINT_ORDER['mpii']) == sorted(MPII_KEYPOINTS)
    assert PAPER_KEYPOINT_ORDER['mpii'] != MPII_KEYPOINTS
    assert PAPER_KEYPOINT_ORDER['coco'] == COCO_KEYPOINTS


@pytest.mark.parametrize('dataset', ['coco', 'mpii'])
@pytest.mark.parametrize('p', [1, 3, 5, 8])
def test_presets_cover_every_joint_and_match_table_i(dataset, p):
    names = DATASETS[dataset]
    parts = resolve_parts(p, names, dataset)
    assert len(parts) == p
    covered = sorted({i for _, idx in parts for i in idx})
    assert covered == list(range(len(names)))
    # Table I, index by index, translated through the paper's order
    col = 1 if dataset == 'mpii' else 2
    paper = PAPER_KEYPOINT_ORDER[dataset]
    for (part, idx), row in zip(parts, TABLE_I[p]):
        assert part == row[0]
        table_idx = []
        for piece in row[col].split(','):
            a, _, b = piece.partition('-')
            table_idx += list(range(int(a), int(b or a) + 1))
        assert [names[i] for i in idx] == [paper[i] for i in table_idx]
    # the same by preset strings
    assert resolve_parts(f'P{p}', names, dataset) == parts
    assert resolve_parts(str(p), names, dataset) == parts


def test_table_i_spot_checks():
    coco8 = _named('coco', 8)
    assert coco8['thigh'] == ['left_hip', 'right_hip', 'left_knee',
                              'right_knee']
    assert coco8['left_upper_arm'] == ['left_shoulder', 'left_elbow']
    assert coco8['right_lower_leg'] == ['right_knee', 'right_ankle']
    mpii5 = _named('mpii', 5)
    assert mpii5['thigh'] == ['left_hip', 'right_hip', 'pelvis']
    assert mpii5['head_shoulder'] == ['head_top', 'upper_neck', 'thorax',
                                      'left_shoulder', 'right_shoulder']
    mpii3 = resolve_parts(3, MPII_KEYPOINTS, 'mpii')
    # MMPose's MPII indices: head_top 9, upper_neck 8, thorax 7
    assert mpii3[0] == ('head', [9, 8, 7])
    assert _named('mpii', 3)['lower_limb'][-1] == 'pelvis'
    assert _named('coco', 3)['head'] == list(COCO_KEYPOINTS[:5])
    # P=8 shares the elbows, the shoulders and the knees between two parts
    coco8_idx = resolve_parts(8, COCO_KEYPOINTS, 'coco')
    counts = [sum(i in idx for _, idx in coco8_idx) for i in range(17)]
    shared = [COCO_KEYPOINTS[i] for i, c in enumerate(counts) if c == 2]
    assert shared == ['left_shoulder', 'right_shoulder', 'left_elbow',
                      'right_elbow', 'left_knee', 'right_knee']
    assert max(counts) == 2
    assert available_presets() == dict(coco=[1, 3, 5, 8], mpii=[1, 3, 5, 8])
    assert set(BODY_PART_PRESETS) == {'coco', 'mpii'}


def test_preset_by_keypoint_names_without_dataset_name():
    # a COCO-format dataset under another name uses the COCO presets
    assert resolve_parts(3, COCO_KEYPOINTS, 'humanart') == \
        resolve_parts(3, COCO_KEYPOINTS, 'coco')
    assert resolve_parts(5, MPII_KEYPOINTS) == \
        resolve_parts(5, MPII_KEYPOINTS, 'mpii')
    with pytest.raises(ValueError, match='no body-part preset'):
        resolve_parts(3, ['a', 'b'], 'mydata')


def test_explicit_parts():
    parts = [dict(name='up', keypoints=['nose', 'left_eye', 'right_eye']),
             ('rest', [n for n in COCO_KEYPOINTS[3:]] + ['nose'])]
    got = resolve_parts(parts, COCO_KEYPOINTS)
    assert got[0] == ('up', [0, 1, 2])
    assert got[1][1] == list(range(3, 17)) + [0]


def test_errors():
    with pytest.raises(ValueError) as e:
        resolve_parts([dict(name='a', keypoints=['nose', 'tail'])],
                      COCO_KEYPOINTS, 'coco')
    msg = str(e.value)
    assert "'a'" in msg and "'tail'" in msg and 'right_ankle' in msg
    with pytest.raises(ValueError, match=r"covered by no body part.*"
                       r"'right_ankle'"):
        resolve_parts([dict(name='a', keypoints=list(COCO_KEYPOINTS[:-1]))],
                      COCO_KEYPOINTS)
    with pytest.raises(ValueError, match="duplicate part name 'a'"):
        resolve_parts([dict(name='a', keypoints=['nose']),
                       dict(name='a', keypoints=list(COCO_KEYPOINTS))],
                      COCO_KEYPOINTS)
    with pytest.raises(ValueError, match="part 'b' has no keypoints"):
        resolve_parts([dict(name='a', keypoints=list(COCO_KEYPOINTS)),
                       dict(name='b', keypoints=[])], COCO_KEYPOINTS)
    with pytest.raises(ValueError, match='more than once'):
        resolve_parts([dict(name='a', keypoints=['nose', 'nose'] +
                            list(COCO_KEYPOINTS[1:]))], COCO_KEYPOINTS)
    with pytest.raises(ValueError, match='P=4.*P in \\[1, 3, 5, 8\\]'):
        resolve_parts(4, COCO_KEYPOINTS, 'coco')
    with pytest.raises(ValueError, match='unknown body-part preset'):
        resolve_parts('three', COCO_KEYPOINTS, 'coco')
    with pytest.raises(ValueError, match='invalid name'):
        resolve_parts([dict(name='a.b', keypoints=list(COCO_KEYPOINTS))],
                      COCO_KEYPOINTS)
    with pytest.raises(ValueError, match='by name'):
        resolve_parts([dict(name='a', keypoints=list(range(17)))],
                      COCO_KEYPOINTS)
    with pytest.raises(ValueError, match='no body parts'):
        resolve_parts([], COCO_KEYPOINTS)
