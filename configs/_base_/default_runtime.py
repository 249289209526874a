# pose_nas runtime defaults: MMPose's runtime plus our package import, so that
# MMPose's own tools/train.py and tools/test.py can build pose_nas modules.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['pose_nas'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=10))
