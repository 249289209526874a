# Copyright (c) pose_nas contributors. All rights reserved.
"""Skin, hair and clothing colours of a synthetic figure."""
from dataclasses import dataclass

import numpy as np

from .drawing import Color, clip_color, random_color

#: Skin tones (BGR) a figure's skin is sampled around.
SKIN_TONES = np.array([[197, 224, 255], [160, 196, 241], [125, 170, 224],
                       [96, 138, 198], [66, 105, 161], [45, 72, 118],
                       [33, 52, 87], [150, 180, 220]], dtype=np.float64)
#: Hair colours (BGR) a figure's hair is sampled around.
HAIR_TONES = np.array([[20, 20, 25], [25, 40, 60], [40, 70, 110],
                       [90, 160, 210], [160, 160, 165], [30, 60, 150]],
                      dtype=np.float64)


@dataclass
class Appearance:
    """Colours (BGR) and clothing of one figure.

    Attributes:
        skin (Color): Skin colour.
        hair (Color): Hair colour (equal to a darker skin for bald heads).
        shirt (Color): Colour of the torso and sleeves.
        pants (Color): Colour of the legs' clothing.
        shoes (Color): Colour of the feet.
        eyes (Color): Colour of the pupils.
        long_sleeves (bool): Forearms in ``shirt`` rather than ``skin``.
        sleeveless (bool): Upper arms in ``skin``.
        shorts (bool): Shins in ``skin``.
    """
    skin: Color
    hair: Color
    shirt: Color
    pants: Color
    shoes: Color
    eyes: Color
    long_sleeves: bool
    sleeveless: bool
    shorts: bool


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Sample skin, hair and clothing of one figure.

    Args:
        rng (np.random.Generator): Random generator.

    Returns:
        Appearance: The figure's appearance.
    """
    skin = SKIN_TONES[rng.integers(len(SKIN_TONES))] + rng.normal(0, 8, 3)
    if rng.uniform() < 0.08:
        hair = skin * 0.85
    else:
        hair = HAIR_TONES[rng.integers(len(HAIR_TONES))] + rng.normal(
            0, 8, 3)
    return Appearance(
        skin=clip_color(skin),
        hair=clip_color(hair),
        shirt=random_color(rng, val=(0.15, 1.)),
        pants=random_color(rng, sat=(0., 0.8), val=(0.1, 0.8)),
        shoes=random_color(rng, sat=(0., 0.5), val=(0.05, 0.5)),
        eyes=random_color(rng, sat=(0.2, 0.8), val=(0.05, 0.35)),
        long_sleeves=bool(rng.uniform() < 0.5),
        sleeveless=bool(rng.uniform() < 0.1),
        shorts=bool(rng.uniform() < 0.3))


__all__ = ['SKIN_TONES', 'HAIR_TONES', 'Appearance', 'sample_appearance']
