# Copyright (c) pose_nas contributors. All rights reserved.
import torch
import torch.nn as nn

from pose_nas.deploy import conv_rule_macs, model_complexity
from pose_nas.nas.cost import count_flops


def test_conv_rule_counts_transposed_convs_per_output_pixel():
    deconv = nn.ConvTranspose2d(2, 3, 4, stride=2, padding=1)  # 5x5 -> 10x10
    x = torch.zeros(1, 2, 5, 5)
    per_pixel = 4 * 4 * 2 * 3
    # the paper rule: per output pixel, plus the bias
    assert conv_rule_macs(deconv, x) == per_pixel * 100 + 3 * 100
    # MMEngine's counter: per input pixel, the true multiply-adds
    assert count_flops(deconv, (x, )) == per_pixel * 25


def test_conv_rule_equals_mmengine_for_plain_bias_free_convs():
    # (MMEngine's counter also counts BN elements; the conv rule does not)
    net = nn.Sequential(
        nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.ReLU(),
        nn.Conv2d(8, 8, 3, 1, 1, groups=8, bias=False))
    x = torch.zeros(2, 3, 16, 16)  # per image, whatever the batch
    expected = 3 * 3 * 3 * 8 * 64 + 3 * 3 * 8 * 64
    assert conv_rule_macs(net, x) == expected
    assert count_flops(net, (x[:1], )) == expected


def test_model_complexity_of_a_config(repo_root):
    import os.path as osp
    res = model_complexity(
        osp.join(repo_root, 'configs/efficientpose/'
                 'td-hm_efficientpose-a_slimdeconv_2xb64-240e_coco-256x192.py'),
        (192, 256), conv_rule=True)
    assert abs(res['params_m'] - 1.30) < 0.01  # the authors' 1.3 M
    assert 0.40 < res['gflops'] < 0.45
    # transposed convs per output pixel + biases: more than MMEngine's
    assert res['gflops_conv_rule'] > res['gflops'] + 0.1
