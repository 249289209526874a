# Copyright (c) pose_nas contributors. All rights reserved.
"""Locate and run the tools shipped inside the installed MMPose package, and
run Python tools in logged subprocesses.

MMPose installs its ``tools/`` (train.py, test.py, ...) under
``site-packages/mmpose/.mim/tools``. pose_nas never forks them: our own
``tools/train.py`` and ``tools/test.py`` import pose_nas (so its registry
entries and compatibility shims exist) and hand over to MMPose's script.
Orchestration (the studies, the synthetic workflow) runs such scripts, and
pose_nas's own command lines as modules (``python -m``, so no path inside a
source checkout is needed), with :func:`run_tool` / :func:`run_module`.

:func:`mmpose_tool_main` is what our thin ``tools/train.py`` /
``tools/test.py`` run: a checkpoint that does not fit the model or cannot
be read, or an annotation file without a usable sample, ends in one line
``<tool>: error: <message>`` and exit status 1 (see
:mod:`pose_nas.workflows.tool_errors`).
"""
import os
import os.path as osp
import runpy
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

__all__ = [
    'mmpose_tool_path', 'run_mmpose_tool', 'mmpose_tool_main', 'run_tool',
    'run_module', 'BackgroundTool', 'thread_env', 'last_checkpoint'
]


def thread_env(threads: Optional[int]) -> Optional[Dict[str, str]]:
    """Environment of a tool subprocess with ``threads`` intra-op threads
    (OpenMP / MKL), or None (the inherited environment) when ``threads``
    is not set."""
    if not threads:
        return None
    env = dict(os.environ)
    for key in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[key] = str(int(threads))
    return env


def last_checkpoint(work_dir: str, epochs: int) -> str:
    """``work_dir/epoch_{epochs}.pth``, the checkpoint a training run of
    ``epochs`` epochs writes last; FileNotFoundError naming it if absent."""
    ckpt = osp.join(work_dir, f'epoch_{epochs}.pth')
    if not osp.isfile(ckpt):
        raise FileNotFoundError(f'training did not write {ckpt}')
    return ckpt


def mmpose_tool_path(name: str) -> str:
    """Return the absolute path of a tool shipped with MMPose.

    Args:
        name (str): Path of the tool relative to MMPose's ``tools`` folder,
            e.g. ``'train.py'`` or ``'analysis_tools/get_flops.py'``.

    Returns:
        str: The absolute path of the script.

    Raises:
        FileNotFoundError: If the installed MMPose does not ship the tool.
    """
    import mmpose
    path = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools', name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'MMPose {mmpose.__version__} does not ship tools/{name} '
            f'(looked for {path}); reinstall mmpose from its wheel.')
    return path


def run_mmpose_tool(name: str, argv: Optional[List[str]] = None) -> None:
    """Run one of MMPose's tools in this process, as ``python tools/<name>``.

    Args:
        name (str): Tool path relative to MMPose's ``tools`` folder.
        argv (list[str], optional): Command-line arguments for the tool.
            Defaults to ``sys.argv[1:]``.
    """
    import pose_nas  # noqa: F401  registers modules, applies compat shims
    from .tool_errors import clear_data_errors
    script = mmpose_tool_path(name)
    args = sys.argv[1:] if argv is None else list(argv)
    old_argv = sys.argv
    sys.argv = [script] + args
    try:
        with clear_data_errors():
            runpy.run_path(script, run_name='__main__')
    finally:
        sys.argv = old_argv
    _close_process_group()


