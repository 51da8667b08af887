"""YAML loading that remembers where every mapping key and list item was written.

PyYAML's composer knows each node's line and column; plain `safe_load` forgets them. The vocabulary
and the fact files need them so that an error can say "facts.yaml:12:5".
"""
from __future__ import annotations

import yaml

from .ast import Position


class PosDict(dict):
    """A dict that also knows the position of the mapping and of each key."""

    pos: Position
    key_pos: dict


class PosList(list):
    """A list that also knows the position of the sequence and of each item."""

    pos: Position
    item_pos: list


# libyaml's parser (when PyYAML was built with it) is an order of magnitude faster and keeps marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    pass


def _position(loader: _Loader, node: yaml.Node) -> Position:
    start, end = node.start_mark, node.end_mark
    return Position(loader.name, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> PosDict:
    result = PosDict()
    result.pos = _position(loader, node)
    result.key_pos = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):  # `{[a]: b}`: a key must be a name or a value
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark,
                f"a key must be a name or a value, not a {'list' if isinstance(key, list) else 'mapping'}",
                key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _position(loader, key_node)
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> PosList:
    result = PosList(loader.construct_object(child, deep=True) for child in node.value)
    result.pos = _position(loader, node)
    result.item_pos = [_position(loader, child) for child in node.value]
    return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date-looking scalar that is no real date (2026-13-01) stays text, to be reported where it is."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str, path: str):
    """Parse YAML text; mappings and lists come back as PosDict / PosList."""
    loader = _Loader(text)
    loader.name = path  # the C loader ignores this in its marks; _position uses it instead
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def error_position(err: yaml.YAMLError, path: str) -> Position:
    """Where a YAML syntax error happened."""
    mark = getattr(err, "problem_mark", None)
    if mark is None:
        return Position(path, 1, 1)
    return Position(path, mark.line + 1, mark.column + 1)


def pos_of(container, key, default: Position) -> Position:
    """Position of a key of a PosDict or an index of a PosList, falling back to `default`."""
    if isinstance(container, PosDict):
        return container.key_pos.get(key, default)
    if isinstance(container, PosList) and isinstance(key, int) and key < len(container.item_pos):
        return container.item_pos[key]
    return getattr(container, "pos", default)
