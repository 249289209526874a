# Copyright (c) pose_nas contributors. All rights reserved.
"""What a person sees while a workflow runs: numbered phase lines with
their wall time, MMEngine's training log in short, in-process library
chatter sent to a log file, and the NAS workflow's closing table."""
import contextlib
import logging
import os
import os.path as osp
import re
import time
import warnings
from typing import Any, Callable, Dict, List, Optional

__all__ = ['Phases', 'closing_table', 'mmengine_progress', 'quiet']

_TRAIN_LINE = re.compile(
    r'Epoch\((train|val)\)\s*\[(\d+)\](?:\[\s*(\d+)/(\d+)\])?(.*)')



#: validation metrics shown (pose: COCO AP, PCK; detector: bbox mAP)
_VAL_KEYS = ('coco/AP', 'coco/bbox_mAP', 'PCK', 'pck/')


def mmengine_progress(prefix: str = '      ') -> Callable[[str], None]:
    """An ``on_line`` callback that prints MMEngine's train / val log lines
    in short (epoch, iteration, loss, eta; the metrics of a validation)."""

    def show(line: str) -> None:
        m = _TRAIN_LINE.search(line)
        if m is None:
            return
        kind, epoch, it, total, rest = m.groups()
        fields = dict(re.findall(r'([\w/]+): ([-\d.e]+)', rest))
        if kind == 'train':
            keep = [f'{k} {fields[k]}' for k in ('loss', 'arch_loss',
                                                 'expected_gflops')
                    if k in fields]
            eta = re.search(r'eta: (\S+)', rest)
            print(f'{prefix}epoch {epoch} [{it}/{total}] '
                  + '  '.join(keep) + (f'  eta {eta.group(1)}'
                                       if eta else ''), flush=True)
        else:
            keep = [f'{k} {v}' for k, v in fields.items()
                    if k.startswith(_VAL_KEYS)][:2]
            print(f'{prefix}val epoch {epoch}: ' + '  '.join(keep),
                  flush=True)

    return show


class Phases:
    """Numbered phase lines with their wall time."""

    def __init__(self, names: List[str]) -> None:
        self.names = names
        self.timings: Dict[str, float] = {}
        self.started = self._t = time.time()
        self._current: Optional[str] = None

    def start(self, name: str, detail: str = '') -> None:
        self._current, self._t = name, time.time()
        i = self.names.index(name) + 1
        print(f'[{i}/{len(self.names)}] {name}' +
              (f': {detail}' if detail else ''), flush=True)

    def done(self, note: str = '') -> None:
        dt = round(time.time() - self._t, 1)
        self.timings[self._current] = dt
        print(f'      done in {dt:.0f} s' + (f' ({note})' if note else ''),
              flush=True)


@contextlib.contextmanager
def quiet(log_file: str):
    """Send what in-process MMEngine / MMPose calls print (checkpoint
    loading lines, registry-scope and metainfo warnings, saved-image
    notices) to ``log_file`` instead of the console."""
    from mmengine.logging import MMLogger
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    logger = MMLogger.get_current_instance()
    handlers = [(h, h.level) for h in logger.handlers]
    with open(log_file, 'a') as f, warnings.catch_warnings(), \
            contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
        warnings.simplefilter('ignore')
        for h, _ in handlers:
            h.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for h, level in handlers:
                h.setLevel(level)


def closing_table(summary: Dict[str, Any]) -> str:
    """The short report a person reads at the end."""
    test = summary['test']

    def ap(name):
        m = test.get(name, {})
        return (f"{m.get('coco/AP', float('nan')):.3f} | "
                f"{m.get('pck/PCK', float('nan')):.3f}")

    w, h = summary.get('input_size', (96, 128))

    td = summary.get('topdown', {})
    lines = [
        f"pose_nas NAS workflow: {summary['method']} ({summary['what']}),"
        ' synthetic COCO',
        '',
        f"| model ({summary.get('report_split', 'test')} split, "
        'MMPose tools/test.py) | COCO AP '
        '| PCK@0.2 |',
        '| --- | ---: | ---: |',
        f"| derived net, untrained | {ap('untrained')} |",
        f"| searched -> derived -> retrained | {ap('searched')} |",
        f"| its release (init_model / tools/test.py) | {ap('release')} |",
        '',
        f"derived net: {summary.get('params_m', float('nan')):.2f} M params, "
        f"{summary.get('gflops', float('nan')):.3f} GFLOPs at {h}x{w}",
        f"release: {summary['release']['checkpoint']}",
        f"         sha256 {summary['release']['sha256']}",
        f"top-down on held-out images: recall@0.5 "
        f"{td.get('recall@0.5', float('nan')):.2f}, PCK@0.1 "
        f"{td.get('pck@0.1', float('nan')):.2f} "
        f"({summary.get('topdown_visualizations')})",
        'pictures: ' + ', '.join(summary.get('pictures', [])),
        f"time: {summary['timings_s']['total']:.0f} s "
        '(' + ', '.join(f'{k} {v:.0f}' for k, v in
                        summary['timings_s'].items() if k != 'total') + ')',
        f"summary: {osp.join(summary['work_dir'], 'summary.json')}",
    ]
    return '\n'.join(lines)
