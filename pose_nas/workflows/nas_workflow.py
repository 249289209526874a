# Copyright (c) pose_nas contributors. All rights reserved.
"""The NAS workflow on built-in synthetic data, start to finish.

search -> derive (+ pictures) -> retrain -> ``tools/test.py`` -> publish
-> MMDetection person detector -> top-down inference, every step through
MMPose's / MMDetection's own tools or pose_nas's command lines, for one
method of :data:`WORKFLOW_METHODS`. ``tools/run_nas_workflow.py`` is its
command line (the README's command 2).
"""
import contextlib
import glob
import json
import os
import os.path as osp
import time
from typing import Any, Dict, Optional

from mmengine.config import Config

from .config_retarget import retarget_config
from .progress import Phases, closing_table, mmengine_progress, quiet
from .metrics import latest_metrics, match_topdown_results
from .tool_runner import (BackgroundTool, mmpose_tool_path, run_module,
                          run_tool, thread_env)

DERIVE_MODULE = 'pose_nas.workflows.derive_cli'
REPORT_SPLIT = 'test'

#: method -> its synthetic search: the search config (relative to the
#: configs folder), epochs of search and retraining, config options.
#: Sized so that the whole workflow takes at most ~10 min on 2 CPU cores.
WORKFLOW_METHODS: Dict[str, Dict[str, Any]] = dict(
    efficientpose=dict(
        search_config='efficientpose/efficientpose-darts1-budget0.6g_'
        'efficientpose_slimdeconv_1xb8-10e_synthcoco-128x96.py',
        what='budget-aware first-order DARTS over inverted-residual blocks',
        search_epochs=3, retrain_epochs=20,
        search_cfg_options={
            'train_dataloader.dataset.dataset.indices': 96,
            'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices':
            96,
        }),
    pnfs=dict(
        search_config='pnfs/pnfs-sync_mbv2_vip-p3-c4-h1-d8_1xb16-20e_'
        'synthcoco-128x96.py',
        what='part-specific neural fabrics, searched with the weights '
        '(synchronous)',
        search_epochs=4, retrain_epochs=20,
        derive_args=['--prune-below', '1e-3']),
    posenas=dict(
        search_config='posenas/posenas-darts1_posenas-l8-c8_fusiondec_'
        '1xb8-10e_synthcoco-64x48.py',
        what='DARTS-cell encoder + scale-adaptive fusion decoder, '
        'first-order DARTS on a held-out part of train',
        search_epochs=3, retrain_epochs=20, input_size=(48, 64),
        search_cfg_options={
            # the search reads the first 240 person instances (of ~740)
            'train_dataloader.dataset.dataset.indices': 240,
            'train_cfg.search.darts.arch_dataloader.dataset.dataset.indices':
            240,
            # 42 arch steps: with the config's arch Adam (lr 1e-2, DARTS's
            # weight decay 1e-3) the heatmap loss's arch gradients are so
            # small that weight decay holds the alphas within 0.05 of
            # uniform (measured); without decay, lr 0.1 moves them
            'train_cfg.search.arch_optimizer.lr': 0.1,
            'train_cfg.search.arch_optimizer.weight_decay': 0.0,
        }),
    autopose=dict(
        search_config='autopose/autopose-darts1-gumbel-reinforce_autopose_'
        'hm_1xb8-3e_synthcoco-64x48.py',
        what='multi-branch multi-scale modules: Gumbel-softmax cells + '
        'REINFORCE branch controller',
        search_epochs=3, retrain_epochs=20, input_size=(48, 64)),
)
DEFAULT_METHOD = 'posenas'
#: what the test phase reports (COCO AP, and PCK@0.2 of the box, which
#: still ranks nets on small crops where AP is ~0)
TEST_EVALUATORS = [
    dict(type='CocoMetric'),
    dict(type='PCKAccuracy', thr=0.2, prefix='pck'),
]
DET_CONFIG = 'detectors/rtmdet-atto_1xb16-20e_synthcoco-person-160x160.py'

def configs_root() -> str:
    """The configs folder: the installed package's ``.mim/configs`` or the
    checkout's ``configs/``."""
    pkg = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.join(pkg, '.mim', 'configs'),
                 osp.join(osp.dirname(pkg), 'configs')):
        if osp.isdir(root):
            return root
    raise FileNotFoundError(f'no configs folder next to {pkg}')


