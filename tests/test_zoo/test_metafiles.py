# Copyright (c) pose_nas contributors. All rights reserved.
"""Every ``configs/*/metafile.yml`` against the code it describes.

- ``model-index.yml`` imports exactly the method folders' metafiles, and
  the model-zoo tables in ``configs/<method>/README.md`` are what
  ``tools/gen_model_zoo.py`` writes from them (run the tool after editing
  a metafile);
- every entry: OpenMMLab fields, a config that exists, builds and has the
  entry's input size, its parameter count within 1 % of the built model's,
  and (slow) its FLOPs within 1 % of MMEngine's counter at that size;
- ``Weights``, when given, is an existing local release or a URL, both
  named ``...-<sha256[:8]>.pth``; ``Results`` on COCO / MPII only come with
  released weights (a number measured here), never a paper's number.
"""
import glob
import importlib.util
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
_spec = importlib.util.spec_from_file_location(
    'gen_model_zoo', osp.join(REPO, 'tools', 'gen_model_zoo.py'))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

METAFILES = gen.metafiles(REPO)
MODELS = [(rel, m) for rel in METAFILES
          for m in (gen.load_yaml(osp.join(REPO, rel)) or {}).get('Models')
          or []]
IDS = [m['Name'] for _, m in MODELS]


def test_every_method_with_configs_has_a_metafile():
    """A method folder with COCO / MPII configs publishes a metafile."""
    methods = {
        osp.relpath(osp.dirname(p), REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
        if re.search(r'_(coco|mpii)-\d+x\d+\.py$', p)
    }
    assert {'configs/autopose', 'configs/efficientpose', 'configs/pnfs',
            'configs/posenas'} <= methods
    assert {m + '/metafile.yml' for m in methods} <= set(METAFILES)


def test_table_shows_a_note_and_the_papers_accuracy_as_the_papers():
    data = dict(Models=[dict(
        Name='net', Config='configs/x/net.py',
        Metadata=dict(Note='not the paper\'s net', Paper=dict(
            Params='1 M', GFLOPs='2', Accuracy='70 AP', Source='Table 2')),
        Results=None)])
    row = gen.render_table(data, osp.join(REPO, 'configs', 'x')).splitlines()
    cells = [c.strip() for c in row[-1].strip('|').split('|')]
    assert cells[0] == "net<br>not the paper's net"
    assert cells[6] == 'not measured'  # the paper's AP is not a Result
    assert cells[7] == '1 M / 2; 70 AP (Table 2)'


def test_model_index_and_readme_tables_are_generated_from_the_metafiles():
    for path, text in gen.planned_files(REPO).items():
        assert osp.isfile(path), f'{path} missing: run tools/gen_model_zoo.py'
        with open(path) as f:
            assert f.read() == text, (
                f'{osp.relpath(path, REPO)} is out of date: run '
                'python tools/gen_model_zoo.py')


def test_readme_keeps_hand_written_text_around_the_table():
    old = 'intro\n' + gen.START + '\nold table\n' + gen.END + '\nafter\n'
    new = gen.updated_readme(old, '| new |\n', 'X')
    assert new.startswith('intro\n') and new.endswith('\nafter\n')
    assert '| new |' in new and 'old table' not in new


@pytest.mark.parametrize('rel', METAFILES)
def test_collections(rel):
    data = gen.load_yaml(osp.join(REPO, rel))
    names = [c['Name'] for c in data['Collections']]
    for coll in data['Collections']:
        paper = coll['Paper']
        assert paper['Title'] and re.match(r'https?://', paper['URL'])
        assert 1990 < int(paper['Year']) < 2100
    for model in data['Models']:
        assert model['In Collection'] in names, model['Name']


@pytest.fixture(scope='module')
def built():
    """Every entry's model, built once (about 12 s for all of them)."""
    from mmpose.registry import MODELS as REGISTRY

    import pose_nas  # noqa: F401
    init_default_scope('mmpose')
    out = {}
    for _, model in MODELS:
        cfg = Config.fromfile(osp.join(REPO, model['Config']))
        out[model['Name']] = (cfg, REGISTRY.build(cfg.model))
    return out


@pytest.mark.parametrize('rel,model', MODELS, ids=IDS)
def test_entry_matches_its_config(rel, model, built):
    meta = model['Metadata']
    config = osp.join(REPO, model['Config'])
    assert model['Config'].startswith(osp.dirname(rel) + '/')
    assert osp.isfile(config) and model['Name'] == osp.basename(config)[:-3]
    for key in ('Architecture', 'Training Data', 'Input Size', 'Parameters',
                'FLOPs'):
        assert meta.get(key) not in (None, '', []), f'{key} missing'
    cfg, net = built[model['Name']]
    h, w = gen.input_hw(model)
    assert tuple(cfg.codec['input_size']) == (w, h)
    params = sum(p.numel() for p in net.parameters())
    assert abs(meta['Parameters'] - params) <= 0.01 * params, (
        f"metafile says {meta['Parameters']}, the model has {params}: run "
        'python tools/gen_model_zoo.py --measure')


@pytest.mark.parametrize('rel,model', MODELS, ids=IDS)
def test_weights_and_results_are_measured_releases(rel, model):
    weights = model.get('Weights')
    if weights:
        if '://' in weights:
            assert gen.WEIGHTS_URL.match(weights), weights
        else:
            from pose_nas.apis import check_release_file
            path = osp.join(REPO, weights)
            assert osp.isfile(path), path
            assert check_release_file(path), f'{weights}: not a release name'
    for result in model.get('Results') or []:
        dataset = str(result['Dataset'])
        assert result.get('Metrics'), dataset
        if not re.search('synthetic', dataset, re.I):
            assert weights, (f'{dataset} results without released weights: '
                             "only numbers measured here, never a paper's")


@pytest.mark.slow
def test_flops_match_mmengines_counter(built):
    """FLOPs of every entry at its input size (about 29 s for 23 models)."""
    from pose_nas.deploy import model_complexity
    wrong = []
    for _, model in MODELS:
        h, w = gen.input_hw(model)
        res = model_complexity(built[model['Name']][1], (w, h))
        flops = res['gflops'] * 1e9
        if abs(model['Metadata']['FLOPs'] - flops) > 0.01 * flops:
            wrong.append(f"{model['Name']}: {model['Metadata']['FLOPs']} vs "
                         f'{flops:.0f}')
    assert not wrong, ('run python tools/gen_model_zoo.py --measure: ' +
                       '; '.join(wrong))
