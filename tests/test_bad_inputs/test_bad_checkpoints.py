# Copyright (c) pose_nas contributors. All rights reserved.
"""Checkpoints that do not fit the model, or are not checkpoints at all.

A checkpoint that lacks weights of a pose_nas searchable module (a search
checkpoint given to a derived config, a derived one given to a search
config or to ``derive_arch``, a checkpoint of another method, other widths)
is a clear error in ``tools/test.py``, ``tools/topdown_demo.py``,
``pose_nas.apis`` and ``derive_arch``; so is a file ``torch.load`` cannot
read (never answered with the advice to retry with ``weights_only=False``).
A derived PNFS net loading its supernet checkpoint is fine.

The checkpoints are the state dicts of freshly built tiny models (no
training): what matters is which keys they hold. :func:`make_models` is
shared with the other files of this folder.
"""
import os
import os.path as osp
from typing import Dict

import pytest
import torch
from bad_input_harness import REPO, Case, check, params, tool
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pose_nas.nas.checkpoint_check import (CheckpointMismatchError,
                                           CheckpointReadError)

CONFIGS = dict(
    cell_search='configs/nas_engine/'
    'engine-sync_cellnet_hm_1xb16-10e_synthcoco-128x96.py',
    cell_train='configs/nas_engine/'
    'td-hm_cellnet_hm_1xb16-10e_synthcoco-128x96.py',
    ep_a='configs/efficientpose/'
    'td-hm_efficientpose-a_slimdeconv_1xb16-10e_synthcoco-128x96.py',
    pnfs_search='configs/pnfs/'
    'pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
    pnfs_train='configs/pnfs/'
    'td-hm_mbv2_vip-p3-c4-h1-d8_1xb16-20e_synthcoco-128x96.py',
    det='configs/detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py')


def _save(model, path: str) -> str:
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(epoch=1, iter=1)), path)
    return path


