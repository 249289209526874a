# Copyright (c) pose_nas contributors. All rights reserved.
"""RssSampler: the peak resident memory a block adds, sampled."""
import time

import torch

from pose_nas.utils.memory import RssSampler, current_rss_bytes


def test_sampler_sees_a_temporary_allocation():
    assert current_rss_bytes() > 0
    sampler = RssSampler(interval=0.001).start()
    x = torch.ones(64, 2**20 // 4 * 4)  # 256 MiB, touched
    time.sleep(0.05)
    del x
    time.sleep(0.01)
    rise = sampler.stop()
    # the peak stays although the tensor is freed before stop()
    assert rise >= 200 * 2**20
    assert sampler.peak_rise == rise


def test_sampler_without_allocation_stays_small():
    sampler = RssSampler(interval=0.001).start()
    time.sleep(0.02)
    assert sampler.stop() < 64 * 2**20
