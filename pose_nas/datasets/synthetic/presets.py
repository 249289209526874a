# Copyright (c) pose_nas contributors. All rights reserved.
"""Named, versioned settings of the synthetic generator.

A preset fixes everything that decides what an image looks like (image size,
figures per image, scene probabilities): two datasets made with the same
preset, seed and split sizes are the same data, and a number reported "on
``synthcoco-bench-v1``" means one thing. A preset never changes once
published; a changed scene is a new name (``-v2``).

- ``default``: the generator's defaults (320x256 images, up to 3 figures);
  what the engine's and the methods' quick synthetic configs use.
- ``synthcoco-bench-v1``: the benchmark that ranks architectures (README,
  "synthcoco-bench-v1"): 128x128 images with one or two figures (15 % two,
  often overlapping), at most one occluder, at least 12 visible COCO joints
  per figure, 10 % back views, 5 % tilted up to 45 deg, textured clutter;
  sized so that an MMPose baseline (``configs/baselines/td-hm_res18s3-c32_
  hm_1xb32-10e_synthcoco-bench-v1-128x96.py``) trains to a test AP of about
  0.5 with ground-truth boxes in under 10 minutes on 2 CPU cores, and a
  quarter-width one stays clearly lower. Splits: ``train`` 4000 (weights;
  a search's arch steps and rewards use a held-out part of it), ``val`` 500
  (validation during training), ``test`` 500 (reported numbers only).
"""
import copy
from typing import Dict

#: Presets by name: ``image_size`` (W, H), ``max_figures``, the
#: :class:`~.generator.SyntheticPoseGenerator` scene arguments
#: (``scene``) and the split sizes of the published dataset (``splits``).
SYNTHETIC_PRESETS: Dict[str, dict] = {
    'default':
    dict(image_size=(320, 256), max_figures=3, scene=dict(),
         splits=dict(train=200, val=50)),
    'synthcoco-bench-v1':
    dict(
        image_size=(128, 128),
        max_figures=2,
        scene=dict(
            size_range=(0.7, 1.2),
            crowd_size_range=(0.55, 1.0),
            crowd_prob=0.15,
            center_range=(0.2, 0.8),
            max_occluders=1,
            min_visible_joints=12,
            back_prob=0.1,
            upright_prob=0.95,
            tilt_prob=0.05),
        splits=dict(train=4000, val=500, test=500)),
}


def get_preset(name: str) -> dict:
    """A copy of preset ``name``.

    Raises:
        KeyError: naming the unknown preset and the known ones.
    """
    if name not in SYNTHETIC_PRESETS:
        raise KeyError(f'unknown synthetic preset {name!r}; known: '
                       f'{sorted(SYNTHETIC_PRESETS)}')
    return copy.deepcopy(SYNTHETIC_PRESETS[name])


__all__ = ['SYNTHETIC_PRESETS', 'get_preset']