def save_initial_checkpoint(config_file: str, out_file: str) -> str:
    """Save a freshly initialised model of ``config_file`` as an MMEngine
    checkpoint (the "untrained" reference)."""
    import torch
    from mmpose.apis import init_model
    model = init_model(config_file, checkpoint=None, device='cpu')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': model.dataset_meta}}, out_file)
    return out_file


def _prepare(cfg_file: str, coco_root: str, epochs: int, out_file: str,
             seed: int, num_workers: int,
             options: Optional[dict] = None) -> str:
    from pose_nas.datasets.heldout_split import check_search_never_reads
    cfg = Config.fromfile(cfg_file)
    cfg.merge_from_dict(options or {})
    if cfg.get('retrain_config'):  # keep it valid once the cfg moves
        cfg.retrain_config = osp.join(osp.dirname(cfg_file),
                                      cfg.retrain_config)
    retarget_config(cfg, coco_root, epochs, num_workers=num_workers,
                    test_split=REPORT_SPLIT)
    check_search_never_reads(cfg, [osp.join(
        coco_root, 'annotations', f'person_keypoints_{REPORT_SPLIT}.json')],
        cfg_file)
    cfg.randomness = dict(seed=seed)
    if 'search' in (cfg.get('train_cfg') or {}):  # nothing reads its val
        cfg.train_cfg.val_interval = cfg.train_cfg.val_begin = epochs + 1
    os.makedirs(osp.dirname(out_file), exist_ok=True)
    cfg.dump(out_file)
    return out_file


PHASES = ['data', 'search', 'derive', 'retrain', 'test', 'publish',
          'detector', 'top-down']


