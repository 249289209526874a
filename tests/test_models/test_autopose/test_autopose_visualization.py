# Copyright (c) pose_nas contributors. All rights reserved.
"""Pictures of AutoPose: the branch grid per stage and the entropy of both
search levels."""
import os.path as osp

import numpy as np

from pose_nas.models.autopose import AutoPoseBackbone
from pose_nas.visualization import draw_genotype
from pose_nas.visualization.arch_history import (_controller_entropy,
                                                 plot_arch_history)
from pose_nas.visualization.branch_grid import COMPONENT_PANELS

TINY = dict(stem_channels=4, channels=(2, 4, 6, 8), individual_nodes=1,
            aggregation_nodes=1, modules_per_stage=1)


def test_genotype_picture_has_the_branch_grid(tmp_path, monkeypatch):
    g = AutoPoseBackbone(**TINY).derive_genotype(decisions=[1, 0] * 6)
    seen = []
    panel = COMPONENT_PANELS[('AutoPoseBackbone', 'branches')]
    monkeypatch.setitem(COMPONENT_PANELS, ('AutoPoseBackbone', 'branches'),
                        lambda ax, comp: seen.append(comp) or panel(ax, comp))
    out = draw_genotype(g, str(tmp_path / 'g.png'))
    assert osp.getsize(out) > 0
    assert seen and seen[0]['values'] == [1, 0] * 6


def test_history_plots_controller_entropy(tmp_path):
    uniform = dict(probs=[[0.5, 0.5]] * 12, greedy=[0] * 12)
    decided = dict(probs=[[0.99, 0.01]] * 12, greedy=[0] * 12)
    history = [
        dict(epoch=1, arch={}, decisions={'': uniform}),
        dict(epoch=2, arch={}, decisions={'': decided}),
    ]
    ent = _controller_entropy(history)['']
    assert np.isclose(ent[0], 1.0) and ent[1] < 0.1
    assert osp.getsize(plot_arch_history(history,
                                         str(tmp_path / 'h.png'))) > 0
