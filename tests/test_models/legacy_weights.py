# Copyright (c) pose_nas contributors. All rights reserved.
"""Deterministic non-trivial weights for a state dict, from its key names.

Used by ``test_legacy_checkpoints.py`` and by the script that wrote
``tests/data/legacy/reference_outputs.json`` with the code from before the
package reshaping: the same keys and shapes give the same weights, so the
old code's outputs can be compared with today's without shipping a
checkpoint.
"""
from typing import Dict

import torch


def synthetic_state_dict(state: Dict[str, torch.Tensor],
                         seed: int = 2) -> Dict[str, torch.Tensor]:
    """Fill every floating tensor of ``state`` (in sorted key order) from a
    seeded generator: weights ``N(0, 1 / fan_in)``, norm scales in
    [0.8, 1.2], biases ``N(0, 0.01)``, running means in [-0.1, 0.1],
    running variances in [0.9, 1.1]; integer buffers are kept."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key in sorted(state):
        value = state[key]
        if not value.is_floating_point():
            out[key] = value.clone()
            continue
        shape = value.shape
        if key.endswith('running_mean'):
            new = torch.rand(shape, generator=gen) * 0.2 - 0.1
        elif key.endswith('running_var'):
            new = 0.9 + 0.2 * torch.rand(shape, generator=gen)
        elif value.dim() > 1:
            fan_in = value[0].numel()
            new = torch.randn(shape, generator=gen) / fan_in**0.5
        elif key.endswith('weight'):
            new = 0.8 + 0.4 * torch.rand(shape, generator=gen)
        else:
            new = 0.1 * torch.randn(shape, generator=gen)
        out[key] = new.to(value.dtype)
    return out


def reference_input() -> torch.Tensor:
    """The fixed ``(1, 3, 128, 96)`` input of the reference outputs."""
    return torch.rand(1, 3, 128, 96,
                      generator=torch.Generator().manual_seed(1))
