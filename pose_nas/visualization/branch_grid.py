# Copyright (c) pose_nas contributors. All rights reserved.
"""Network-level panels of multi-branch spaces (AutoPose): which branch is
on in which stage."""
from typing import Any, Callable, Dict, Tuple

from matplotlib.patches import FancyBboxPatch

SCALES = ('1/4', '1/8', '1/16', '1/32')


def draw_branch_grid(ax, comp: Dict[str, Any], num_branches: int = 4) -> None:
    """A stages x branches grid of a ``decisions`` component of on/off bits
    (stage-major): active branches filled, inactive ones drawn as a
    dashed identity.

    Args:
        ax: matplotlib axes.
        comp (dict): ``decisions`` component, ``len(values)`` a multiple of
            ``num_branches``.
        num_branches (int): branches per stage (rows).
    """
    values = [int(v) for v in comp['values']]
    stages = max(1, len(values) // num_branches)
    for s in range(stages):
        for b in range(num_branches):
            on = values[s * num_branches + b] == 1
            ax.add_patch(
                FancyBboxPatch((s * 1.6, -b * 0.9), 1.3, 0.65,
                               boxstyle='round,pad=0.03',
                               facecolor='#74c476' if on else 'white',
                               edgecolor='black' if on else '#bdbdbd',
                               linestyle='-' if on else '--',
                               linewidth=1.2 if on else 0.8))
            ax.text(s * 1.6 + 0.65, -b * 0.9 + 0.325,
                    'cells' if on else 'identity', ha='center',
                    va='center', fontsize=7,
                    color='black' if on else '#969696')
        ax.text(s * 1.6 + 0.65, 0.85, f'stage {s + 1}', ha='center',
                va='bottom', fontsize=8)
    for b in range(num_branches):
        label = SCALES[b] if b < len(SCALES) else f'b{b}'
        ax.text(-0.2, -b * 0.9 + 0.325, label, ha='right', va='center',
                fontsize=8)
    ax.set_xlim(-1.0, stages * 1.6)
    ax.set_ylim(-num_branches * 0.9 + 0.1, 1.3)
    ax.axis('off')


#: (space, component) -> panel drawer, used by draw_genotype instead of the
#: generic one for that component
COMPONENT_PANELS: Dict[Tuple[str, str], Callable] = {
    ('AutoPoseBackbone', 'branches'): draw_branch_grid,
}
