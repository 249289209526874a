# Copyright (c) pose_nas contributors. All rights reserved.
"""One-line errors, instead of tracebacks, for bad inputs of the tools that
hand over to MMPose (``tools/train.py``, ``tools/test.py``).

While MMPose's tool runs (:func:`clear_data_errors`):

- a dataset that loads no sample (an annotation file with zero persons, or
  zero persons with a labelled keypoint) raises an
  :class:`AnnotationFileError` naming the file, where MMEngine would end in
  numpy's ``need at least one array to concatenate``;
- a COCO-format annotation file that is not a JSON object (MMPose's datasets
  and its COCO metric read them with ``xtcocotools``) raises an
  :class:`AnnotationFileError` naming the file, where ``json`` would raise a
  ``JSONDecodeError`` without it.

The conditions are exactly those under which the libraries failed before;
only the messages change. :data:`TOOL_INPUT_ERRORS` are the classes a tool
reports as ``<tool>: error: <message>`` (see
:func:`~pose_nas.workflows.tool_runner.mmpose_tool_main`).
"""
import json
from contextlib import contextmanager
from typing import Iterator

from pose_nas.nas.checkpoint_check import (CheckpointMismatchError,
                                           CheckpointReadError)
from pose_nas.datasets.heldout_split import HeldOutLeakError
from pose_nas.nas.genotype import GenotypeError

__all__ = ['AnnotationFileError', 'clear_data_errors', 'TOOL_INPUT_ERRORS']


class AnnotationFileError(ValueError):
    """An annotation file that gives no usable sample or is not valid."""


def _empty_dataset_error(dataset) -> AnnotationFileError:
    ann_file = getattr(dataset, 'ann_file', None) or '(no ann_file)'
    filtered = ' after filter_cfg' if getattr(dataset, 'filter_cfg',
                                              None) else ''
    return AnnotationFileError(
        f'{type(dataset).__name__}: {ann_file} gives no sample{filtered} '
        '(zero persons, or none with a labelled keypoint); a dataset needs '
        'at least one')


@contextmanager
def clear_data_errors() -> Iterator[None]:
    """Within the block, an empty dataset or an annotation file that is not
    a JSON object raises :class:`AnnotationFileError` naming the file."""
    from mmengine.dataset import BaseDataset
    from mmpose.datasets.datasets.body.mpii_dataset import MpiiDataset
    from xtcocotools.coco import COCO

    serialize, coco_init = BaseDataset._serialize_data, COCO.__init__
    mpii_load = MpiiDataset._load_annotations

    def _mpii_load_annotations(self):
        try:
            return mpii_load(self)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise AnnotationFileError(
                f'annotation file {self.ann_file} is not valid JSON '
                f'({e})') from e

    def _serialize_data(self):
        if len(self.data_list) == 0:  # np.concatenate([]) would fail
            raise _empty_dataset_error(self)
        return serialize(self)

    def __init__(self, annotation_file=None, *args, **kwargs):
        try:
            coco_init(self, annotation_file, *args, **kwargs)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise AnnotationFileError(
                f'annotation file {annotation_file} is not valid JSON '
                f'({e})') from e
        except AssertionError as e:
            if 'annotation file format' not in str(e):
                raise
            raise AnnotationFileError(
                f'annotation file {annotation_file} is not a COCO-format '
                f'JSON object ({e})') from e

    BaseDataset._serialize_data, COCO.__init__ = _serialize_data, __init__
    MpiiDataset._load_annotations = _mpii_load_annotations
    try:
        yield
    finally:
        BaseDataset._serialize_data, COCO.__init__ = serialize, coco_init
        MpiiDataset._load_annotations = mpii_load


#: what a tool reports as one line: a bad checkpoint, annotation file or
#: genotype (of a derived config)
TOOL_INPUT_ERRORS = (CheckpointMismatchError, CheckpointReadError,
                     AnnotationFileError, GenotypeError, HeldOutLeakError)
