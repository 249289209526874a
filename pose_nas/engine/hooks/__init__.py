# Copyright (c) pose_nas contributors. All rights reserved.
from .channels_last_hook import ChannelsLastHook
from .darts_arch_grads import (first_order_arch_grads, sgd_virtual_step,
                               unrolled_arch_grads)
from .darts_arch_hook import DartsArchHook
from .genotype_logger_hook import GenotypeLoggerHook
from .gumbel_temperature_hook import GumbelTemperatureHook, gumbel_temperature
from .partial_channel_hook import PartialChannelHook, swap_optimizer_params
from .random_arch_hook import RandomArchHook
from .reinforce_controller_hook import ReinforceControllerHook
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state

__all__ = [
    'ChannelsLastHook',
    'DartsArchHook', 'first_order_arch_grads', 'sgd_virtual_step',
    'unrolled_arch_grads',
    'GenotypeLoggerHook', 'GumbelTemperatureHook', 'gumbel_temperature',
    'PartialChannelHook', 'swap_optimizer_params',
    'RandomArchHook', 'ReinforceControllerHook', 'RNGStateHook',
    'get_rng_state', 'set_rng_state'
]
