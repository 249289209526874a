# Copyright (c) pose_nas contributors. All rights reserved.
"""Bad data: annotation files without a usable person, or not JSON.

Through ``tools/test.py`` / ``tools/train.py`` an annotation file with zero
persons (or zero labelled keypoints) ended in numpy's ``need at least one
array to concatenate``, an invalid one in a ``JSONDecodeError`` without the
file name; both are now one line naming the file. pose_nas's own readers
(the study's metrics) name the file too.
"""
import copy
import json
import os.path as osp
from typing import Dict

import pytest
from bad_input_harness import REPO, Case, check, params, tool
from mmengine.config import Config

M: Dict[str, str] = {}


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """Synthetic COCO data, a search config and its (untrained)
    checkpoint, and broken copies of the val annotations."""
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.workflows import retarget_config
    root = tmp_path_factory.mktemp('bad_data')
    paths = generate_synthetic_dataset(
        str(root / 'data'), splits={'train': 8, 'val': 4}, seed=0,
        formats=('coco', ))['coco']
    coco = osp.dirname(osp.dirname(paths['train']['ann_file']))
    out = dict(val=paths['val']['ann_file'])
    for name, rel in (('test', 'engine-sync_cellnet_hm_1xb16-10e_synthcoco'
                       '-128x96.py'),
                      ('darts', 'engine-darts1_cellnet_hm_1xb16-10e_'
                       'synthcoco-128x96.py')):
        cfg = Config.fromfile(osp.join(REPO, 'configs/nas_engine', rel))
        retarget_config(cfg, coco, max_epochs=1, num_workers=0)
        out[name] = str(root / f'{name}.py')
        cfg.dump(out[name])
    init_default_scope('mmpose')
    model = MODELS.build(Config.fromfile(out['test']).model)
    out['ckpt'] = str(root / 'search.pth')
    torch.save(dict(state_dict=model.state_dict()), out['ckpt'])

    with open(out['val']) as f:
        ann = json.load(f)
    variants = dict(zero_persons=dict(ann, annotations=[]),
                    zero_keypoints=copy.deepcopy(ann))
    for person in variants['zero_keypoints']['annotations']:
        person['keypoints'] = [0] * len(person['keypoints'])
        person['num_keypoints'] = 0
    for name, content in variants.items():
        out[name] = str(root / f'{name}.json')
        with open(out[name], 'w') as f:
            json.dump(content, f)
    text = json.dumps(ann)
    for name, content in (('truncated', text[:len(text) // 2]),
                          ('a_list', json.dumps([ann]))):
        out[name] = str(root / f'{name}.json')
        with open(out[name], 'w') as f:
            f.write(content)
    return out


@pytest.fixture(autouse=True)
def _paths(data):
    M.update(data)


def _test_on(ann: str, evaluator_ann: str = None):
    """``tools/test.py`` with ``ann`` as the test annotations (and the
    evaluator's, unless ``evaluator_ann``)."""
    return lambda tmp: tool(
        'test.py', M['test'], M['ckpt'], '--work-dir', str(tmp / 'work'),
        '--cfg-options', f'test_dataloader.dataset.ann_file={M[ann]}',
        f'test_evaluator.ann_file={M[evaluator_ann or ann]}')


def _train_on(ann: str, cfg: str = 'test',
              key: str = 'train_dataloader.dataset.ann_file'):
    return lambda tmp: tool('train.py', M[cfg], '--work-dir',
                            str(tmp / 'work'), '--cfg-options',
                            f'{key}={M[ann]}')


def _match_topdown(tmp):
    from pose_nas.workflows import match_topdown_results
    return match_topdown_results([[]], M['truncated'], ['x.png'])


def _metrics_of_a_killed_run(tmp):
    from pose_nas.workflows import latest_metrics
    log = tmp / 'work' / '20240101_000000' / 'vis_data'
    log.mkdir(parents=True)
    (log / '20240101_000000.json').write_text(
        '{"coco/AP": 0.5, "step": 1}\n{"coco/AP": 0.')
    return latest_metrics(str(tmp / 'work'))


NO_SAMPLE = r'CocoDataset: .*{} gives no sample \(zero persons, or none ' \
            r'with a labelled keypoint\)'

def _mpii_not_json(tmp_path):
    """An MPII annotation file that is not JSON, read as the tools read it
    (inside :func:`clear_data_errors`)."""
    from mmpose.datasets import MpiiDataset

    from pose_nas.workflows.tool_errors import clear_data_errors
    bad = tmp_path / 'mpii_bad.json'
    bad.write_text('[{"center": [1')
    with clear_data_errors():
        MpiiDataset(ann_file=str(bad), data_mode='topdown', pipeline=[],
                    test_mode=True)


CASES = [
    Case('mpii-annotations-not-json', _mpii_not_json,
         match=r'annotation file .*mpii_bad.json is not valid JSON'),
    Case('test-zero-persons', _test_on('zero_persons'),
         match=NO_SAMPLE.format('zero_persons.json')),
    Case('test-zero-labelled-keypoints', _test_on('zero_keypoints'),
         match=NO_SAMPLE.format('zero_keypoints.json')),
    Case('train-zero-persons', _train_on('zero_persons'),
         match=NO_SAMPLE.format('zero_persons.json')),
    Case('search-heldout-split-zero-persons',
         _train_on('zero_persons', 'darts',
                   'train_dataloader.dataset.dataset.ann_file'),
         match=NO_SAMPLE.format('zero_persons.json')),
    Case('test-annotations-not-json', _test_on('truncated'),
         match=r'annotation file .*truncated.json is not valid JSON'),
    Case('test-evaluator-annotations-not-json',
         _test_on('val', 'truncated'),
         match=r'annotation file .*truncated.json is not valid JSON'),
    Case('test-annotations-a-list', _test_on('a_list'),
         match=r'annotation file .*a_list.json is not a COCO-format JSON '
         'object'),
    Case('study-topdown-gt-not-json', _match_topdown,
         match=r'annotation file .*truncated.json is not valid JSON',
         exc=ValueError),
    Case('study-metrics-log-cut-mid-line', _metrics_of_a_killed_run,
         match=r'20240101_000000.json: line 2 is not valid JSON',
         exc=ValueError),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_data(case, tmp_path):
    check(case, tmp_path)
