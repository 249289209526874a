# Copyright (c) pose_nas contributors. All rights reserved.
"""Genotypes: derived architectures as versioned, human-readable data.

A genotype file (JSON or YAML) looks like::

    format: pose_nas.genotype
    version: 1
    space: CellSearchBackbone          # the registered module that builds it
    components:
      normal:                          # a DAG cell
        type: cell
        num_inputs: 1
        nodes:                         # node j: list of [op, source] edges;
        - [[sep_conv_3x3, 0]]          # sources 0..num_inputs-1 are the cell
        - [[skip_connect, 0], [conv_3x3, 1]]   # inputs, then earlier nodes
        concat: [1, 2]
      blocks:                          # a chain of single-op choices
        type: chain
        ops: [ir_k3_e6, ir_k5_e3, skip_connect]
      fabric:                          # a kept continuous mixture (PNFS)
        type: continuous
        candidates: [none, skip_connect, sep_conv_3x3]
        weights: [[0.1, 0.2, 0.7], ...]
      sources:                         # a mixture over free labels, not
        type: continuous               # ops (op_names: false), e.g. PNFS's
        op_names: false                # beta over a cell's input sources
        candidates: [same, finer, coarser]
        weights: [[0.3, 0.3, 0.4], ...]
      depth:                           # controller decisions
        type: decisions
        choices: [2, 2, 2]
        values: [1, 0, 1]
    meta: {derived_from: ..., rule: ...}

Components are typed (:data:`COMPONENT_TYPES`) and their syntax is checked
whenever a genotype is built or validated (:mod:`.genotype_syntax`: every
number typed, finite and in range, errors naming the component, row and
column); a searchable module
declares the components it expects (:meth:`SearchableMixin.genotype_spec`,
built with the helpers of :mod:`.genotype_specs`) and
:func:`validate_genotype` compares the two with clear errors. The rules
that turn architecture parameters into components live in
:mod:`.derive_rules`.
"""
import copy
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np
import torch

from .genotype_syntax import (COMPONENT_TYPES, GenotypeError,
                              check_component_syntax, column_names,
                              weights_shape)
from .ops import canonical_op_name

GENOTYPE_FORMAT = 'pose_nas.genotype'
GENOTYPE_VERSION = 1


@dataclass
class Genotype:
    """A derived architecture.

    Attributes:
        space (str): registered type of the module that builds it.
        components (dict): component name -> typed component dict.
        meta (dict): provenance (checkpoint, epoch, derive rule ...).
        version (int): schema version.
    """
    space: str
    components: Dict[str, Dict[str, Any]]
    meta: Dict[str, Any] = field(default_factory=dict)
    version: int = GENOTYPE_VERSION

    def __post_init__(self) -> None:
        if not isinstance(self.components, dict):
            raise GenotypeError('genotype components must be a mapping')
        for name, comp in self.components.items():
            check_component_syntax(name, comp)

    def __getitem__(self, name: str) -> Dict[str, Any]:
        if name not in self.components:
            raise GenotypeError(
                f'genotype of {self.space} has no component {name!r}; it has '
                f'{sorted(self.components)}')
        return self.components[name]

    def to_dict(self) -> Dict[str, Any]:
        return dict(
            format=GENOTYPE_FORMAT,
            version=self.version,
            space=self.space,
            components=_plain(self.components),
            meta=_plain(self.meta))

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> 'Genotype':
        if not isinstance(data, dict):
            raise GenotypeError(
                f'a genotype must be a mapping, got {type(data).__name__}')
        fmt = data.get('format', GENOTYPE_FORMAT)
        if fmt != GENOTYPE_FORMAT:
            raise GenotypeError(f'not a pose_nas genotype (format={fmt!r})')
        version = data.get('version', GENOTYPE_VERSION)
        if version != GENOTYPE_VERSION:
            raise GenotypeError(
                f'genotype schema version {version} is not supported '
                f'(this pose_nas reads version {GENOTYPE_VERSION})')
        for key in ('space', 'components'):
            if key not in data:
                raise GenotypeError(f'genotype lacks the {key!r} key')
        unknown = set(data) - {'format', 'version', 'space', 'components',
                               'meta'}
        if unknown:
            raise GenotypeError(f'unknown genotype keys {sorted(unknown)}')
        return cls(
            space=data['space'],
            components=copy.deepcopy(dict(data['components'])),
            meta=copy.deepcopy(dict(data.get('meta') or {})),
            version=version)

    def dump(self, path: str) -> str:
        """Write to ``path`` (``.json``, ``.yaml`` or ``.yml``)."""
        text = self.dumps(fmt='yaml' if path.endswith(
            ('.yaml', '.yml')) else 'json')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def dumps(self, fmt: str = 'json') -> str:
        if fmt == 'yaml':
            import yaml
            return yaml.safe_dump(
                self.to_dict(), sort_keys=False, default_flow_style=None)
        return json.dumps(self.to_dict(), indent=2) + '\n'

    @classmethod
    def load(cls, path: str) -> 'Genotype':
        if not osp.isfile(path):
            raise FileNotFoundError(f'genotype file not found: {path}')
        try:
            with open(path, encoding='utf-8') as f:
                text = f.read()
        except UnicodeDecodeError:
            raise GenotypeError(
                f'{path} is not a text file; a genotype is a JSON or YAML '
                'file written by tools/derive_arch.py') from None
        try:
            if path.endswith(('.yaml', '.yml')):
                import yaml
                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as e:  # noqa: BLE001 - re-raised with the path
            raise GenotypeError(f'cannot parse genotype file {path}: {e}')
        return cls.from_dict(data)