def run_nas_workflow(method: str = DEFAULT_METHOD,
                     work_dir: str = 'work_dirs/nas_workflow',
                     num_train: int = 400,
                     num_val: int = 60,
                     num_test: int = 60,
                     seed: int = 0,
                     num_workers: int = 2,
                     threads: Optional[int] = None,
                     det_epochs: int = 20,
                     det_config: Optional[str] = None,
                     det_checkpoint: Optional[str] = None,
                     num_demo_images: int = 10,
                     bbox_thr: float = 0.1,
                     search_epochs: Optional[int] = None,
                     retrain_epochs: Optional[int] = None) -> Dict[str, Any]:
    """Run the whole workflow for ``method``; returns the summary (also
    written to ``work_dir/summary.json``). ``search_epochs`` /
    ``retrain_epochs`` override the method's (shorter smoke runs).

    The person detector does not depend on the search, so it trains in a
    second process beside phases 2-6; ``threads`` (default: half the CPU
    cores, at least 1) is the OpenMP/MKL thread count of each process.
    """
    import mmdet

    import pose_nas  # noqa: F401  registries, compat shims
    from pose_nas.datasets import generate_synthetic_dataset
    if method not in WORKFLOW_METHODS:
        raise ValueError(f'unknown method {method!r}; choose from '
                         f'{sorted(WORKFLOW_METHODS)}')
    if (det_checkpoint is None) != (det_config is None):
        raise ValueError('give both --det-config and --det-checkpoint, or '
                         'neither (then a detector is trained)')
    spec = dict(WORKFLOW_METHODS[method])
    if search_epochs is not None:
        spec['search_epochs'] = search_epochs
    if retrain_epochs is not None:
        spec['retrain_epochs'] = retrain_epochs
    work_dir = osp.abspath(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    if threads is None:
        threads = max(1, (os.cpu_count() or 2) // 2)
    env = thread_env(threads)
    show = mmengine_progress()
    summary: Dict[str, Any] = dict(method=method, what=spec['what'],
                                   work_dir=work_dir, seed=seed,
                                   report_split=REPORT_SPLIT)
    phases = Phases(PHASES)

    phases.start('data', f'synthetic COCO, {num_train} train / {num_val} '
                 f'val / {num_test} test images (disjoint)')
    paths = generate_synthetic_dataset(
        osp.join(work_dir, 'data'), splits={'train': num_train,
                                            'val': num_val,
                                            REPORT_SPLIT: num_test},
        seed=seed, formats=('coco', ))['coco']
    coco_root = osp.dirname(osp.dirname(paths['train']['ann_file']))
    summary['data'] = paths
    det_job, det_dir = None, osp.join(work_dir, 'detector')
    if det_checkpoint is None:
        det_config = _prepare(osp.join(configs_root(), DET_CONFIG),
                              coco_root, det_epochs,
                              osp.join(det_dir, 'det_config.py'), seed,
                              num_workers)
        det_train = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools',
                             'train.py')
        det_job = BackgroundTool(det_train,
                                 [det_config, '--work-dir', det_dir],
                                 osp.join(det_dir, 'train.log'), env=env)
    phases.done('the person detector starts training beside the search'
                if det_job else '')

    with det_job or contextlib.nullcontext():
        release = _search_to_release(method, spec, work_dir, coco_root,
                                     seed, num_workers, env, phases, show,
                                     summary)
        if det_job is not None:
            phases.start('detector', f'MMDetection RTMDet person detector, '
                         f'{det_epochs} epochs (MMDetection tools/train.py, '
                         'trained beside phases 2-6)')
            det_job.wait(on_line=show)
            det_checkpoint = osp.join(det_dir, f'epoch_{det_epochs}.pth')
            try:  # a schedule shorter than its val_interval validates never
                summary['detector'] = latest_metrics(det_dir)
            except (FileNotFoundError, ValueError):
                summary['detector'] = {}
            summary['detector_train_s'] = round(
                time.time() - det_job.started, 1)
            mapv = summary['detector'].get('coco/bbox_mAP')
            phases.done(('' if mapv is None else f'bbox mAP {mapv:.3f} on '
                         'val; ') + 'trained '
                        f"{summary['detector_train_s']:.0f} s in all")
            # the phase itself only waited for the detector
            phases.timings['detector wait'] = phases.timings.pop('detector')
        else:
            phases.start('detector', f'reusing {det_checkpoint}')
            phases.done()

    phases.start('top-down', f'detector -> boxes -> the release, on '
                 f'{num_demo_images} {REPORT_SPLIT} images')
    summary.update(_topdown(release, det_config, det_checkpoint, paths,
                            num_demo_images, bbox_thr, work_dir))
    phases.done()

    summary['timings_s'] = dict(phases.timings,
                                total=round(time.time() - phases.started, 1))
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


def _search_to_release(method: str, spec: Dict[str, Any], work_dir: str,
                       coco_root: str, seed: int, num_workers: int,
                       env: Optional[Dict[str, str]], phases: Phases,
                       show, summary: Dict[str, Any]) -> Dict[str, str]:
    """Phases 2-6: search, derive (+ pictures), retrain, test the untrained
    and the retrained net, publish and test the release; returns the
    release (config, checkpoint, sha256)."""
    from pose_nas.apis.publish import publish_model
    from pose_nas.deploy.complexity import model_complexity
    from pose_nas.visualization import (draw_genotype, plot_arch_history,
                                        read_arch_history)
    root = configs_root()
    input_size = tuple(spec.get('input_size', (96, 128)))
    train_tool, test_tool = (mmpose_tool_path('train.py'),
                             mmpose_tool_path('test.py'))

    search_cfg_src = osp.join(root, spec['search_config'])
    phases.start('search', f"{method}: {spec['what']}, "
                 f"{spec['search_epochs']} epochs "
                 f'({osp.basename(search_cfg_src)})')
    search_dir = osp.join(work_dir, 'search')
    search_cfg = _prepare(search_cfg_src, coco_root, spec['search_epochs'],
                          osp.join(search_dir, 'search_config.py'), seed,
                          num_workers, spec.get('search_cfg_options'))
    run_tool(train_tool, [search_cfg, '--work-dir', search_dir],
             osp.join(search_dir, 'train.log'), env=env, on_line=show)
    phases.done()

    phases.start('derive', 'genotype, retrain config, pictures')
    derived_dir = osp.join(work_dir, 'derived')
    ckpt = osp.join(search_dir, f"epoch_{spec['search_epochs']}.pth")
    run_module(DERIVE_MODULE, [search_cfg, ckpt, '--out-dir', derived_dir,
                               *map(str, spec.get('derive_args', []))],
               osp.join(derived_dir, 'derive.log'), env=env)
    retrain_src = sorted(glob.glob(osp.join(derived_dir, '*_derived.py')))
    if len(retrain_src) != 1:
        raise RuntimeError(f'derive wrote {retrain_src} in {derived_dir}')
    genotypes = sorted(glob.glob(osp.join(derived_dir, 'genotype*.json')))
    pictures = [draw_genotype(g, osp.splitext(g)[0] + '.png')
                for g in genotypes]
    history = osp.join(search_dir, 'arch_history.jsonl')
    if osp.isfile(history) and read_arch_history(history):
        pictures.append(plot_arch_history(
            read_arch_history(history),
            osp.join(derived_dir, 'arch_history.png')))
    summary.update(genotypes=genotypes, pictures=pictures)
    phases.done(f'{len(genotypes)} genotype file(s)')

    phases.start('retrain', f"the derived net from scratch, "
                 f"{spec['retrain_epochs']} epochs")
    retrain_dir = osp.join(work_dir, 'retrain')
    retrain_cfg = _prepare(retrain_src[0], coco_root, spec['retrain_epochs'],
                           osp.join(retrain_dir, 'retrain_config.py'), seed,
                           num_workers, dict(
                               spec.get('retrain_cfg_options') or {},
                               val_evaluator=TEST_EVALUATORS,
                               test_evaluator=TEST_EVALUATORS))
    run_tool(train_tool, [retrain_cfg, '--work-dir', retrain_dir],
             osp.join(retrain_dir, 'train.log'), env=env, on_line=show)
    trained = osp.join(retrain_dir, f"epoch_{spec['retrain_epochs']}.pth")
    phases.done()

    phases.start('test', f'MMPose tools/test.py on the {REPORT_SPLIT} split:'
                 ' the untrained derived net, then the retrained one')
    with quiet(osp.join(work_dir, 'workflow.log')):
        untrained = save_initial_checkpoint(
            retrain_cfg, osp.join(retrain_dir, 'untrained.pth'))
    results = {}
    for name, ck in (('untrained', untrained), ('searched', trained)):
        out = osp.join(work_dir, f'test_{name}')
        run_tool(test_tool, [retrain_cfg, ck, '--work-dir', out],
                 osp.join(out, 'test.log'), env=env)
        results[name] = latest_metrics(out)
    summary['test'] = results
    with quiet(osp.join(work_dir, 'workflow.log')):
        summary.update(model_complexity(retrain_cfg, input_size))
    summary['input_size'] = list(input_size)
    phases.done()

    phases.start('publish', 'weights-only release with its genotype, '
                 'self-contained config; tested again')
    with quiet(osp.join(work_dir, 'workflow.log')):
        release = publish_model(retrain_cfg, trained,
                                osp.join(work_dir, 'release'),
                                name=f'{method}_synthcoco')
    out = osp.join(work_dir, 'test_release')
    run_tool(test_tool, [release['config'], release['checkpoint'],
                         '--work-dir', out], osp.join(out, 'test.log'),
             env=env)
    results['release'] = latest_metrics(out)
    summary['release'] = dict(checkpoint=release['checkpoint'],
                              config=release['config'],
                              sha256=release['sha256'])
    phases.done(osp.basename(release['checkpoint']))
    return release


def _topdown(release: Dict[str, str], det_config: str, det_checkpoint: str,
             paths: Dict[str, Any], num_demo_images: int, bbox_thr: float,
             work_dir: str) -> Dict[str, Any]:
    """Phase 8: detector -> boxes -> the release on held-out images,
    matched against their annotations."""
    from pose_nas.apis import init_topdown_inferencer, topdown_predict
    images = sorted(glob.glob(osp.join(paths[REPORT_SPLIT]['img_dir'],
                                       '*')))[-num_demo_images:]
    demo_dir = osp.join(work_dir, 'topdown')
    with quiet(osp.join(work_dir, 'workflow.log')):
        inferencer = init_topdown_inferencer(
            release['config'], release['checkpoint'], det_config,
            det_checkpoint, device='cpu')
        preds = topdown_predict(
            inferencer, images, bbox_thr=bbox_thr,
            vis_out_dir=osp.join(demo_dir, 'visualizations'),
            pred_out_dir=osp.join(demo_dir, 'predictions'))
    return dict(topdown=match_topdown_results(
        preds, paths[REPORT_SPLIT]['ann_file'], images),
        topdown_visualizations=osp.join(demo_dir, 'visualizations'))
