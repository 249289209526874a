# Copyright (c) pose_nas contributors. All rights reserved.
"""MixedOp: one searchable edge over a list of candidate ops."""
import itertools
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from .arch import arch_weights
from .ops import build_op, canonical_op_name


#: Pooling candidates (followed by ``BN(affine=False)`` with ``pool_bn``).
POOL_OPS = ('avg_pool_3x3', 'max_pool_3x3')


class MixedOp(nn.Module):
    """A searchable edge: a set of candidate ops combined by one of four modes.

    The same module type is used in the supernet and in the derived network,
    so a derived net's parameter names and counts match a hand-built one.

    Modes:

    - ``'softmax'`` (DARTS): ``sum_i softmax(alpha)_i * op_i(x)``;
    - ``'gumbel'``: Gumbel-softmax weights with temperature :attr:`tau`;
      ``hard=True`` is the straight-through one-hot version, and only the
      sampled op is run (its weight carries the gradient to ``alpha``);
    - ``'sampled'`` (single path): one op runs per forward, the index set by
      :meth:`set_active` (a controller) or drawn from ``softmax(alpha)``
      while training, argmax in eval; ``alpha`` gets no gradient;
    - ``'fixed'``: a derived edge holding only the chosen op; the forward is
      that op, nothing else.

    The ``none`` op is never run (its contribution is zero).

    **Partial channels** (PC-DARTS, Xu et al., ICLR 2020, Sec. 3.1): with
    ``partial_channels=K > 1`` the candidates are built for ``C / K``
    channels and only the first ``C / K`` input channels go through them
    (in every mode but ``'fixed'``); the other channels bypass the ops
    (max-pooled 2x2 at stride 2), are concatenated after the mixture, and
    the result is channel-shuffled with ``K`` groups. It needs
    ``C_in == C_out`` divisible by ``K``. :meth:`set_partial_channels`
    switches a built edge (new candidate ops); the edge then keeps ``K`` in
    a buffer ``pc_k``, so its checkpoints say so and a freshly built edge
    that loads one switches itself first.

    Args:
        C_in (int): input channels.
        C_out (int): output channels.
        stride (int): 1 or 2.
        candidates (Sequence[str]): op names (aliases allowed).
        mode (str): ``'softmax' | 'gumbel' | 'sampled' | 'fixed'``.
        chosen (str | int, optional): the op (name or index into
            ``candidates``) kept in ``'fixed'`` mode. With ``'fixed'`` and no
            ``candidates``, give the name.
        tau (float): Gumbel temperature. Defaults to 1.0.
        hard (bool): straight-through Gumbel. Defaults to False.
        affine (bool): BN affine parameters in the ops.
        pool_bn (bool): follow every pooling candidate by
            ``BN(affine=False)``, as DARTS's reference MixedOp does (the op
            becomes ``Sequential(pool, bn)``). Defaults to False.
        partial_channels (int): ``K`` of partial-channel connections
            (1: every channel goes through the ops). Defaults to 1.

    Shapes:
        ``forward(x: (N, C_in, H, W), alpha: (num_candidates,))`` ->
        ``(N, C_out, ceil(H / stride), ceil(W / stride))``.
    """

    MODES = ('softmax', 'gumbel', 'sampled', 'fixed')

    def __init__(self,
                 C_in: int,
                 C_out: int,
                 stride: int,
                 candidates: Optional[Sequence[str]] = None,
                 mode: str = 'softmax',
                 chosen: Union[str, int, None] = None,
                 tau: float = 1.0,
                 hard: bool = False,
                 affine: bool = True,
                 pool_bn: bool = False,
                 partial_channels: int = 1) -> None:
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f'MixedOp mode must be one of {self.MODES}, '
                             f'got {mode!r}')
        self.mode = mode
        self.tau = float(tau)
        self.hard = bool(hard)
        self.C_in, self.C_out, self.stride = C_in, C_out, stride
        self.affine, self.pool_bn = affine, pool_bn
        if mode == 'fixed':
            if chosen is None:
                raise ValueError("MixedOp(mode='fixed') needs `chosen`")
            if isinstance(chosen, int):
                if not candidates or not 0 <= chosen < len(candidates):
                    raise ValueError(
                        f'chosen index {chosen} out of range for '
                        f'candidates {candidates}')
                chosen = candidates[chosen]
            name = canonical_op_name(chosen)
            if candidates is not None and name not in [
                    canonical_op_name(c) for c in candidates
            ]:
                raise ValueError(f'chosen op {chosen!r} is not among the '
                                 f'candidates {list(candidates)}')
            self.candidates: List[str] = [name]
        else:
            if not candidates:
                raise ValueError(f'MixedOp(mode={mode!r}) needs candidates')
            self.candidates = [canonical_op_name(c) for c in candidates]
            if len(set(self.candidates)) != len(self.candidates):
                raise ValueError(
                    f'duplicate candidates: {list(candidates)}')
        self.ops = nn.ModuleList(
            self._build(name, self.C_in, self.C_out)
            for name in self.candidates)
        self._active: Optional[int] = None
        self._pc = 1  # the buffer pc_k once switched (no sync in forward)
        self.register_load_state_dict_pre_hook(_adapt_edge_to_checkpoint)
        if partial_channels != 1:
            self.set_partial_channels(partial_channels)

    def _build(self, name: str, C_in: int, C_out: int) -> nn.Module:
        op = build_op(name, C_in, C_out, self.stride, affine=self.affine)
        if self.pool_bn and name in POOL_OPS:
            op = nn.Sequential(op, nn.BatchNorm2d(C_out, affine=False))
        return op

    # -- partial channels (PC-DARTS) ----------------------------------------
    @property
    def partial_channels(self) -> int:
        """``K`` of the partial-channel connection (1: off)."""
        return self._pc

    def set_partial_channels(self, k: int, name: str = '') -> 'MixedOp':
        """Send ``C / k`` channels through the candidates (see the class
        doc): rebuild every candidate for ``C / k`` channels (new
        parameters, on the device and dtype of the old ones; ``none``
        stays ``none``). Already at ``k``: nothing changes.

        Args:
            k (int): the channel fraction ``1 / k`` (k >= 2).
            name (str): the edge's qualified name, for error messages.

        Raises:
            ValueError: a fixed edge, ``C_in != C_out``, ``C`` not
                divisible by ``k``, or an op that cannot be built for
                ``C / k`` channels; the message names the edge.
        """
        where = f"edge '{name}'" if name else 'edge'
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ValueError(f'partial channels of {where}: k must be an '
                             f'int >= 2, got {k!r}')
        if k == self.partial_channels:
            return self
        if self.partial_channels != 1:
            raise ValueError(f'partial channels of {where}: already K='
                             f'{self.partial_channels}, cannot switch to {k}')
        if self.mode == 'fixed':
            raise ValueError(f'partial channels of {where}: a fixed (derived)'
                             ' edge runs its one op on every channel')
        if self.C_in != self.C_out:
            raise ValueError(
                f'partial channels do not fit {where}: C_in={self.C_in} != '
                f'C_out={self.C_out} (the bypassed channels must keep the '
                'width)')
        if self.C_in % k:
            raise ValueError(
                f'partial channels do not fit {where}: {self.C_in} channels '
                f'are not divisible by k={k}')
        c = self.C_in // k
        try:
            ops = [self._build(op, c, c) for op in self.candidates]
        except (ValueError, RuntimeError) as e:
            raise ValueError(f'partial channels do not fit {where}: its ops '
                             f'cannot be built for {c} channels ({e})') from e
        device, dtype = float_device_dtype(self)
        self.ops = nn.ModuleList(ops).to(device=device, dtype=dtype)
        self.register_buffer('pc_k', torch.tensor(k))
        self._pc = k
        return self

    def adapt_to_checkpoint(self, state_dict: dict, prefix: str) -> None:
        """Switch to partial channels when ``state_dict`` holds a
        partial-channel edge at ``prefix`` (its ``pc_k``)."""
        k = state_dict.get(prefix + 'pc_k')
        if k is not None:
            self.set_partial_channels(int(k), prefix[:-1])

    def _partial(self, x: torch.Tensor, mix) -> torch.Tensor:
        k = self.partial_channels
        c = x.shape[1] // k
        out = mix(x[:, :c])
        rest = x[:, c:]
        if self.stride == 2:
            rest = F.max_pool2d(rest, 2, 2, ceil_mode=True)
        return channel_shuffle(torch.cat([out, rest], dim=1), k)

    @property
    def num_candidates(self) -> int:
        return len(self.candidates)

    @property
    def chosen(self) -> Optional[str]:
        """The op name of a ``'fixed'`` edge."""
        return self.candidates[0] if self.mode == 'fixed' else None

    def keep(self, kept: Sequence[bool]) -> 'MixedOp':
        """Keep a subset of the candidates (a derived edge that keeps a
        continuous mixture, e.g. PNFS's pruned fabrics).

        Every candidate whose flag is False becomes the parameter-free
        ``none`` op at its original index, so the weight vector keeps its
        columns and the kept ops keep their module names (a supernet
        checkpoint still loads). A ``none`` op is never run.

        Args:
            kept (Sequence[bool]): one flag per candidate.

        Returns:
            MixedOp: ``self``.
        """
        if self.mode == 'fixed':
            raise RuntimeError('a fixed edge holds one op; keep() is for '
                               'edges that mix several')
        if len(kept) != self.num_candidates:
            raise ValueError(f'{len(kept)} keep flags for '
                             f'{self.num_candidates} candidates '
                             f'{self.candidates}')
        for i, flag in enumerate(kept):
            if not flag and self.candidates[i] != 'none':
                k = self.partial_channels
                self.ops[i] = build_op('none', self.C_in // k,
                                       self.C_out // k, self.stride)
                self.candidates[i] = 'none'
        return self

    @property
    def live_candidates(self) -> List[str]:
        """The candidates that are run (every one but ``none``)."""
        return [c for c in self.candidates if c != 'none']

    def set_active(self, index: Optional[int]) -> None:
        """Pin the op a ``'sampled'`` edge runs (None: sample again)."""
        if index is not None and not 0 <= index < self.num_candidates:
            raise IndexError(f'active op {index} out of range '
                             f'[0, {self.num_candidates})')
        self._active = index

    def _check_alpha(self, alpha: Optional[torch.Tensor]) -> torch.Tensor:
        if alpha is None:
            raise ValueError(
                f'MixedOp(mode={self.mode!r}) needs architecture logits')
        if alpha.shape[-1] != self.num_candidates or alpha.dim() != 1:
            raise ValueError(
                f'alpha must have shape ({self.num_candidates},), got '
                f'{tuple(alpha.shape)}')
        return alpha

    def _run(self, index: int, x: torch.Tensor) -> torch.Tensor:
        return self.ops[index](x)

    def forward(self,
                x: torch.Tensor,
                alpha: Optional[torch.Tensor] = None,
                weights: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Mix the candidates.

        Args:
            x (Tensor): ``(N, C_in, H, W)``.
            alpha (Tensor, optional): ``(num_candidates,)`` logits.
            weights (Tensor, optional): precomputed mixing weights (they
                replace ``softmax(alpha)`` in ``'softmax'`` mode; PNFS keeps
                derived continuous weights this way).
        """
        if self.mode == 'fixed':
            return self.ops[0](x)
        if self.partial_channels != 1:
            return self._partial(x, lambda xp: self._mix(xp, alpha, weights))
        return self._mix(x, alpha, weights)

    def _mix(self, x: torch.Tensor, alpha: Optional[torch.Tensor],
             weights: Optional[torch.Tensor]) -> torch.Tensor:
        if self.mode == 'sampled':
            if self._active is not None:
                index = self._active
            else:
                alpha = self._check_alpha(alpha).detach()
                if self.training:
                    index = int(
                        torch.multinomial(F.softmax(alpha, -1), 1).item())
                else:
                    index = int(alpha.argmax())
            return self._run(index, x)
        if weights is None:
            alpha = self._check_alpha(alpha)
            weights = arch_weights(
                alpha,
                mode=self.mode,
                tau=self.tau,
                hard=self.hard and self.mode == 'gumbel')
        if self.mode == 'gumbel' and self.hard:
            w = weights.detach()
            if not (abs(float(w.max()) - 1) < 1e-4
                    and abs(float(w.sum()) - 1) < 1e-4):
                raise ValueError(
                    "MixedOp in hard 'gumbel' mode got mixing weights that "
                    f'are not one-hot ({[round(v, 3) for v in w.tolist()]}):'
                    ' a space that passes its own weights must sample them '
                    "(pose_nas.nas.arch.arch_weights(..., 'gumbel', tau, "
                    'hard=True))')
            index = int(w.argmax())
            out = self._run(index, x)
            return out * weights[index]
        out = None
        for i, name in enumerate(self.candidates):
            if name == 'none':  # zero, or pruned by keep()
                continue
            y = weights[i] * self._run(i, x)
            out = y if out is None else out + y
        if out is None:  # every candidate is zero
            out = self.ops[0](x) * weights.sum() * 0
        return out

    def extra_repr(self) -> str:
        return (f'mode={self.mode}, candidates={self.candidates}, '
                f'stride={self.stride}'
                + (f', tau={self.tau}, hard={self.hard}'
                   if self.mode == 'gumbel' else '')
                + (f', partial_channels={self.partial_channels}'
                   if self.partial_channels != 1 else ''))


def float_device_dtype(module: nn.Module) -> tuple:
    """``(device, dtype)`` of the first floating-point parameter or buffer
    of ``module`` (``(None, None)`` without one): where new parts go."""
    for t in itertools.chain(module.parameters(), module.buffers()):
        if t.is_floating_point():
            return t.device, t.dtype
    return None, None


def _adapt_edge_to_checkpoint(module: MixedOp, state_dict: dict, prefix: str,
                              *args) -> None:
    """``load_state_dict`` pre-hook of every :class:`MixedOp`."""
    module.adapt_to_checkpoint(state_dict, prefix)


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave ``groups`` channel groups (ShuffleNet, PC-DARTS).

    Shapes:
        ``(N, C, H, W)`` -> ``(N, C, H, W)``, channel ``g * (C / groups) + i``
        moved to ``i * groups + g``; ``C`` divisible by ``groups``.
    """
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(
        n, c, h, w)


def set_mixed_op_attr(module: nn.Module, **attrs) -> int:
    """Set ``tau`` / ``hard`` / ``mode`` on every :class:`MixedOp` under
    ``module``; returns how many edges were changed."""
    count = 0
    for m in module.modules():
        if isinstance(m, MixedOp) and m.mode != 'fixed':
            for key, value in attrs.items():
                if key not in ('tau', 'hard', 'mode'):
                    raise KeyError(f'cannot set MixedOp.{key}')
                if key == 'mode' and value not in ('softmax', 'gumbel',
                                                   'sampled'):
                    raise ValueError(f'cannot switch a search edge to '
                                     f'mode {value!r}')
                setattr(m, key, value)
            count += 1
    return count
