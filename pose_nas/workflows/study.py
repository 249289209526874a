# Copyright (c) pose_nas contributors. All rights reserved.
"""Architecture studies on built-in synthetic data: several variants (a
search run derived and retrained, a random architecture, a released
architecture, ...) over several seeds, each trained and tested with MMPose's
own tools, then top-down inference with an MMDetection person detector.

A study is an MMEngine config (see ``configs/*/studies/``)::

    data = dict(num_train=300, num_val=60, num_test=60, seed=0)  # once
    # or the benchmark: data = dict(preset='synthcoco-bench-v1', seed=0)
    seeds = [0, 1, 2]
    search_epochs = 4
    retrain_epochs = 20
    flops_input_size = (192, 256)                     # (w, h) for GFLOPs
    # optional: every net retrained at one GFLOPs (study_width.py)
    width_match = dict(gflops=0.1, tolerance=0.02, choices=[...])
    variants = [
        # search -> derive (tools/derive_arch.py) -> retrain -> test
        dict(name='searched', search_config='../x_search.py',
             search_cfg_options={'train_cfg.search.darts.budget.target': 0.42e9},
             derive_args=['--prune-below', '1e-3']),
        # a train config: retrain -> test
        dict(name='released-A', config='../x_train.py'),
    ]
    topdown = dict(variant='searched', det_config='../../detectors/x.py',
                   det_epochs=20, num_images=10, bbox_thr=0.1)
    # optional: the paired comparisons (default: the first variant
    # against each other one), see pose_nas/workflows/study_stats.py
    compare = [('searched', 'released-A')]

Three disjoint synthetic splits: train (weights; a search's arch steps and
rewards use a held-out part of it), val (validation during training) and
test (``num_test``, default ``num_val``): every reported number is on test,
and a search or retraining config that names the test annotations is
refused (:func:`~pose_nas.datasets.heldout_split.check_search_never_reads`).
Paths are relative to the study file. ``'{seed}'`` in a string option (or
the int option ``'{seed}'``) becomes the run's seed, so a random baseline's
draw changes with the seed.
"""
import copy
import glob
import json
import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence, Union

from mmengine.config import Config

from pose_nas.deploy.complexity import model_complexity
from pose_nas.datasets.heldout_split import check_search_never_reads
from .config_retarget import retarget_config
from .metrics import latest_metrics
from .study_checks import check_seeds, check_study, resolve, with_seed
from .study_records import (imported_runs, previous_runs,
                            previous_topdown)
from .study_width import check_width_match, match_width
from .study_stats import (arch_movement, comparison_table, comparisons,
                          default_pairs, markdown_table, movement_table,
                          plot_study, summarize)
from .study_topdown import run_topdown
from .tool_runner import (last_checkpoint, mmpose_tool_path, run_module,
                          run_tool, thread_env)

# the derive command line (tools/derive_arch.py), run as a module of the
# package so that an installed pose_nas needs no source checkout
DERIVE_MODULE = 'pose_nas.workflows.derive_cli'
#: the split results are reported on: retrained nets are tested on it and
#: nothing of a search or a retraining reads it (val is for validation
#: during training; a search's arch steps and rewards use a held-out part
#: of train)
REPORT_SPLIT = 'test'


def study_splits(data: dict) -> Dict[str, int]:
    """Split sizes of a study's ``data``: ``num_train`` / ``num_val`` /
    ``num_test``, each defaulting to its preset's size (``preset``, e.g.
    ``'synthcoco-bench-v1'``); without a preset 300 / 60 / ``num_val``."""
    from pose_nas.datasets.synthetic import get_preset
    preset = data.get('preset', 'default')
    if preset == 'default':
        num_val = int(data.get('num_val', 60))
        return {'train': int(data.get('num_train', 300)), 'val': num_val,
                REPORT_SPLIT: int(data.get('num_test', num_val))}
    sizes = get_preset(preset)['splits']
    if REPORT_SPLIT not in sizes:
        raise ValueError(f'preset {preset!r} has no {REPORT_SPLIT!r} split '
                         'to report on')
    return {split: int(data.get(f'num_{split}', sizes[split]))
            for split in ('train', 'val', REPORT_SPLIT)}


