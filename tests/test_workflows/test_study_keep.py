# Copyright (c) pose_nas contributors. All rights reserved.
"""keep_study: a study's evidence outlives its work dir."""
import json
import os
import os.path as osp

import pytest

from pose_nas.workflows.study_keep import keep_study


def _fake_study(root, work):
    """A work dir as tools/run_nas_study.py leaves it: one derived run (its
    genotype in the work dir) and one fixed net (a genotype in the
    checkout)."""
    shipped = osp.join(root, 'configs', 'm', 'genotypes', 'pub.json')
    os.makedirs(osp.dirname(shipped))
    open(shipped, 'w').write('{"pub": 1}')
    runs = []
    for variant, geno in (('searched', None), ('published', shipped)):
        run = osp.join(work, variant, 'seed0')
        os.makedirs(osp.join(run, 'derived'))
        os.makedirs(osp.join(run, 'retrain'))
        genotypes = []
        if geno is None:
            geno = osp.join(run, 'derived', 'genotype.json')
            open(geno, 'w').write('{"searched": 1}')
            genotypes = [geno]
        config = osp.join(run, 'retrain', 'retrain_config.py')
        open(config, 'w').write(
            f"model = dict(backbone=dict(genotype='{geno}'))\n"
            f"data_root = '{work}/data/coco/'\n")
        runs.append(dict(variant=variant, seed=0, genotypes=genotypes,
                         config=config, metrics={'coco/AP': 0.5},
                         checkpoint=osp.join(run, 'retrain', 'e.pth')))
    study = osp.join(root, 'configs', 'm', 'studies', 's.py')
    json.dump(dict(study=study, work_dir=work, runs=runs, data={},
                   retrain_epochs=1), open(osp.join(work, 'summary.json'),
                                           'w'))
    open(osp.join(work, 'results.md'), 'w').write('| table |\n')


def test_keep_copies_the_nets_with_paths_relative_to_the_repo(tmp_path):
    root, work = str(tmp_path / 'repo'), str(tmp_path / 'work')
    _fake_study(root, work)
    dest = osp.join(root, 'benchmarks', 'studies', 's')
    summary = keep_study(work, dest, root)
    searched, published = summary['runs']
    assert searched['kept']['genotypes'] == [
        'benchmarks/studies/s/searched/seed0/genotype.json']
    assert published['kept']['genotypes'] == []  # shipped, not copied
    text = open(osp.join(root, searched['kept']['config'])).read()
    assert "'benchmarks/studies/s/searched/seed0/genotype.json'" in text
    text = open(osp.join(root, published['kept']['config'])).read()
    assert "'configs/m/genotypes/pub.json'" in text
    assert str(tmp_path) in text  # the data root is not the repo's: as it was
    assert 'checkpoint' not in searched  # checkpoints are not kept
    assert summary['study'] == 'configs/m/studies/s.py'
    kept = json.load(open(osp.join(dest, 'summary.json')))
    assert kept['runs'] == summary['runs']
    assert open(osp.join(dest, 'results.md')).read() == '| table |\n'
    # a merged study of kept runs keeps them without their work dir
    os.rename(work, work + '.gone')
    os.makedirs(work)
    json.dump(dict(kept, study=osp.join(root, kept['study']), work_dir=work,
                   runs=[dict(r, imported_from='x') for r in kept['runs']]),
              open(osp.join(work, 'summary.json'), 'w'))
    again = keep_study(work, osp.join(root, 'benchmarks', 'merged'), root)
    assert [r['kept'] for r in again['runs']] == \
        [r['kept'] for r in kept['runs']]


def test_keep_refuses_a_run_whose_net_is_gone(tmp_path):
    root, work = str(tmp_path / 'repo'), str(tmp_path / 'work')
    _fake_study(root, work)
    os.remove(osp.join(work, 'searched', 'seed0', 'derived', 'genotype.json'))
    with pytest.raises(FileNotFoundError, match="genotype .* 'searched'"):
        keep_study(work, osp.join(root, 'kept'), root)
    with pytest.raises(FileNotFoundError, match='summary.json'):
        keep_study(str(tmp_path / 'nowhere'), osp.join(root, 'kept'), root)
