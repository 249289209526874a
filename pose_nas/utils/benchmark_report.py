# Copyright (c) pose_nas contributors. All rights reserved.
"""Report code shared by the benchmark tools.

``tools/benchmark.py`` (CPU speed) and ``tools/benchmark_search.py``
(search cost) write the same kind of report: a JSON file with ``machine``,
``settings``, ``notes`` and ``results``, and a markdown page with a table
and the notes. The notes (how things were measured) are prose kept in
``benchmarks/*_method.md`` under a ``## Notes`` heading; :func:`read_notes`
reads them, so the JSON and the markdown page carry the same text.

MMEngine's :func:`mmengine.utils.dl_utils.collect_env` describes the build
environment (compilers, CUDA build, OpenCV); a timing needs the machine it
ran on (CPU model and capability, threads, load), which
:func:`machine_info` reports.
"""
import importlib
import json
import os
import os.path as osp
import platform
from typing import Any, Dict, List, Optional, Sequence


def _version(package: str) -> Optional[str]:
    try:
        return importlib.import_module(package).__version__
    except ImportError:
        return None


def machine_info(threads: int,
                 packages: Sequence[str] = ('mmengine', 'mmpose'),
                 optional_packages: Sequence[str] = (),
                 cpu_details: bool = False,
                 cuda: bool = False) -> Dict[str, Any]:
    """The machine and the software a benchmark ran with.

    Args:
        threads (int): intra-op threads of the runs.
        packages (Sequence[str]): packages whose ``__version__`` is
            reported (they must be importable).
        optional_packages (Sequence[str]): packages reported as ``None``
            when missing.
        cpu_details (bool): add the CPU model (``/proc/cpuinfo``), torch's
            CPU capability, MKL-DNN availability and the load average
            (``loadavg_start``).
        cuda (bool): add ``cuda``, the name of GPU 0 or None.

    Returns:
        dict: ``platform``, ``processor``, ``python``, ``cpu_count``,
        ``torch``, ``threads``, one key per package, and the optional keys.
    """
    import torch
    info: Dict[str, Any] = dict(
        platform=platform.platform(),
        processor=platform.processor() or platform.machine(),
        python=platform.python_version(),
        cpu_count=os.cpu_count(),
        torch=torch.__version__,
        threads=threads)
    for pkg in packages:
        info[pkg] = importlib.import_module(pkg).__version__
    for pkg in optional_packages:
        info[pkg] = _version(pkg)
    if cuda:
        info['cuda'] = (torch.cuda.get_device_name(0)
                        if torch.cuda.is_available() else None)
    if cpu_details:
        info['torch_cpu_capability'] = \
            torch.backends.cpu.get_cpu_capability()
        info['mkldnn'] = torch.backends.mkldnn.is_available()
        try:
            with open('/proc/cpuinfo') as f:
                for line in f:
                    if line.startswith('model name'):
                        info['cpu_model'] = line.split(':', 1)[1].strip()
                        break
        except OSError:
            pass
        try:
            info['loadavg_start'] = list(os.getloadavg())
        except OSError:
            pass
    return info


def read_notes(path: str, heading: str = 'Notes') -> List[str]:
    """The bullets under ``## <heading>`` of a markdown file, one string
    each (wrapped lines joined by single spaces)."""
    notes: List[str] = []
    inside = False
    with open(path, encoding='utf-8') as f:
        for line in f:
            text = line.rstrip('\n')
            if text.startswith('#'):
                inside = text.lstrip('#').strip() == heading
                continue
            if not inside or not text.strip():
                continue
            if text.startswith('- '):
                notes.append(text[2:].strip())
            elif notes and text[0].isspace():
                notes[-1] += ' ' + text.strip()
            else:
                raise ValueError(f'{path}: under "## {heading}" only "- " '
                                 f'bullets are read, got {text!r}')
    if not notes:
        raise ValueError(f'{path} has no bullets under "## {heading}"')
    return notes


def markdown_table(head: Sequence[str],
                   rows: Sequence[Sequence[str]],
                   align: Optional[Sequence[str]] = None) -> str:
    """A markdown table; ``align`` holds one separator per column
    (``'---'`` or ``'---:'``; all ``'---'`` by default)."""
    align = list(align) if align is not None else ['---'] * len(head)
    if len(align) != len(head):
        raise ValueError(f'{len(align)} alignments for {len(head)} columns')
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join(align) + '|']
    lines += ['| ' + ' | '.join(row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def write_json(report: Dict[str, Any], path: str) -> None:
    """``report`` as indented JSON with sorted keys (parent folders are
    created)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(report, f, sort_keys=True, indent=2)
        f.write('\n')


def write_markdown(path: str, title: str, intro: Sequence[str], table: str,
                   notes: Sequence[str]) -> None:
    """A report page: ``# title``, the intro paragraphs, the table and the
    notes as a bullet list."""
    text = [f'# {title}', '']
    for paragraph in intro:
        text += [paragraph, '']
    text += [table, '', 'Notes:', ''] + [f'- {n}' for n in notes]
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(text) + '\n')
