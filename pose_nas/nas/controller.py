# Copyright (c) pose_nas contributors. All rights reserved.
"""The LSTM controller of ENAS ("Efficient Neural Architecture Search via
Parameter Sharing", Pham et al., ICML 2018): a policy over discrete
decisions.

The controller sees an architecture as a fixed-length vector of discrete
decisions, ``choices[i]`` being the number of options of decision ``i``. It
emits the decisions one after the other: a learned start input (for the first
decision) or an embedding of the previous decision (for the others) is fed to
a stack of :class:`torch.nn.LSTMCell`, and a per-decision linear head turns
the top hidden state into logits. The logits are divided by ``temperature``
and, when ``tanh_constant`` is set, squashed as ``c * tanh(logits)`` which
bounds them to ``[-c, c]`` and keeps the policy from collapsing too fast.

It is trained with REINFORCE (Williams, "Simple Statistical
Gradient-Following Algorithms for Connectionist Reinforcement Learning",
Machine Learning 1992); the helpers for that live in :mod:`.reinforce`.
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from pose_nas.utils.checks import check_int

__all__ = ['LSTMController']


class LSTMController(nn.Module):
    """Autoregressive LSTM policy over a list of discrete decisions.

    Args:
        choices (Sequence[int]): ``choices[i]`` is the number of options of
            decision ``i``; every entry must be ``>= 1`` and the list must
            not be empty.
        hidden_size (int): Size of the embeddings and of the LSTM hidden
            state. Defaults to 64.
        num_layers (int): Number of stacked LSTM cells. Defaults to 1.
        temperature (float): Logits are divided by it (``> 0``). Defaults
            to 1.0.
        tanh_constant (float, optional): When set (``> 0``), logits become
            ``tanh_constant * tanh(logits / temperature)``. Defaults to 1.5.

    Parameters are initialised from torch's global RNG (seed torch before
    building the controller for reproducibility). The heads start with small
    weights and zero bias, so the initial policy is close to uniform.
    """

    def __init__(self,
                 choices: Sequence[int],
                 hidden_size: int = 64,
                 num_layers: int = 1,
                 temperature: float = 1.0,
                 tanh_constant: Optional[float] = 1.5) -> None:
        super().__init__()
        if isinstance(choices, (str, bytes)) or not isinstance(
                choices, Sequence):
            raise ValueError('choices must be a sequence of positive '
                             f'integers, got {type(choices).__name__}')
        if len(choices) == 0:
            raise ValueError('choices must contain at least one decision, '
                             'got an empty sequence')
        parsed = []
        for i, n in enumerate(choices):
            n = check_int(n, f'choices[{i}]')
            if n < 1:
                raise ValueError(f'choices[{i}] must be >= 1 (number of '
                                 f'options of decision {i}), got {n}')
            parsed.append(n)
        hidden_size = check_int(hidden_size, 'hidden_size')
        num_layers = check_int(num_layers, 'num_layers')
        if hidden_size < 1:
            raise ValueError(f'hidden_size must be >= 1, got {hidden_size}')
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        temperature = float(temperature)
        if not math.isfinite(temperature) or temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if tanh_constant is not None:
            tanh_constant = float(tanh_constant)
            if not math.isfinite(tanh_constant) or tanh_constant <= 0:
                raise ValueError('tanh_constant must be > 0 or None, got '
                                 f'{tanh_constant}')

        self._choices = parsed
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.temperature = temperature
        self.tanh_constant = tanh_constant

        # Input of the first step.
        self.start_input = nn.Parameter(torch.empty(1, hidden_size))
        # embeddings[i - 1] embeds decision i - 1 as the input of step i.
        self.embeddings = nn.ModuleList(
            nn.Embedding(n, hidden_size) for n in parsed[:-1])
        self.cells = nn.ModuleList(
            nn.LSTMCell(hidden_size, hidden_size) for _ in range(num_layers))
        self.heads = nn.ModuleList(
            nn.Linear(hidden_size, n) for n in parsed)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """(Re-)initialise all parameters from torch's global RNG."""
        nn.init.normal_(self.start_input, std=0.1)
        for emb in self.embeddings:
            nn.init.normal_(emb.weight, std=0.1)
        for cell in self.cells:
            cell.reset_parameters()
        for head in self.heads:
            nn.init.normal_(head.weight, std=0.01)
            nn.init.zeros_(head.bias)

    @property
    def num_decisions(self) -> int:
        """int: Length of a decision vector."""
        return len(self._choices)

    @property
    def choices(self) -> List[int]:
        """List[int]: Number of options of each decision (a copy)."""
        return list(self._choices)

    # ------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------
    def _init_state(self) -> List[Tuple[Tensor, Tensor]]:
        zeros = self.start_input.new_zeros(1, self.hidden_size)
        return [(zeros, zeros) for _ in range(self.num_layers)]

    def _step(self, x: Tensor, state: List[Tuple[Tensor, Tensor]],
              index: int) -> Tuple[Tensor, List[Tuple[Tensor, Tensor]]]:
        """One controller step.

        Args:
            x (Tensor): Input of shape (1, hidden_size).
            state (list[tuple[Tensor, Tensor]]): ``(h, c)`` per layer, each
                of shape (1, hidden_size).
            index (int): Decision index, selects the head.

        Returns:
            tuple[Tensor, list]: Logits of shape (choices[index], ) and the
            new state.
        """
        new_state = []
        for cell, (h, c) in zip(self.cells, state):
            h, c = cell(x, (h, c))
            new_state.append((h, c))
            x = h
        logits = self.heads[index](x).squeeze(0) / self.temperature
        if self.tanh_constant is not None:
            logits = self.tanh_constant * torch.tanh(logits)
        return logits, new_state

    def _next_input(self, index: int, decision: int) -> Tensor:
        """Input of step ``index + 1`` given decision ``index``."""
        idx = torch.tensor([decision], device=self.start_input.device)
        return self.embeddings[index](idx)

    def _rollout(
        self,
        mode: str,
        decisions: Optional[Sequence[int]] = None,
        generator: Optional[torch.Generator] = None
    ) -> Tuple[List[int], Tensor, Tensor, List[Tensor]]:
        """Run the controller over all decisions.

        Args:
            mode (str): ``'sample'`` (multinomial draw), ``'greedy'``
                (argmax) or ``'force'`` (use ``decisions``).
            decisions (Sequence[int], optional): Required for ``'force'``.
            generator (torch.Generator, optional): RNG for ``'sample'``.

        Returns:
            tuple: ``(decisions, log_prob_sum, entropy_sum, probs)`` where
            the sums are scalar tensors and ``probs[i]`` has shape
            (choices[i], ).
        """
        x = self.start_input
        state = self._init_state()
        out: List[int] = []
        log_prob = self.start_input.new_zeros(())
        entropy = self.start_input.new_zeros(())
        probs_list: List[Tensor] = []
        for i in range(self.num_decisions):
            logits, state = self._step(x, state, i)
            log_p = F.log_softmax(logits, dim=-1)
            probs = log_p.exp()
            if mode == 'sample':
                d = int(
                    torch.multinomial(
                        probs.detach(), 1, generator=generator).item())
            elif mode == 'greedy':
                d = int(torch.argmax(probs.detach()).item())
            else:
                d = int(decisions[i])
            out.append(d)
            log_prob = log_prob + log_p[d]
            entropy = entropy - (probs * log_p).sum()
            probs_list.append(probs)
            if i + 1 < self.num_decisions:
                x = self._next_input(i, d)
        return out, log_prob, entropy, probs_list

    def _check_decisions(self, decisions: Sequence[int]) -> List[int]:
        if isinstance(decisions, Tensor):
            decisions = decisions.tolist()
        if isinstance(decisions, (str, bytes)) or not isinstance(
                decisions, Sequence):
            raise ValueError('decisions must be a sequence of integers, got '
                             f'{type(decisions).__name__}')
        if len(decisions) != self.num_decisions:
            raise ValueError(f'expected {self.num_decisions} decisions '
                             f'(choices={self._choices}), got '
                             f'{len(decisions)}: {list(decisions)}')
        parsed = []
        for i, (d, n) in enumerate(zip(decisions, self._choices)):
            d = check_int(d, f'decisions[{i}]')
            if not 0 <= d < n:
                raise ValueError(f'decisions[{i}] = {d} is out of range: '
                                 f'decision {i} has {n} options '
                                 f'(valid: 0..{n - 1})')
            parsed.append(d)
        return parsed

    # ------------------------------------------------------------------
    # public API
    # ------------------------------------------------------------------
    def sample(
        self,
        generator: Optional[torch.Generator] = None
    ) -> Tuple[List[int], Tensor, Tensor]:
        """Sample a decision vector autoregressively.

        Args:
            generator (torch.Generator, optional): RNG used by
                :func:`torch.multinomial`; the global RNG when None.

        Returns:
            tuple[list[int], Tensor, Tensor]: The decisions (length
            :attr:`num_decisions`), the sum of their log-probabilities and
            the sum of the per-decision entropies (scalar tensors carrying
            the graph when grad is enabled).
        """
        decisions, log_prob, entropy, _ = self._rollout(
            'sample', generator=generator)
        return decisions, log_prob, entropy

    @torch.no_grad()
    def greedy(self) -> List[int]:
        """Most likely option at each step (argmax), given previous argmaxes.

        Returns:
            list[int]: The greedy decision vector.
        """
        return self._rollout('greedy')[0]

    def evaluate(self, decisions: Sequence[int]) -> Tuple[Tensor, Tensor]:
        """Log-probability and entropy of a given vector (teacher forcing).

        Args:
            decisions (Sequence[int]): A vector of length
                :attr:`num_decisions` with ``0 <= decisions[i] <
                choices[i]``.

        Returns:
            tuple[Tensor, Tensor]: Scalar ``log_prob_sum`` and
            ``entropy_sum``.
        """
        decisions = self._check_decisions(decisions)
        _, log_prob, entropy, _ = self._rollout('force', decisions=decisions)
        return log_prob, entropy

    @torch.no_grad()
    def probabilities(self,
                      decisions: Optional[Sequence[int]] = None
                      ) -> List[Tensor]:
        """Per-decision probability vectors, for logging.

        Args:
            decisions (Sequence[int], optional): Condition on this vector
                (teacher forcing); along the greedy path when None.

        Returns:
            list[Tensor]: ``probs[i]`` of shape (choices[i], ), detached.
        """
        if decisions is None:
            probs = self._rollout('greedy')[3]
        else:
            probs = self._rollout(
                'force', decisions=self._check_decisions(decisions))[3]
        return [p.detach().clone() for p in probs]

    def extra_repr(self) -> str:
        return (f'choices={self._choices}, hidden_size={self.hidden_size}, '
                f'num_layers={self.num_layers}, '
                f'temperature={self.temperature}, '
                f'tanh_constant={self.tanh_constant}')
