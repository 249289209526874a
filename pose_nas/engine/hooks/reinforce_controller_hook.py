# Copyright (c) pose_nas contributors. All rights reserved.
"""REINFORCE search of discrete decisions with an LSTM controller."""
import copy
from typing import Any, Dict, List, Optional

import torch
from mmengine.dist import is_distributed
from mmengine.hooks import Hook
from mmpose.registry import TASK_UTILS

from pose_nas.nas.arch import SearchableMixin
from pose_nas.nas.mutator import ArchMutator
from pose_nas.nas.controller import LSTMController
from pose_nas.nas.reinforce import (MovingAverageBaseline, best_of_k,
                                    reinforce_loss)
from pose_nas.registry import HOOKS, OPTIMIZERS
from pose_nas.utils.checks import check_int
from ..utils import broadcast_, broadcast_ints

TRAIN_SAMPLING = ('controller', 'uniform', 'all')


@HOOKS.register_module()
class ReinforceControllerHook(Hook):
    """Search the discrete decisions of a searchable module with REINFORCE.

    The module (found by the model's
    :class:`~pose_nas.nas.mutator.ArchMutator`: the first one with a
    non-empty ``decision_space()``, or named by ``target``) exposes
    ``decision_space()`` / ``apply_decisions()``. An :class:`LSTMController`
    proposes decision vectors; from ``start_epoch`` on, at the end of every
    epoch the controller makes ``updates_per_epoch`` updates, each on
    ``samples_per_update`` sampled vectors scored by ``reward`` with the
    current supernet weights (moving-average baseline, entropy bonus, own
    optimizer). During weight training every iteration runs a vector drawn
    as ``train_sampling`` says. After the last epoch the best of
    ``derive_samples`` sampled vectors (plus the greedy one) is kept as the
    derived decisions.

    Controller, its optimizer, baseline, generator and best vector are saved
    in checkpoints (``nas_state['reinforce']``). Under DDP every rank
    builds the same controller, sampled vectors are broadcast from rank 0,
    the reward (an evaluator metric) is already global, and controller
    weights are broadcast after each update, so decisions are identical on
    every rank. Weight training with decisions that switch parts of the net
    off needs ``model_wrapper_cfg=dict(type='MMDistributedDataParallel',
    find_unused_parameters=True)``.

    Args:
        reward (dict): reward config (``EvaluatorReward``,
            ``CallableReward``) from ``TASK_UTILS``.
        controller (dict): :class:`LSTMController` options.
        optimizer (dict): controller optimizer.
        start_epoch (int): first epoch (0-based) that ends with updates.
        updates_per_epoch (int): controller updates per epoch.
        samples_per_update (int): sampled vectors per update.
        baseline_decay (float): moving-average decay.
        entropy_weight (float): entropy bonus.
        train_sampling (str): ``'controller'`` (sample from the policy),
            ``'uniform'`` or ``'all'`` (every choice's last option, i.e. the
            full supernet for on/off decisions).
        derive_samples (int): K of the final best-of-K; 0 keeps the greedy
            vector.
        seed (int): seed of the controller's init and its generator.
        target (str, optional): module path of the searchable module.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 reward: dict,
                 controller: Optional[dict] = None,
                 optimizer: Optional[dict] = None,
                 start_epoch: int = 0,
                 updates_per_epoch: int = 1,
                 samples_per_update: int = 4,
                 baseline_decay: float = 0.95,
                 entropy_weight: float = 1e-4,
                 train_sampling: str = 'controller',
                 derive_samples: int = 8,
                 seed: int = 0,
                 target: Optional[str] = None) -> None:
        if train_sampling not in TRAIN_SAMPLING:
            raise ValueError(f'train_sampling must be one of {TRAIN_SAMPLING}'
                             f', got {train_sampling!r}')
        who = 'ReinforceControllerHook'
        start_epoch = check_int(start_epoch, f'{who}: start_epoch', 0)
        updates_per_epoch = check_int(updates_per_epoch,
                                      f'{who}: updates_per_epoch', 1)
        samples_per_update = check_int(samples_per_update,
                                       f'{who}: samples_per_update', 1)
        derive_samples = check_int(derive_samples, f'{who}: derive_samples',
                                   0)
        seed = check_int(seed, f'{who}: seed')
        self.reward_cfg = reward
        self.controller_cfg = dict(controller or {})
        self.optimizer_cfg = dict(optimizer or dict(type='Adam', lr=3.5e-3))
        self.start_epoch = start_epoch
        self.updates_per_epoch = updates_per_epoch
        self.samples_per_update = samples_per_update
        self.entropy_weight = entropy_weight
        self.train_sampling = train_sampling
        self.derive_samples = derive_samples
        self.seed = seed
        self.target = target
        self.baseline = MovingAverageBaseline(baseline_decay)
        self.controller: Optional[LSTMController] = None
        self.optimizer = None
        self.generator = torch.Generator().manual_seed(seed + 1)
        self.mutator: Optional[ArchMutator] = None
        self.target_name: Optional[str] = None
        self.module: Optional[SearchableMixin] = None
        self.reward = None
        self.best: Optional[Dict[str, Any]] = None
        self.history: List[Dict[str, Any]] = []
        self._pending: Optional[Dict[str, Any]] = None

    # -- setup ------------------------------------------------------------
    def _apply(self, decisions: Optional[List[int]]) -> None:
        """Set the path of the next forward through the model's mutator."""
        self.mutator.apply_decisions(decisions, self.target_name)

    def before_train(self, runner) -> None:
        self.mutator = ArchMutator.of(runner.model)
        try:
            self.target_name, self.module = self.mutator.decision_module(
                self.target)
        except (KeyError, RuntimeError) as e:
            raise RuntimeError(f'ReinforceControllerHook: {e}') from None
        space = self.module.decision_space()
        # a space whose derivation rule is best-of-K (AutoPose) declares
        # min_derive_samples = 1: K = 0 (greedy) would not be its rule
        minimum = int(getattr(type(self.module), 'min_derive_samples', 0))
        if self.derive_samples < minimum:
            raise ValueError(
                f'ReinforceControllerHook: derive_samples (K of the best-of-K'
                f' derivation) is {self.derive_samples}, '
                f'{type(self.module).__name__} needs K >= {minimum}')
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.controller = LSTMController(space, **self.controller_cfg)
        broadcast_(list(self.controller.parameters()))
        opt_cfg = copy.deepcopy(self.optimizer_cfg)
        opt_cfg['params'] = self.controller.parameters()
        self.optimizer = OPTIMIZERS.build(opt_cfg)
        self.reward = TASK_UTILS.build(self.reward_cfg) if isinstance(
            self.reward_cfg, dict) else self.reward_cfg
        if hasattr(self.reward, 'setup'):
            self.reward.setup(runner)
        if self._pending is not None:
            self._load(self._pending)
            self._pending = None
        self.mutator.record_decisions(self.summary())

    # -- sampling ---------------------------------------------------------
    def _sample(self) -> List[int]:
        with torch.no_grad():
            decisions, _, _ = self.controller.sample(self.generator)
        return broadcast_ints(decisions)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.train_sampling == 'controller':
            decisions = self._sample()
        elif self.train_sampling == 'uniform':
            decisions = [
                int(torch.randint(n, (1, ), generator=self.generator))
                for n in self.controller.choices
            ]
            decisions = broadcast_ints(decisions)
        else:
            decisions = [n - 1 for n in self.controller.choices]
        self._apply(decisions)

    def _score(self, runner, decisions: List[int]) -> float:
        self._apply(decisions)
        return float(self.reward(runner, runner.model, decisions))

    # -- controller updates ----------------------------------------------
    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch
        if epoch >= self.start_epoch:
            for _ in range(self.updates_per_epoch):
                self._update(runner)
        if epoch + 1 >= runner.max_epochs:
            self._derive(runner)
        self._apply(None)
        self.mutator.record_decisions(self.summary())

    def _update(self, runner) -> None:
        log_probs, entropies, rewards = [], [], []
        for _ in range(self.samples_per_update):
            decisions, log_p, ent = self.controller.sample(self.generator)
            shared = broadcast_ints(decisions)
            if shared != decisions:  # keep rank 0's vector everywhere
                log_p, ent = self.controller.evaluate(shared)
            log_probs.append(log_p)
            entropies.append(ent)
            rewards.append(self._score(runner, shared))
        rewards_t = torch.tensor(rewards, dtype=torch.float32)
        baseline = self.baseline.value
        if baseline is None:
            baseline = float(rewards_t.mean())
        loss = reinforce_loss(
            torch.stack(log_probs), torch.stack(entropies), rewards_t,
            baseline, self.entropy_weight)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        broadcast_(list(self.controller.parameters()))
        self.baseline.update(float(rewards_t.mean()))
        record = dict(
            epoch=runner.epoch,
            reward_mean=float(rewards_t.mean()),
            reward_max=float(rewards_t.max()),
            baseline=float(self.baseline.value),
            entropy=float(torch.stack(entropies).detach().mean()),
            greedy=self.controller.greedy())
        self.history.append(record)
        hub = runner.message_hub
        hub.update_scalar('train/controller_reward', record['reward_mean'])
        hub.update_scalar('train/controller_baseline', record['baseline'])
        hub.update_scalar('train/controller_entropy', record['entropy'])

    def _derive(self, runner) -> None:
        if self.derive_samples <= 0:
            greedy = self.controller.greedy()
            self.best = dict(decisions=greedy, reward=None, candidates=[])
            return
        best, reward, evaluated = best_of_k(
            self.controller, lambda d: self._score(runner, d),
            self.derive_samples, generator=self.generator)
        best = broadcast_ints(best)
        self.best = dict(
            decisions=best,
            reward=reward,
            candidates=[[list(d), r] for d, r in evaluated])
        runner.logger.info(f'REINFORCE best-of-{self.derive_samples}: '
                           f'{best} (reward {reward:.4f})')

    def summary(self) -> Dict[str, Any]:
        """Decision probabilities along the greedy path, for the logger."""
        probs = [p.tolist() for p in self.controller.probabilities()]
        return dict(
            choices=list(self.controller.choices),
            probs=probs,
            greedy=self.controller.greedy(),
            best=None if self.best is None else self.best['decisions'])

    # -- checkpoints ------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.setdefault('nas_state', {})
        state['reinforce'] = dict(
            controller=self.controller.state_dict(),
            optimizer=self.optimizer.state_dict(),
            baseline=self.baseline.state_dict(),
            generator=self.generator.get_state(),
            best=self.best,
            greedy=self.controller.greedy(),
            history=self.history)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('nas_state', {}).get('reinforce')
        if state is not None and runner._resume:
            self._pending = state

    def _load(self, state: Dict[str, Any]) -> None:
        self.controller.load_state_dict(state['controller'])
        self.optimizer.load_state_dict(state['optimizer'])
        self.baseline.load_state_dict(state['baseline'])
        self.generator.set_state(state['generator'])
        self.best = state.get('best')
        self.history = list(state.get('history', []))