def make_models(root: str) -> Dict[str, str]:
    """Tiny synthetic COCO data, configs retargeted to it and checkpoints.

    Returns:
        dict: ``data`` (the COCO root), ``<name>.py`` configs and
        ``<name>.pth`` checkpoints for ``cell_search``, ``cell_derived``,
        ``ep_a``, ``pnfs_search``, ``pnfs_derived`` (config only: its
        weights are the supernet's) and ``det`` (checkpoint only), plus
        ``image`` (one image) and ``text`` / ``empty`` / ``truncated`` /
        ``crafted`` non-checkpoints.
    """
    from mmdet.registry import MODELS as DET_MODELS
    from mmpose.registry import MODELS

    from pose_nas.datasets import generate_synthetic_dataset
    from pose_nas.nas.mutator import ArchMutator
    from pose_nas.workflows import retarget_config
    paths = generate_synthetic_dataset(
        osp.join(root, 'data'), splits={'train': 8, 'val': 4}, seed=0,
        formats=('coco', ))['coco']
    data = osp.dirname(osp.dirname(paths['train']['ann_file']))
    out = dict(data=data, image=sorted(
        osp.join(paths['val']['img_dir'], f)
        for f in os.listdir(paths['val']['img_dir']))[0])

    def config(name: str, rel: str, **options) -> Config:
        cfg = Config.fromfile(osp.join(REPO, rel))
        retarget_config(cfg, data, max_epochs=1, num_workers=0)
        if cfg.get('retrain_config'):
            cfg.retrain_config = osp.join(REPO, osp.dirname(rel),
                                          cfg.retrain_config)
        cfg.merge_from_dict(options)
        out[f'{name}.py'] = osp.join(root, f'{name}.py')
        cfg.dump(out[f'{name}.py'])
        return cfg

    def build(cfg: Config, name: str):
        init_default_scope('mmpose')
        model = MODELS.build(cfg.model)
        out[f'{name}.pth'] = _save(model, osp.join(root, f'{name}.pth'))
        return model

    cell = build(config('cell_search', CONFIGS['cell_search']), 'cell_search')
    genotype = ArchMutator(cell).derive_genotypes()['backbone'].dump(
        osp.join(root, 'genotype_cell.json'))
    build(config('cell_derived', CONFIGS['cell_train'],
                 **{'model.backbone.genotype': genotype}), 'cell_derived')
    build(config('ep_a', CONFIGS['ep_a']), 'ep_a')
    pnfs = build(config('pnfs_search', CONFIGS['pnfs_search']),
                 'pnfs_search')
    genotype = ArchMutator(pnfs).derive_genotypes()['head'].dump(
        osp.join(root, 'genotype_pnfs.json'))
    config('pnfs_derived', CONFIGS['pnfs_train'],
           **{'model.head.genotype': genotype})
    init_default_scope('mmdet')
    det = DET_MODELS.build(Config.fromfile(osp.join(REPO,
                                                    CONFIGS['det'])).model)
    out['det.pth'] = _save(det, osp.join(root, 'det.pth'))
    init_default_scope('mmpose')

    def write(name: str, content: bytes) -> None:
        out[name] = osp.join(root, name + '.pth')
        with open(out[name], 'wb') as f:
            f.write(content)

    # torch.load answers this text with advice to retry unsafely
    write('text', b'{"note": "a text file, not a checkpoint"}\n')
    write('empty', b'')
    with open(out['cell_search.pth'], 'rb') as f:
        whole = f.read()
    write('truncated', whole[:len(whole) // 2])

    class Crafted:  # unpickling it would run a shell command

        def __reduce__(self):
            return (os.system, ('echo crafted-checkpoint-ran', ))

    out['crafted'] = osp.join(root, 'crafted.pth')
    torch.save(dict(state_dict={}, payload=Crafted()), out['crafted'])
    return out


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return make_models(str(tmp_path_factory.mktemp('bad_checkpoints')))


# the cases get the fixture's paths through this dict (filled per module)
M: Dict[str, str] = {}


@pytest.fixture(autouse=True)
def _paths(models):
    M.update(models)


def _no_unsafe_advice(run):
    """``run``, asserting that its message never suggests
    ``weights_only=False``."""

    def wrapped(tmp):
        try:
            result = run(tmp)
        except Exception as e:
            assert 'weights_only' not in str(e), str(e)
            raise
        assert 'weights_only' not in result.stderr, result.stderr[-2000:]
        assert 'crafted-checkpoint-ran' not in result.stdout
        return result

    return wrapped


def _test_py(cfg: str, ckpt: str):
    return lambda tmp: tool('test.py', M[cfg], M[ckpt], '--work-dir',
                            str(tmp / 'work'))


def _derive_tool(cfg: str, ckpt: str):
    return lambda tmp: tool('derive_arch.py', M[cfg], M[ckpt], '--out-dir',
                            str(tmp / 'derived'))


def _derive_api(cfg: str, ckpt: str):

    def run(tmp):
        from pose_nas.apis import derive_arch
        return derive_arch(M[cfg], M[ckpt], str(tmp / 'derived'))

    return run


def _inferencer(cfg: str, ckpt: str):

    def run(tmp):
        from pose_nas.apis import init_topdown_inferencer
        return init_topdown_inferencer(M[cfg], M[ckpt],
                                       osp.join(REPO, CONFIGS['det']),
                                       M['det.pth'])

    return run


def _load(cfg: str, ckpt: str, **options):
    """``load_checkpoint`` (what MMEngine's runner and MMPose's
    ``init_model`` call) into the model of ``cfg``."""

    def run(tmp):
        from mmengine.runner import load_checkpoint
        from mmpose.registry import MODELS
        model_cfg = Config.fromfile(M[cfg])
        model_cfg.merge_from_dict(options)
        init_default_scope('mmpose')
        model = MODELS.build(model_cfg.model)
        load_checkpoint(model, M[ckpt], map_location='cpu', logger='silent')
        return 'loaded'

    return run


SEARCH_INTO_DERIVED = r'search \(supernet\) checkpoint.*tools/derive_arch.py'
NOT_SEARCH = r'not a search checkpoint: it has no architecture parameters'
OTHER_METHOD = (r"weights of head \(PartFabricHead\) are missing.*not a "
                r'checkpoint of this model or method')

CASES = [
    # a checkpoint of another model: tools/test.py ran it and gave numbers
    Case('test-search-ckpt-derived-config',
         _test_py('cell_derived.py', 'cell_search.pth'),
         match=SEARCH_INTO_DERIVED),
    Case('test-efficientpose-ckpt-pnfs-config',
         _test_py('pnfs_search.py', 'ep_a.pth'), match=OTHER_METHOD),
    Case('demo-search-ckpt-derived-config',
         lambda tmp: tool('topdown_demo.py', osp.join(REPO, CONFIGS['det']),
                          M['det.pth'], M['cell_derived.py'],
                          M['cell_search.pth'], '--input', M['image'],
                          '--out-dir', str(tmp / 'demo')),
         match=SEARCH_INTO_DERIVED),
    Case('apis-search-ckpt-derived-config',
         _inferencer('cell_derived.py', 'cell_search.pth'),
         match=r'cell_search.pth does not fit.*' + SEARCH_INTO_DERIVED,
         exc=CheckpointMismatchError),
    Case('load-efficientpose-ckpt-pnfs-derived',
         _load('pnfs_derived.py', 'ep_a.pth'), match=OTHER_METHOD,
         exc=CheckpointMismatchError),
    Case('load-other-widths',
         _load('pnfs_search.py', 'pnfs_search.pth',
               **{'model.head.vector_dim': 4}),
         match=r'have another shape.*architecture differs',
         exc=CheckpointMismatchError),
    # derive_arch: 'state dict mismatch' with 160 KB of key lists before
    Case('derive-derived-ckpt', _derive_tool('cell_search.py',
                                             'cell_derived.pth'),
         match=NOT_SEARCH),
    Case('derive-api-efficientpose-ckpt',
         _derive_api('cell_search.py', 'ep_a.pth'), match=NOT_SEARCH,
         exc=CheckpointMismatchError),
    # not checkpoints at all: never torch's weights_only=False advice
    Case('test-text-file', _no_unsafe_advice(_test_py('cell_derived.py',
                                                      'text')),
         match=r'cannot read checkpoint .*text.pth: not a PyTorch checkpoint'),
    Case('derive-text-file', _no_unsafe_advice(_derive_tool(
        'cell_search.py', 'text')), match='not a PyTorch checkpoint'),
    Case('derive-api-truncated', _no_unsafe_advice(_derive_api(
        'cell_search.py', 'truncated')), match='truncated or corrupt',
         exc=CheckpointReadError),
    Case('derive-api-empty', _no_unsafe_advice(_derive_api(
        'cell_search.py', 'empty')), match=r'empty \(0 bytes\)',
         exc=CheckpointReadError),
    Case('apis-text-file', _no_unsafe_advice(_inferencer(
        'cell_derived.py', 'text')), match='not a PyTorch checkpoint',
         exc=CheckpointReadError),
    Case('load-truncated', _no_unsafe_advice(_load(
        'cell_derived.py', 'truncated')), match='truncated or corrupt',
         exc=CheckpointReadError),
    Case('derive-crafted-pickle', _no_unsafe_advice(_derive_tool(
        'cell_search.py', 'crafted')),
         match='refused by safe loading.*GLOBAL .*system'),
    # on purpose: a derived PNFS net starts from its supernet's weights
    Case('pnfs-derived-loads-supernet',
         _load('pnfs_derived.py', 'pnfs_search.pth'), expect='handled',
         match='loaded'),
]


@pytest.mark.parametrize('case', params(CASES))
def test_bad_checkpoint(case, tmp_path):
    check(case, tmp_path)
