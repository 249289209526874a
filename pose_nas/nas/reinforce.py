# Copyright (c) pose_nas contributors. All rights reserved.
"""REINFORCE (Williams, "Simple Statistical Gradient-Following Algorithms
for Connectionist Reinforcement Learning", Machine Learning 1992) for the
:class:`~.controller.LSTMController`, as ENAS trains its controller
("Efficient Neural Architecture Search via Parameter Sharing", Pham et
al., ICML 2018, Sec. 2.2): a moving-average baseline
(:class:`MovingAverageBaseline`), the policy-gradient loss with an entropy
bonus (:func:`reinforce_loss`) and, after search, :func:`best_of_k`, which
picks the best of a few sampled (and the greedy) decision vectors.
"""
import math
from typing import Callable, List, Optional, Tuple

import torch
from torch import Tensor

from .controller import LSTMController, check_int

__all__ = ['MovingAverageBaseline', 'reinforce_loss', 'best_of_k']


class MovingAverageBaseline:
    """Exponential moving average of rewards (REINFORCE baseline).

    Args:
        decay (float): Weight of the old value, in ``[0, 1]``. Defaults to
            0.95.

    Attributes:
        value (float, optional): Current baseline; None before the first
            :meth:`update`.
    """

    def __init__(self, decay: float = 0.95) -> None:
        decay = float(decay)
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f'decay must be in [0, 1], got {decay}')
        self.decay = decay
        self.value: Optional[float] = None

    def update(self, reward: float) -> float:
        """Fold ``reward`` into the average and return the new value.

        The first call sets the value to ``reward``; afterwards
        ``value = decay * value + (1 - decay) * reward``.
        """
        reward = float(reward)
        if self.value is None:
            self.value = reward
        else:
            self.value = self.decay * self.value + (1.0 - self.decay) * reward
        return self.value

    def state_dict(self) -> dict:
        """Serializable state: ``{'decay': float, 'value': float | None}``."""
        return {'decay': self.decay, 'value': self.value}

    def load_state_dict(self, state: dict) -> None:
        """Restore a state produced by :meth:`state_dict`."""
        if 'value' not in state:
            raise ValueError("baseline state must contain 'value', got keys "
                             f'{sorted(state)}')
        if 'decay' in state:
            self.decay = float(state['decay'])
        value = state['value']
        self.value = None if value is None else float(value)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(decay={self.decay}, '
                f'value={self.value})')


def reinforce_loss(log_probs: Tensor,
                   entropies: Tensor,
                   rewards: Tensor,
                   baseline: float,
                   entropy_weight: float = 0.0) -> Tensor:
    """REINFORCE loss with a baseline and an entropy bonus.

    ``-mean((rewards - baseline) * log_probs) - entropy_weight *
    mean(entropies)``; the advantages are detached, so no gradient flows
    into ``rewards`` or ``baseline``.

    Args:
        log_probs (Tensor): Shape (B, ), log-probability of each sample.
        entropies (Tensor): Shape (B, ), entropy of each sample.
        rewards (Tensor): Shape (B, ), reward of each sample.
        baseline (float): Baseline subtracted from the rewards.
        entropy_weight (float): Weight of the entropy bonus. Defaults to 0.

    Returns:
        Tensor: Scalar loss.
    """
    log_probs = torch.as_tensor(log_probs)
    entropies = torch.as_tensor(entropies)
    rewards = torch.as_tensor(
        rewards, dtype=log_probs.dtype, device=log_probs.device)
    if log_probs.dim() != 1:
        raise ValueError('log_probs must have shape (B, ), got '
                         f'{tuple(log_probs.shape)}')
    if rewards.shape != log_probs.shape or entropies.shape != log_probs.shape:
        raise ValueError(
            'log_probs, entropies and rewards must have the same shape (B, ),'
            f' got {tuple(log_probs.shape)}, {tuple(entropies.shape)} and '
            f'{tuple(rewards.shape)}')
    if isinstance(baseline, Tensor):
        baseline = baseline.detach()
    advantages = (rewards.detach() - baseline).detach()
    loss = -(advantages * log_probs).mean()
    if entropy_weight:
        loss = loss - entropy_weight * entropies.mean()
    return loss


def best_of_k(
    controller: LSTMController,
    reward_fn: Callable[[List[int]], float],
    k: int,
    generator: Optional[torch.Generator] = None,
    include_greedy: bool = True
) -> Tuple[List[int], float, List[Tuple[List[int], float]]]:
    """Pick the best of ``k`` sampled vectors (and the greedy one).

    Candidates are the greedy vector (first, when ``include_greedy``)
    followed by ``k`` samples drawn without grad. Each distinct vector is
    evaluated once with ``reward_fn``, in that order; ties go to the first
    evaluated.

    Args:
        controller (LSTMController): The policy.
        reward_fn (Callable[[list[int]], float]): Reward of a vector.
        k (int): Number of samples (``>= 0``).
        generator (torch.Generator, optional): RNG for the samples.
        include_greedy (bool): Also evaluate :meth:`LSTMController.greedy`.
            Defaults to True.

    Returns:
        tuple: ``(best_vector, best_reward, evaluated)`` where
        ``evaluated`` lists the distinct ``(vector, reward)`` pairs in
        evaluation order.
    """
    k = check_int(k, 'k')
    if k < 0:
        raise ValueError(f'k must be >= 0, got {k}')
    if k == 0 and not include_greedy:
        raise ValueError('nothing to evaluate: k == 0 and include_greedy '
                         'is False')
    candidates: List[List[int]] = []
    with torch.no_grad():
        if include_greedy:
            candidates.append(controller.greedy())
        for _ in range(k):
            candidates.append(controller.sample(generator=generator)[0])

    seen = set()
    evaluated: List[Tuple[List[int], float]] = []
    best_vec: Optional[List[int]] = None
    best_reward = -math.inf
    for vec in candidates:
        key = tuple(vec)
        if key in seen:
            continue
        seen.add(key)
        reward = float(reward_fn(list(vec)))
        evaluated.append((list(vec), reward))
        if best_vec is None or reward > best_reward:
            best_vec, best_reward = list(vec), reward
    return best_vec, best_reward, evaluated