def _report_files(coco_root: str) -> List[str]:
    return [osp.join(coco_root, 'annotations',
                     f'person_keypoints_{REPORT_SPLIT}.json')]


def run_variant(study: Config, study_file: str, variant: dict, seed: int,
                coco_root: str, out_dir: str,
                num_workers: int = 2,
                threads: Optional[int] = None,
                done: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    """One variant at one seed: [search -> derive ->] retrain -> test
    (``done``: the finished runs, where a FLOPs-matched random variant
    finds its target)."""
    env = thread_env(threads)
    variant = with_seed(copy.deepcopy(dict(variant)), seed)
    os.makedirs(out_dir, exist_ok=True)
    rec: Dict[str, Any] = dict(variant=variant['name'], seed=seed,
                               timings_s={})
    t = time.time()
    train_tool, test_tool = (mmpose_tool_path('train.py'),
                             mmpose_tool_path('test.py'))
    if 'random_flops_of' in variant:  # a FLOPs-matched random draw
        train_cfg_file = _random_flops_matched(
            study, study_file, variant, seed, done, out_dir, rec)
        rec['timings_s']['derive'] = round(time.time() - t, 1)
        t = time.time()
    elif 'search_config' in variant:
        src = resolve(study_file, variant['search_config'])
        cfg = Config.fromfile(src)
        cfg.merge_from_dict(variant.get('search_cfg_options', {}))
        if cfg.get('retrain_config'):  # keep it valid once the cfg moves
            cfg.retrain_config = osp.join(osp.dirname(src),
                                          cfg.retrain_config)
        epochs = int(variant.get('search_epochs', study.get('search_epochs',
                                                              4)))
        retarget_config(cfg, coco_root, epochs, num_workers=num_workers,
                        test_split=REPORT_SPLIT)
        check_search_never_reads(cfg, _report_files(coco_root),
                                 f"variant {variant['name']!r}: the search")
        cfg.randomness = dict(seed=seed)
        search_dir = osp.join(out_dir, 'search')
        os.makedirs(search_dir, exist_ok=True)
        search_cfg = osp.join(search_dir, 'search_config.py')
        cfg.dump(search_cfg)
        run_tool(train_tool, [search_cfg, '--work-dir', search_dir],
                 osp.join(search_dir, 'train.log'), env=env)
        rec['timings_s']['search'] = round(time.time() - t, 1)
        rec['search_arch'] = arch_movement(
            osp.join(search_dir, 'arch_history.jsonl'))
        t = time.time()
        derived_dir = osp.join(out_dir, 'derived')
        run_module(DERIVE_MODULE, [
            search_cfg, last_checkpoint(search_dir, epochs), '--out-dir',
            derived_dir, *[str(a) for a in variant.get('derive_args', [])]
        ], osp.join(out_dir, 'derive.log'), env=env)
        found = sorted(glob.glob(osp.join(derived_dir, '*_derived.py')))
        if len(found) != 1:
            raise RuntimeError(f'derive wrote {found} in {derived_dir}')
        train_cfg_file = found[0]
        rec['genotypes'] = sorted(
            glob.glob(osp.join(derived_dir, 'genotype*')))
        rec['timings_s']['derive'] = round(time.time() - t, 1)
        t = time.time()
    else:
        train_cfg_file = resolve(study_file, variant['config'])

    cfg = Config.fromfile(train_cfg_file)
    cfg.merge_from_dict(variant.get('retrain_cfg_options', {}))
    if study.get('width_match'):  # every net at the study's one GFLOPs
        rec['width'] = match_width(
            cfg, study.width_match, study.get('flops_input_size',
                                              (192, 256)),
            f"variant {variant['name']!r} seed {seed}")
        cfg.merge_from_dict(copy.deepcopy(rec['width']['options']))
    epochs = int(variant.get('retrain_epochs', study.retrain_epochs))
    retarget_config(cfg, coco_root, epochs, num_workers=num_workers,
                    test_split=REPORT_SPLIT)
    check_search_never_reads(cfg, _report_files(coco_root),
                             f"variant {variant['name']!r}: the retraining")
    cfg.randomness = dict(seed=seed)
    retrain_dir = osp.join(out_dir, 'retrain')
    os.makedirs(retrain_dir, exist_ok=True)
    retrain_cfg = osp.join(retrain_dir, 'retrain_config.py')
    cfg.dump(retrain_cfg)
    run_tool(train_tool, [retrain_cfg, '--work-dir', retrain_dir],
             osp.join(retrain_dir, 'train.log'), env=env)
    rec['timings_s']['retrain'] = round(time.time() - t, 1)
    t = time.time()
    ckpt = last_checkpoint(retrain_dir, epochs)
    test_dir = osp.join(out_dir, 'test')
    run_tool(test_tool, [retrain_cfg, ckpt, '--work-dir', test_dir],
             osp.join(out_dir, 'test.log'), env=env)
    rec['timings_s']['test'] = round(time.time() - t, 1)
    rec['metrics'] = latest_metrics(test_dir)
    rec.update(model_complexity(retrain_cfg,
                                study.get('flops_input_size', (192, 256))))
    rec['config'] = retrain_cfg
    rec['checkpoint'] = ckpt
    return rec


def _random_flops_matched(study: Config, study_file: str, variant: dict,
                          seed: int, done: Sequence[Dict[str, Any]],
                          out_dir: str, rec: Dict[str, Any]) -> str:
    """``random_flops_of``: a random architecture of ``search_config``'s
    space whose retrained model is within ``flops_tolerance`` (default 5 %)
    of the GFLOPs of variant ``random_flops_of`` at the same seed; returns
    its retrain config."""
    from pose_nas.apis.random_arch import derive_random_arch
    of = variant['random_flops_of']
    target = [r for r in done if r['variant'] == of and r['seed'] == seed]
    if not target:
        raise RuntimeError(f"variant {variant['name']!r}: variant {of!r} "
                           f'has no finished run at seed {seed} to match')
    input_size = tuple(study.get('flops_input_size', (192, 256)))
    # as heavy as the matched net in the searched space (before widening)
    gflops = target[-1].get('width', {}).get('base_gflops',
                                             target[-1]['gflops'])
    result = derive_random_arch(
        resolve(study_file, variant['search_config']),
        osp.join(out_dir, 'derived'), seed,
        cfg_options=variant.get('search_cfg_options'),
        match=dict(gflops=gflops, input_size=input_size,
                   tolerance=variant.get('flops_tolerance', 0.05),
                   retrain_cfg_options=variant.get('retrain_cfg_options')))
    rec['genotypes'] = sorted(result['genotypes'].values())
    rec['random_draw'] = dict(of=of, target_gflops=gflops,
                              gflops=result['gflops'], trial=result['trial'],
                              walk=result.get('walk'))
    return result['config']


def run_study(study_file: str,
              work_dir: str,
              seeds: Optional[Sequence[int]] = None,
              variants: Optional[Sequence[str]] = None,
              num_workers: int = 2,
              det_checkpoint: Optional[str] = None,
              det_config: Optional[str] = None,
              skip_topdown: bool = False,
              threads: Optional[int] = None,
              resume: bool = False,
              import_runs: Union[str, Sequence[str], None] = None
              ) -> Dict[str, Any]:
    """Run a whole study; writes ``summary.json`` and ``results.md`` under
    ``work_dir`` (updated after every run, so a long study can be watched)
    and returns the summary. ``threads`` sets OpenMP/MKL threads of the
    tool subprocesses (on a shared machine, 1 avoids oversubscription).
    ``resume``: keep the runs an earlier invocation finished (listed in
    ``work_dir/summary.json`` with their checkpoint present) and run only
    the rest (and the top-down step). ``import_runs``: the ``summary.json``
    (or several) of earlier invocations of the same study on the same data,
    e.g. kept under ``benchmarks/`` when a study takes longer than a session
    or ran its seeds as parallel processes: their runs count as finished
    although their checkpoints are gone; a run in two of them is an error (see
    :func:`~pose_nas.workflows.study_records.imported_runs`)."""
    import pose_nas  # noqa: F401  registries, compat shims
    from pose_nas.datasets import generate_synthetic_dataset

    study = Config.fromfile(study_file)
    check_study(study, study_file)
    seeds = list(seeds if seeds is not None else study.seeds)
    check_seeds(seeds, 'seeds')
    chosen = [v for v in study.variants
              if variants is None or v['name'] in variants]
    if variants is not None and len(chosen) != len(variants):
        known = [v['name'] for v in study.variants]
        raise ValueError(f'unknown variant(s) in {list(variants)}; the '
                         f'study has {known}')
    work_dir = osp.abspath(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    data = dict(study.data)
    paths = generate_synthetic_dataset(
        osp.join(work_dir, 'data'), splits=study_splits(data),
        seed=int(data.get('seed', 0)), formats=('coco', ),
        preset=data.get('preset', 'default'))['coco']
    coco_root = osp.dirname(osp.dirname(paths['train']['ann_file']))
    metric = study.get('metric', 'coco/AP')
    summary: Dict[str, Any] = dict(
        study=osp.abspath(study_file), work_dir=work_dir, seeds=seeds,
        data=data, retrain_epochs=study.retrain_epochs,
        search_epochs=study.get('search_epochs'),
        flops_input_size=list(study.get('flops_input_size', (192, 256))),
        width_match=study.get('width_match'), threads=threads, runs=[])

    done = previous_runs(work_dir) if resume else {}
    if import_runs:
        for key, rec in imported_runs(import_runs, study_file, data,
                                      study.retrain_epochs,
                                      study.get('width_match')).items():
            done.setdefault(key, rec)
    # --resume keeps (and reports) an earlier invocation's runs of other
    # variants / seeds too: running a subset never drops finished work
    summary['runs'] = [
        rec for (name, seed), rec in done.items()
        if seed not in seeds or name not in [v['name'] for v in chosen]
    ]
    earlier_topdown = previous_topdown(work_dir) if resume else None
    if earlier_topdown:
        summary['topdown'] = earlier_topdown
    ran = {r['variant'] for r in summary['runs']}
    reported = [v for v in study.variants if v in chosen or v['name'] in ran]
    names = [v['name'] for v in reported]
    pairs = [p for p in study.get('compare', default_pairs(names))
             if p[0] in names and p[1] in names]

    def write():
        summary['table'] = summarize(summary['runs'], reported, metric)
        summary['comparisons'] = comparisons(summary['runs'], names, metric,
                                             pairs)
        summary['plot'] = plot_study(summary['runs'], metric,
                                     osp.join(work_dir, 'study.png'),
                                     summary['flops_input_size'])
        with open(osp.join(work_dir, 'summary.json'), 'w') as f:
            json.dump(summary, f, indent=2)
        with open(osp.join(work_dir, 'results.md'), 'w') as f:
            f.write(markdown_table(summary['table'],
                                   summary['flops_input_size']) + '\n')
            if summary['comparisons']:
                f.write('\nPaired by seed:\n\n' + comparison_table(
                    summary['comparisons']) + '\n')
            moved = movement_table(summary['runs'])
            if moved:
                f.write('\nHow far each search moved its alphas (last '
                        'epoch; entropy 1 = uniform):\n\n' + moved + '\n')

    for seed in seeds:
        for v in chosen:
            if (v['name'], seed) in done:  # finished by an earlier run
                print(f"[study] {v['name']} seed {seed}: done before",
                      flush=True)
                summary['runs'].append(done[(v['name'], seed)])
                continue
            print(f"[study] {v['name']} seed {seed}", flush=True)
            rec = run_variant(study, study_file, v, seed, coco_root,
                              osp.join(work_dir, v['name'], f'seed{seed}'),
                              num_workers, threads,
                              summary['runs'] + [
                                  r for r in done.values()
                                  if r not in summary['runs']])
            print(f"[study] {v['name']} seed {seed}: {metric} = "
                  f"{rec['metrics'].get(metric)}", flush=True)
            summary['runs'].append(rec)
            write()
    write()  # also when every run was finished before (--resume)
    td = study.get('topdown')
    if td and not skip_topdown:
        runs = [r for r in summary['runs'] if r['variant'] == td['variant']]
        if runs:
            summary['topdown'] = run_topdown(study, study_file, runs[0],
                                             paths, work_dir, num_workers,
                                             det_checkpoint, det_config,
                                             threads, REPORT_SPLIT)
            write()
    return summary
