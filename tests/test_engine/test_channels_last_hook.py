# Copyright (c) pose_nas contributors. All rights reserved.
"""ChannelsLastHook: the model and its inputs in NHWC, same values."""
import copy
import glob
import os.path as osp
from types import SimpleNamespace

import torch
from mmengine.config import Config

from pose_nas.engine.hooks import ChannelsLastHook

EP_A = 'configs/efficientpose/td-hm_efficientpose-a_slimdeconv_1xb32-10e_synthcoco-bench-v1-128x96.py'


def _model(repo_root):
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(osp.join(repo_root, EP_A)).model)


def _batch(model):
    from mmpose.testing import get_packed_inputs
    torch.manual_seed(1)
    data = get_packed_inputs(2, img_shape=(128, 96), input_size=(96, 128),
                             heatmap_size=(24, 32), with_reg_label=False,
                             with_simcc_label=False)
    return model.data_preprocessor(data, training=True)


def _loss_and_grads(model, data):
    losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if k.startswith('loss'))
    model.zero_grad()
    loss.backward()
    return loss.detach(), {n: p.grad.clone()
                           for n, p in model.named_parameters()
                           if p.grad is not None}


def test_model_and_inputs_become_channels_last(repo_root):
    # in float64, so that a difference in what is computed is not hidden
    # by float32 summation-order noise (deep BN nets amplify that to ~1 %)
    model = _model(repo_root).double()
    plain = copy.deepcopy(model)
    data = _batch(model)
    data['inputs'] = data['inputs'].double()
    seen = []
    model.backbone.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].is_contiguous(
            memory_format=torch.channels_last)))
    ChannelsLastHook().before_train(SimpleNamespace(model=model))
    convs = [p for p in model.parameters() if p.dim() == 4]
    assert convs and all(
        p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    assert not data['inputs'].is_contiguous(
        memory_format=torch.channels_last)
    loss, grads = _loss_and_grads(model, data)
    assert seen == [True]  # the hook converted the preprocessed images
    # the same loss and gradients (up to summation order) as in NCHW, and
    # every parameter still gets one
    ref_loss, ref_grads = _loss_and_grads(plain, data)
    assert torch.allclose(loss, ref_loss, rtol=1e-9)
    assert grads.keys() == ref_grads.keys() and len(grads) > 50
    for name, grad in ref_grads.items():
        assert torch.allclose(grads[name], grad, rtol=1e-6, atol=1e-12), name


def test_twice_registers_one_input_hook(repo_root):
    """Validation after training converts again without stacking hooks; a
    checkpoint of the converted model loads into a plain one."""
    model = _model(repo_root)
    hook, runner = ChannelsLastHook(), SimpleNamespace(model=model)
    hook.before_train(runner)
    hook.before_val(runner)
    hook.before_test(runner)
    assert len(model._forward_pre_hooks) == 1
    plain = _model(repo_root)
    plain.load_state_dict(model.state_dict())
    model.eval(), plain.eval()
    x = torch.randn(1, 3, 128, 96)
    with torch.no_grad():
        assert torch.allclose(model(x, None, mode='tensor'),
                              plain(x, None, mode='tensor'), atol=1e-5)


BENCH = sorted(glob.glob(osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs', '*', '*synthcoco-bench-v1*.py')))


def test_every_bench_config_runs_channels_last():
    """One recipe: every net and search on the benchmark trains in
    channels-last (the wall times of benchmarks/nas_evidence.md compare)."""
    assert len(BENCH) >= 12
    for config in BENCH:
        hooks = Config.fromfile(config).get('custom_hooks') or []
        assert dict(type='ChannelsLastHook') in hooks, config
