# Copyright (c) pose_nas contributors. All rights reserved.
"""Resident memory of this process, sampled while something runs."""
import os
import subprocess
import sys
from typing import Optional

# the monitor: says 'ready', samples /proc/<pid>/statm every <interval> s
# until a line arrives on its stdin (or the process is gone), then prints
# the peak
_MONITOR = '''
import os, select, sys
pid, interval = int(sys.argv[1]), float(sys.argv[2])
page, peak = os.sysconf('SC_PAGE_SIZE'), 0
print('ready', flush=True)
while True:
    try:
        with open(f'/proc/{pid}/statm') as f:
            peak = max(peak, int(f.read().split()[1]) * page)
    except (OSError, ValueError, IndexError):
        break
    if select.select([sys.stdin], [], [], interval)[0]:
        break
print(peak, flush=True)
'''


def current_rss_bytes(pid: Optional[int] = None) -> int:
    """Resident set size of process ``pid`` (default: this one) now
    (``/proc/<pid>/statm``; 0 where it does not exist)."""
    try:
        with open(f'/proc/{pid or "self"}/statm') as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf('SC_PAGE_SIZE')


class RssSampler:
    """Peak resident memory above a starting point, sampled from outside.

    ``ru_maxrss`` is a high-water mark of the whole process: the imports
    and whatever ran before set it, so a small model's training may never
    raise it. This samples the *current* RSS of this process every
    ``interval`` seconds between :meth:`start` and :meth:`stop`, from a
    separate monitor process (a sampling thread would compete for the GIL
    with what is being measured, and timings taken at the same time would
    suffer); :attr:`peak_rise` is the highest sample minus the RSS at
    :meth:`start` (what the block added: weights built inside it,
    gradients, optimizer state, activations).

    Args:
        interval (float): seconds between samples. Defaults to 0.005.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = float(interval)
        self.start_rss = 0
        self.peak = 0
        self._proc: Optional[subprocess.Popen] = None

    def start(self) -> 'RssSampler':
        self.start_rss = current_rss_bytes()
        self.peak = self.start_rss
        self._proc = subprocess.Popen(
            [sys.executable, '-c', _MONITOR, str(os.getpid()),
             str(self.interval)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._proc.stdout.readline()  # sampling from here on
        return self

    def stop(self) -> int:
        """Stop sampling; returns :attr:`peak_rise` in bytes."""
        if self._proc is not None:
            out, _ = self._proc.communicate('stop\n')
            self._proc = None
            try:
                self.peak = max(self.peak, int(out.split()[0]))
            except (ValueError, IndexError):
                pass
        self.peak = max(self.peak, current_rss_bytes())
        return self.peak_rise

    @property
    def peak_rise(self) -> int:
        return self.peak - self.start_rss
