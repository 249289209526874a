# Copyright (c) pose_nas contributors. All rights reserved.
import pytest

from pose_nas.apis import init_topdown_inferencer


def test_urls_are_refused(tmp_path):
    cfg = tmp_path / 'a.py'
    cfg.write_text('')
    with pytest.raises(ValueError, match='local file'):
        init_topdown_inferencer(str(cfg), 'https://example.com/pose.pth',
                                str(cfg), str(cfg))


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    cfg = tmp_path / 'a.py'
    cfg.write_text('')
    with pytest.raises(FileNotFoundError, match='detector checkpoint'):
        init_topdown_inferencer(str(cfg), str(cfg), str(cfg),
                                str(tmp_path / 'missing.pth'))
