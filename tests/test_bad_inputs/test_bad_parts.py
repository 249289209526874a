# Copyright (c) pose_nas contributors. All rights reserved.
"""Bad body-part groupings of the PNFS head (``PartFabricHead(parts=...)``,
built from a config as a user does): clear errors naming the part."""
import pytest
from bad_input_harness import Case, check, params

import pose_nas  # noqa: F401  (registers the modules)
from pose_nas.models.pnfs import COCO_KEYPOINTS
from pose_nas.registry import MODELS

COCO_META = dict(from_file='configs/_base_/datasets/coco.py')
ALL = list(COCO_KEYPOINTS)


def _head(parts, **kw):
    cfg = dict(type='PartFabricHead', in_channels=(8, 16, 24, 32),
               out_channels=17, parts=parts, metainfo=COCO_META,
               fabric=dict(channel_factor=2, num_hidden=1, num_layers=6,
                           num_kept_layers=3),
               decoder=dict(type='MSRAHeatmap', input_size=(48, 64),
                            heatmap_size=(12, 16), sigma=2), **kw)
    return lambda tmp: MODELS.build(cfg)


CASES = [
    Case('unknown-joint',
         _head([dict(name='a', keypoints=['nose', 'tail'] + ALL[1:])]),
         match=r"part 'a' names joint 'tail'", exc=ValueError),
    Case('empty-part',
         _head([dict(name='a', keypoints=ALL), dict(name='b', keypoints=[])]),
         match="part 'b' has no keypoints", exc=ValueError),
    Case('duplicate-part-name',
         _head([dict(name='a', keypoints=['nose']),
                dict(name='a', keypoints=ALL)]),
         match="duplicate part name 'a'", exc=ValueError),
    Case('uncovered-joint', _head([dict(name='a', keypoints=ALL[:-1])]),
         match=r"covered by no body part.*'right_ankle'", exc=ValueError),
    Case('joint-twice-in-a-part',
         _head([dict(name='a', keypoints=['nose'] + ALL)]),
         match="part 'a' lists \\['nose'\\] more than once", exc=ValueError),
    Case('joint-by-index', _head([dict(name='a', keypoints=list(range(17)))]),
         match='joints are given by name', exc=ValueError),
    Case('invalid-part-name', _head([dict(name='a.b', keypoints=ALL)]),
         match="invalid name 'a.b'", exc=ValueError),
    Case('part-without-keypoints-key', _head([dict(name='a')]),
         match=r'part #0 must be dict\(name=..., keypoints=\[...\]\)',
         exc=ValueError),
    Case('unknown-preset-size', _head(4),
         match=r'P=4.*P in \[1, 3, 5, 8\]', exc=ValueError),
    Case('unknown-preset-name', _head('three'),
         match='unknown body-part preset', exc=ValueError),
    Case('float-preset', _head(3.0),
         match='parts must be a preset', exc=ValueError),
    Case('no-parts', _head([]), match='no body parts given', exc=ValueError),
    Case('per-part-override-of-unknown-part',
         _head(3, part_fabric=dict(arms=dict(num_hidden=2))),
         match="'arms'", exc=(KeyError, ValueError)),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_parts(case, tmp_path):
    check(case, tmp_path)
