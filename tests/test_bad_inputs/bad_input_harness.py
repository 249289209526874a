# Copyright (c) pose_nas contributors. All rights reserved.
"""Table-driven bad-input cases for every public entry point.

A :class:`Case` names one bad (or hostile) input, how it is fed to an entry
point (a Python callable, or a tool run as a user runs it) and what must
come out:

- ``expect='error'``: a clear error. For a callable, the exception (of class
  ``exc``) whose message contains ``match`` (a regular expression) and is
  short: at most ``MAX_LINES`` lines and ``MAX_CHARS`` characters. For a
  tool, a non-zero exit whose stderr has no raw traceback and whose last
  lines contain ``match``.
- ``expect='handled'``: a correct outcome (exit 0 for a tool), whose output
  contains ``match`` when given (e.g. a warning).

Each test file in this folder holds one class of inputs (checkpoints,
genotypes, part groupings, strategies and hook arguments, data, tool
flags) as a list of cases run by :func:`check`. A new method adds its rows.
"""
import os
import os.path as osp
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Type

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MAX_LINES = 3
MAX_CHARS = 1500


@dataclass
class ToolResult:
    """What a tool run gave: exit status and both streams."""
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Case:
    """One bad input.

    Args:
        id (str): short name (the pytest id).
        run (callable): ``run(tmp_path)``; returns a :class:`ToolResult`
            (see :func:`tool`) or anything for a callable entry point.
        expect (str): ``'error'`` or ``'handled'``.
        match (str): regular expression the message / output must contain.
        exc (type): exception class of a callable's error.
    """
    id: str
    run: Callable[[Any], Any]
    expect: str = 'error'
    match: str = ''
    exc: Type[BaseException] = Exception
    marks: Sequence[Any] = field(default_factory=tuple)


def tool(script: str, *args: str, timeout: int = 600,
         env: Optional[dict] = None) -> ToolResult:
    """Run ``python tools/<script> args...`` from the repository root."""
    full_env = dict(os.environ, OMP_NUM_THREADS='1',
                    PYTHONWARNINGS='ignore')
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', script),
                           *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=full_env)
    return ToolResult(proc.returncode, proc.stdout, proc.stderr)


def _short(message: str) -> None:
    lines = message.strip().splitlines()
    assert len(lines) <= MAX_LINES and len(message) <= MAX_CHARS, (
        f'error message too long ({len(lines)} lines, {len(message)} '
        f'chars):\n{message[:3000]}')


def check(case: Case, tmp_path) -> None:
    """Run a case and assert its expectation."""
    if case.expect == 'error':
        try:
            result = case.run(tmp_path)
        except case.exc as e:  # a callable's clear error
            message = str(e)
            assert re.search(case.match, message), (
                f'{case.id}: {message!r} does not match {case.match!r}')
            _short(message)
            return
        assert isinstance(result, ToolResult), (
            f'{case.id}: no error raised (got {result!r})')
        assert result.returncode != 0, (
            f'{case.id}: exit 0 on a bad input\n{result.stdout[-2000:]}')
        assert 'Traceback (most recent call last)' not in result.stderr, (
            f'{case.id}: raw traceback\n{result.stderr[-3000:]}')
        tail = '\n'.join(result.stderr.strip().splitlines()[-MAX_LINES:])
        assert re.search(case.match, tail), (
            f'{case.id}: {tail!r} does not match {case.match!r}')
        return
    assert case.expect == 'handled', case.expect
    result = case.run(tmp_path)
    if isinstance(result, ToolResult):
        assert result.returncode == 0, (
            f'{case.id}: exit {result.returncode}\n{result.stderr[-3000:]}')
        assert 'Traceback (most recent call last)' not in result.stderr
        text = result.stdout + result.stderr
    else:
        text = str(result)
    if case.match:
        assert re.search(case.match, text), (
            f'{case.id}: output does not match {case.match!r}:\n'
            f'{text[-2000:]}')


def params(cases: Sequence[Case]):
    """``pytest.mark.parametrize`` arguments for a list of cases."""
    return [pytest.param(c, id=c.id, marks=list(c.marks)) for c in cases]