def _close_process_group() -> None:
    """Wait for every rank, then destroy the default process group.

    MMEngine leaves it to the interpreter's exit, where a rank that leaves
    while its peer is still in gloo's teardown can abort with ``terminate
    called without an active exception`` (seen on 2-rank CPU runs).
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def mmpose_tool_main(name: str, argv: Optional[List[str]] = None) -> None:
    """Run one of MMPose's tools as a command line (what ``tools/<name>``
    does): a bad input of :data:`~.tool_errors.TOOL_INPUT_ERRORS` (a
    checkpoint that does not fit or cannot be read, an annotation file
    without a usable sample) is printed as ``<name>: error: <message>``
    and the process exits with status 1, without a traceback.

    Args:
        name (str): Tool path relative to MMPose's ``tools`` folder.
        argv (list[str], optional): Defaults to ``sys.argv[1:]``.
    """
    from pose_nas.nas.checkpoint_check import CheckpointMismatchError
    from .tool_errors import TOOL_INPUT_ERRORS
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        run_mmpose_tool(name, args)
    except TOOL_INPUT_ERRORS as e:
        if (isinstance(e, CheckpointMismatchError) and e.source is None
                and name == 'test.py' and len(args) > 1
                and not args[0].startswith('-')
                and not args[1].startswith('-')):
            e = e.with_source(args[1])  # test.py CONFIG CHECKPOINT ...
        print(f'{osp.basename(name)}: error: {e}', file=sys.stderr)
        sys.exit(1)


def _run_python(args: Sequence[str], log_file: str,
                env: Optional[Dict[str, str]] = None,
                on_line: Optional[Callable[[str], None]] = None) -> None:
    """Run ``python *args`` in a subprocess, logging to ``log_file``; every
    output line is also passed to ``on_line`` (progress displays)."""
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    cmd = [sys.executable, *args]
    with open(log_file, 'w') as f:
        if on_line is None:
            proc = subprocess.run(
                cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
            returncode = proc.returncode
        else:
            with subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, env=env,
                                  text=True, bufsize=1) as proc:
                for line in proc.stdout:
                    f.write(line)
                    on_line(line.rstrip('\n'))
            returncode = proc.returncode
    if returncode != 0:
        with open(log_file) as f:
            tail = ''.join(f.readlines()[-40:])
        raise RuntimeError(f'{" ".join(cmd)} failed ({returncode}); '
                           f'log {log_file}:\n{tail}')


def run_tool(script: str, args: Sequence[str], log_file: str,
             env: Optional[Dict[str, str]] = None,
             on_line: Optional[Callable[[str], None]] = None) -> None:
    """Run ``python script *args`` in a subprocess, logging to ``log_file``.

    Args:
        script (str): Path of the script (e.g. from :func:`mmpose_tool_path`).
        args (Sequence[str]): Its command-line arguments.
        log_file (str): Where stdout and stderr go (folders are created).
        env (dict, optional): Environment of the subprocess; the inherited
            one by default.
        on_line (callable, optional): called with every output line, as
            it comes (e.g. to show MMEngine's training log).

    Raises:
        RuntimeError: With the end of the log when the tool fails.
    """
    _run_python([script, *args], log_file, env, on_line)


def run_module(module: str, args: Sequence[str], log_file: str,
               env: Optional[Dict[str, str]] = None,
               on_line: Optional[Callable[[str], None]] = None) -> None:
    """Run ``python -m module *args`` in a subprocess, logging to
    ``log_file``; like :func:`run_tool` for a command line that lives in an
    importable package (e.g. ``'pose_nas.workflows.derive_cli'``).

    Raises:
        RuntimeError: With the end of the log when the module fails.
    """
    _run_python(['-m', module, *args], log_file, env, on_line)


class BackgroundTool:
    """A tool run in a logged subprocess while the caller goes on (the
    workflow trains its person detector beside the search).

    Args:
        script (str): Path of the script.
        args (Sequence[str]): Its command-line arguments.
        log_file (str): Where stdout and stderr go (folders are created).
        env (dict, optional): Environment of the subprocess.

    Use it as a context manager: leaving the block early (an error in the
    caller's other work) terminates the subprocess.
    """

    def __init__(self, script: str, args: Sequence[str], log_file: str,
                 env: Optional[Dict[str, str]] = None) -> None:
        os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
        self.log_file = log_file
        self.cmd = [sys.executable, script, *args]
        self.started = time.time()
        self._log = open(log_file, 'w')
        self.proc = subprocess.Popen(self.cmd, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env)

    def wait(self, on_line: Optional[Callable[[str], None]] = None,
             poll_s: float = 0.5) -> None:
        """Wait for the tool; lines it writes from now on go to
        ``on_line``. Raises ``RuntimeError`` with the end of the log when it
        failed."""
        with open(self.log_file) as f:
            f.seek(0, os.SEEK_END)
            pending = ''
            while True:
                done = self.proc.poll() is not None
                pending += f.read()
                *lines, pending = pending.split('\n')
                for line in lines:
                    if on_line is not None:
                        on_line(line)
                if done:
                    break
                time.sleep(poll_s)
        self._log.close()
        if self.proc.returncode != 0:
            with open(self.log_file) as f:
                tail = ''.join(f.readlines()[-40:])
            raise RuntimeError(f'{" ".join(self.cmd)} failed '
                               f'({self.proc.returncode}); log '
                               f'{self.log_file}:\n{tail}')

    def __enter__(self) -> 'BackgroundTool':
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self._log.close()