def load_genotype(genotype: Union[str, dict, Genotype]) -> Genotype:
    """Accept a :class:`Genotype`, an inline dict or a file path."""
    if isinstance(genotype, Genotype):
        return genotype
    if isinstance(genotype, str):
        return Genotype.load(genotype)
    if isinstance(genotype, dict):
        return Genotype.from_dict(dict(genotype))
    raise GenotypeError('genotype must be a Genotype, a dict or a file path, '
                        f'got {type(genotype).__name__}')


def _plain(obj: Any) -> Any:
    """Convert tensors / numpy values to JSON-friendly Python values."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().tolist()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer, )):
        return int(obj)
    if isinstance(obj, (np.floating, )):
        return float(obj)
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def validate_genotype(genotype: Union[str, dict, Genotype],
                      spec: Dict[str, Dict[str, Any]],
                      space: Optional[str] = None) -> Genotype:
    """Check that ``genotype`` fits a model whose expectations are ``spec``.

    Args:
        genotype: a :class:`Genotype`, dict or path.
        spec (dict): component name -> ``*_spec(...)`` dict.
        space (str, optional): the model's registered type; a genotype
            derived for another space is refused.

    Returns:
        Genotype: the parsed genotype.

    Raises:
        GenotypeError: with a message naming the component and the mismatch
            (wrong number of cells/nodes/blocks, unknown or disallowed op,
            wrong scale or shape, missing/extra components).
    """
    g = load_genotype(genotype)
    if space is not None and g.space != space:
        raise GenotypeError(f'genotype was derived for {g.space!r}, but is '
                            f'given to {space!r}')
    missing = sorted(set(spec) - set(g.components))
    extra = sorted(set(g.components) - set(spec))
    if missing or extra:
        raise GenotypeError(
            f'genotype components do not fit {space or "the model"}: '
            f'missing {missing}, unexpected {extra}')
    for name, expect in spec.items():
        comp = g.components[name]
        # again: a Genotype object may have been edited since it was built
        check_component_syntax(name, comp)
        where = f'genotype component {name!r}'
        if comp['type'] != expect['type']:
            raise GenotypeError(f'{where} is a {comp["type"]!r}, the model '
                                f'expects a {expect["type"]!r}')
        kind = expect['type']
        if kind == 'cell':
            if int(comp['num_inputs']) != expect['num_inputs']:
                raise GenotypeError(
                    f'{where}: {comp["num_inputs"]} cell inputs, the model '
                    f'has {expect["num_inputs"]}')
            if len(comp['nodes']) != expect['num_nodes']:
                raise GenotypeError(
                    f'{where}: {len(comp["nodes"])} nodes, the model has '
                    f'{expect["num_nodes"]}')
            for j, node in enumerate(comp['nodes']):
                if expect.get('max_edges') and len(node) > expect['max_edges']:
                    raise GenotypeError(
                        f'{where}: node {j} has {len(node)} edges, at most '
                        f'{expect["max_edges"]} allowed')
                for op, _ in node:
                    _check_allowed(where, op, expect['candidates'])
        elif kind == 'chain':
            if len(comp['ops']) != expect['length']:
                raise GenotypeError(
                    f'{where}: {len(comp["ops"])} blocks, the model has '
                    f'{expect["length"]}')
            for i, op in enumerate(comp['ops']):
                _check_allowed(f'{where} block {i}', op,
                               expect['candidates'])
                if canonical_op_name(op) in expect['forbidden'].get(i, []):
                    raise GenotypeError(
                        f'{where}: op {op!r} is not allowed at block {i}')
        elif kind == 'continuous':
            expect_ops = expect.get('op_names', True)
            if comp.get('op_names', True) != expect_ops:
                raise GenotypeError(
                    f'{where}: its columns are '
                    f'{"op names" if comp.get("op_names", True) else "labels"}'
                    f' {comp["candidates"]}, the model expects '
                    f'{"op names" if expect_ops else "labels"} '
                    f'{expect["candidates"]}')
            if expect_ops:
                for c in comp['candidates']:
                    _check_allowed(where, c, expect['candidates'])
                names = [canonical_op_name(c) for c in comp['candidates']]
            else:
                names = list(comp['candidates'])
            if names != expect['candidates']:
                raise GenotypeError(
                    f'{where}: candidates {comp["candidates"]} differ from '
                    f'the model\'s {expect["candidates"]}')
            shape = weights_shape(comp['weights'], where)
            if shape != list(expect['shape']):
                raise GenotypeError(f'{where}: weights of shape {shape}, the '
                                    f'model expects {expect["shape"]}')
        elif kind == 'decisions':
            if [int(c) for c in comp['choices']] != expect['choices']:
                raise GenotypeError(
                    f'{where}: decision space {comp["choices"]} differs from '
                    f'the model\'s {expect["choices"]}')
    return g


def _check_allowed(where: str, op: str, candidates: Sequence[str]) -> None:
    name = canonical_op_name(op)
    if name not in candidates:
        raise GenotypeError(f'{where}: op {op!r} is not in this model\'s '
                            f'search space {list(candidates)}')


__all__ = [
    'GENOTYPE_FORMAT', 'GENOTYPE_VERSION', 'COMPONENT_TYPES',
    'GenotypeError', 'Genotype', 'load_genotype', 'validate_genotype',
    'column_names', 'weights_shape'
]
