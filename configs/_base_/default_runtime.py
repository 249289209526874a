# pose_nas runtime defaults: MMPose's runtime plus our package import, so that
# MMPose's own tools/train.py and tools/test.py can build pose_nas modules.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['pose_nas'], allow_failed_imports=False)

default_hooks = dict(logger=dict(type='LoggerHook', interval=10))


# the train loop by type (MMPose's base says `by_epoch=True`, which cannot be
# combined with a `type`): search configs switch it to
# 'NASEpochBasedTrainLoop' and add `search=dict(strategy=...)`
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop')
