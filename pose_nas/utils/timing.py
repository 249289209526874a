# Copyright (c) pose_nas contributors. All rights reserved.
"""Wall-clock timing of a callable (the benchmarks' one timer), and CPU
pinning for steadier timings."""
import contextlib
import os
import statistics
import time
from typing import Any, Callable, Dict, Iterator, List


def time_fn(fn: Callable[[], Any],
            warmup: int,
            repeats: int,
            budget_s: float = 0.0,
            min_repeats: int = 1) -> Dict[str, Any]:
    """Median / p90 / min / mean milliseconds of ``fn()``.

    Args:
        fn (Callable): what is timed (no arguments).
        warmup (int): untimed calls first.
        repeats (int): timed calls (at most, see ``budget_s``).
        budget_s (float): when > 0, time only about ``budget_s`` seconds
            (estimated from the fastest warm-up call), but at least
            ``min_repeats`` calls. Defaults to 0 (always ``repeats``).
        min_repeats (int): lower bound of timed calls with a budget.

    Returns:
        dict: ``median_ms``, ``p90_ms``, ``min_ms``, ``mean_ms``,
        ``repeats``, ``warmup``.
    """
    if repeats < 1:
        raise ValueError(f'time_fn: repeats must be >= 1, got {repeats}')
    t_warm = []
    for _ in range(warmup):
        t = time.perf_counter()
        fn()
        t_warm.append(time.perf_counter() - t)
    n = repeats
    if budget_s > 0 and t_warm:
        est = min(t_warm)
        n = min(repeats, max(min_repeats, int(budget_s / max(est, 1e-9))))
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
    return dict(
        median_ms=1e3 * statistics.median(times),
        p90_ms=1e3 * p90,
        min_ms=1e3 * times[0],
        mean_ms=1e3 * statistics.fmean(times),
        repeats=n,
        warmup=warmup)


@contextlib.contextmanager
def pinned_cpus(n: int) -> Iterator[List[int]]:
    """Run the block on ``n`` CPUs of this process's allowed set (the last
    ones: CPU 0 takes most interrupts), restoring the affinity afterwards.

    On a small shared machine a timed thread that migrates between cores
    varies far more (here: +-10 % vs +-2 % at one thread). Yields the CPUs
    used, or ``[]`` where ``os.sched_setaffinity`` does not exist or ``n``
    is not below the CPUs allowed (nothing is changed then).
    """
    if not hasattr(os, 'sched_setaffinity'):
        yield []
        return
    allowed = sorted(os.sched_getaffinity(0))
    if not 0 < n < len(allowed):
        yield []
        return
    cpus = allowed[-n:]
    os.sched_setaffinity(0, cpus)
    try:
        yield cpus
    finally:
        os.sched_setaffinity(0, allowed)
