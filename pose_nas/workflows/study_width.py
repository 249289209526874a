# Copyright (c) pose_nas contributors. All rights reserved.
"""A study's ``width_match``: every net of a study retrained at the width
that puts it at one GFLOPs target, so that methods whose derived nets differ
in cost (branches a controller switches on, cells that prefer 5x5 convs to
pools) are compared at matched FLOPs.

This is how DARTS-style papers evaluate a searched cell: the search runs a
small proxy and the evaluation network is widened to a budget. Here the
study lists the widths it may choose from, as config overrides, and the
target::

    width_match = dict(
        gflops=0.1,            # of the retrained model at flops_input_size
        tolerance=0.02,        # every net within 2 % of it, else an error
        # narrowest to widest
        choices=[{'model.backbone.channel_multiplier': m,
                  'model.head.in_channels': ...} for m in ...])

:func:`match_width` counts the model of each choice (the retrain config
with the choice merged, genotype included) and keeps the closest. Every
variant of the study (searched, random, published) goes through it; a
FLOPs-matched random variant (``random_flops_of``) is drawn against the
matched run's GFLOPs *before* widening (``base_gflops``), so it is as heavy
as the searched net in the searched space, then widened like it.
"""
import copy
import math
from typing import Any, Dict, Sequence

from mmengine.config import Config

from pose_nas.utils.checks import check_real

__all__ = ['check_width_match', 'match_width']


def check_width_match(spec: Any, who: str) -> Dict[str, Any]:
    """Defaults and one-line errors for a ``width_match`` spec."""
    if not isinstance(spec, dict):
        raise TypeError(f'{who}: width_match must be a dict, got '
                        f'{type(spec).__name__}')
    unknown = set(spec) - {'gflops', 'tolerance', 'choices'}
    if unknown:
        raise KeyError(f'{who}: unknown width_match key(s) {sorted(unknown)}')
    gflops = check_real(spec.get('gflops'), f'{who}: width_match.gflops')
    if not math.isfinite(gflops) or gflops <= 0:
        raise ValueError(f'{who}: width_match.gflops must be a finite '
                         f'number > 0, got {spec.get("gflops")!r}')
    tol = check_real(spec.get('tolerance', 0.02),
                     f'{who}: width_match.tolerance')
    if not 0 < tol < 1:
        raise ValueError(f'{who}: width_match.tolerance must be in (0, 1), '
                         f'got {tol}')
    choices = spec.get('choices')
    if (not isinstance(choices, (list, tuple)) or not choices
            or not all(isinstance(c, dict) and c for c in choices)):
        raise ValueError(f'{who}: width_match.choices must be a non-empty '
                         'list of non-empty dicts of config overrides, got '
                         f'{choices!r}')
    return dict(gflops=gflops, tolerance=tol,
                choices=[dict(c) for c in choices])


def _gflops(cfg: Config, input_size: Sequence[int]) -> float:
    """GFLOPs of ``cfg.model`` at ``input_size`` (w, h)."""
    from pose_nas.deploy.complexity import model_complexity
    return model_complexity(cfg, input_size)['gflops']


def match_width(cfg: Config, spec: Dict[str, Any],
                input_size: Sequence[int], who: str) -> Dict[str, Any]:
    """The width choice of ``spec`` whose model is closest to its GFLOPs
    target. The choices go from narrowest to widest (GFLOPs growing along
    the list): a bisection finds where the target falls, and the choices
    around it are counted too, so a list that is only nearly monotone (two
    width knobs interleaved) still gives the closest one there.

    Args:
        cfg (Config): the retrain config (genotype included); not changed.
        spec (dict): a study's ``width_match`` (see the module docstring).
        input_size (Sequence[int]): (w, h) the GFLOPs are counted at.
        who (str): names the net in errors, e.g. ``"variant 'gdas' seed 1"``.

    Returns:
        dict: ``options`` (the chosen overrides, to merge into ``cfg``),
        ``index`` (of the choice), ``gflops`` (after), ``base_gflops``
        (``cfg`` as given), ``target``, ``tolerance`` and ``counted``
        (how many choices were built).

    Raises:
        ValueError: no choice within ``tolerance`` of the target (the
            closest one is named), or a choice that does not build.
    """
    spec = check_width_match(spec, who)
    target, choices = spec['gflops'], spec['choices']
    counted: Dict[int, float] = {}

    def count(i: int) -> float:
        if i not in counted:
            trial = copy.deepcopy(cfg)
            trial.merge_from_dict(copy.deepcopy(choices[i]))
            try:
                counted[i] = _gflops(trial, input_size)
            except Exception as e:  # noqa: BLE001  name the choice
                raise ValueError(f'{who}: width choice {choices[i]} does '
                                 f'not build ({type(e).__name__}: {e})') \
                    from e
        return counted[i]

    base = _gflops(cfg, input_size)
    lo, hi = 0, len(choices) - 1  # the first choice at or above the target
    while lo < hi:
        mid = (lo + hi) // 2
        if count(mid) < target:
            lo = mid + 1
        else:
            hi = mid
    for i in range(max(0, lo - 2), min(len(choices), lo + 3)):
        count(i)  # neighbours: the list need only be nearly monotone
    best = min(counted.items(), key=lambda kv: (abs(kv[1] / target - 1),
                                                kv[0]))
    i, g = best
    if abs(g / target - 1) > spec['tolerance']:
        raise ValueError(
            f'{who}: no width choice is within {spec["tolerance"]:.0%} of '
            f'{target} GFLOPs (closest: {choices[i]} -> {g:.4f}; '
            f'as derived {base:.4f}): widen the choices')
    return dict(options=copy.deepcopy(choices[i]), index=i, gflops=g,
                base_gflops=base, target=target,
                tolerance=spec['tolerance'], counted=len(counted))
