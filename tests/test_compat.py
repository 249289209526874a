# Copyright (c) pose_nas contributors. All rights reserved.
"""Each compatibility shim works, and the stack fails without it."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

import pose_nas  # noqa: F401  applies the shims
from pose_nas import compat


def _mmengine_like_checkpoint(path):
    """What MMEngine's runner writes: tensors plus numpy and HistoryBuffer."""
    hub = MessageHub.get_instance('pose_nas_compat_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 0.25)
    meta = dict(
        epoch=3,
        seed=np.int64(7),
        dataset_meta=dict(
            sigmas=np.linspace(0.025, 0.1, 17, dtype=np.float32),
            flip_indices=[0, 2, 1],
            keypoint_colors=np.zeros((17, 3), dtype=np.uint8)))
    save_checkpoint(
        dict(meta=meta, state_dict={'w': torch.ones(2, 2)},
             message_hub=hub.state_dict()), str(path))


@pytest.fixture
def without_safe_globals():
    """Temporarily remove every allow-listed global (torch's own stay)."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    yield
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals(saved)


def test_mmengine_checkpoint_fails_without_shim(tmp_path, without_safe_globals):
    _mmengine_like_checkpoint(tmp_path / 'ckpt.pth')
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(str(tmp_path / 'ckpt.pth'), map_location='cpu')


def test_mmengine_checkpoint_loads_with_shim(tmp_path, without_safe_globals):
    _mmengine_like_checkpoint(tmp_path / 'ckpt.pth')
    compat.allow_mmengine_checkpoint_globals()
    ckpt = _load_checkpoint(str(tmp_path / 'ckpt.pth'), map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2, 2))
    assert ckpt['meta']['seed'] == 7
    np.testing.assert_allclose(ckpt['meta']['dataset_meta']['sigmas'][-1], 0.1)
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375)


class _Evil:
    """Pickles as getattr(HistoryBuffer, '__init__'): not a statistic."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


class _Shell:
    """Pickles as a call of os.system: must stay forbidden."""

    def __reduce__(self):
        import os
        return os.system, ('true', )


@pytest.mark.parametrize('payload', [_Evil(), _Shell()])
def test_safe_loading_stays_on(tmp_path, payload):
    path = tmp_path / 'evil.pth'
    torch.save({'x': payload}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def _draw_keypoints():
    from mmengine.structures import InstanceData
    from mmpose.visualization import PoseLocalVisualizer
    vis = PoseLocalVisualizer(radius=3, backend='opencv')
    vis.set_dataset_meta(dict(num_keypoints=3, skeleton_links=[(0, 1)]))
    image = np.zeros((64, 64, 3), np.uint8)
    instances = InstanceData()
    instances.keypoints = np.array([[[10., 10.], [30., 30.], [50., 20.]]])
    instances.keypoint_scores = np.ones((1, 3))
    instances.keypoints_visible = np.ones((1, 3))
    vis.set_image(image)
    return vis._draw_instances_kpts(image, instances, kpt_thr=0.3)


def test_keypoint_drawing_fails_without_shim(monkeypatch):
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    original = OpencvBackendVisualizer.draw_circles._pose_nas_original
    monkeypatch.setattr(OpencvBackendVisualizer, 'draw_circles', original)
    with pytest.raises(TypeError, match='0-dimensional'):
        _draw_keypoints()


def test_keypoint_drawing_works_with_shim():
    drawn = _draw_keypoints()
    assert drawn.shape == (64, 64, 3)
    assert drawn[10, 10].any() and drawn[20, 50].any()  # circles at (x, y)
    assert not drawn[60, 5].any()


def test_apply_all_is_idempotent():
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    fn = OpencvBackendVisualizer.draw_circles
    compat.apply_all()
    compat.patch_opencv_visualizer_radius()
    assert OpencvBackendVisualizer.draw_circles is fn
    assert not hasattr(fn._pose_nas_original, '_pose_nas_original')
