"""Holding a served body to the key paths and JSON types of KuCoin's own example of it.

A key path reads ``data.items[].stp``: ``[]`` stands for every element of an array, which is held
to the example's first element; ``.*`` for every value of an object keyed by data (currency
codes); ``[success=false]`` for the elements of a batch reply whose example shows one row of each
kind. Types are JSON's: string, number, boolean, object, array, null. Extra served keys are fine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Layout", "Verdict", "hold", "json_type", "key_paths", "skeleton"]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


@attrs.frozen
class Layout:
    """How to read one example: objects keyed by data, and batch arrays with a row per kind."""

    #: Paths of objects whose keys are data, not field names.
    maps: frozenset[str] = frozenset()
    #: Array path -> the element key that tells the example's rows apart.
    variants: Mapping[str, str] = attrs.field(factory=dict)


def _kind(row: Any, key: str) -> str:
    """A batch row's kind: its ``key`` value spelled as in JSON (``true``, ``fail``)."""
    value = row.get(key) if isinstance(row, dict) else None
    return value if isinstance(value, str) else json.dumps(value)


def _first_of_each_kind(rows: list[Any], key: str) -> dict[str, Any]:
    firsts: dict[str, Any] = {}
    for row in rows:
        firsts.setdefault(_kind(row, key), row)
    return firsts


def _children(example: Any, path: str, layout: Layout) -> list[tuple[Any, str]]:
    """(example value, its path) for each child the example shows."""
    if isinstance(example, dict):
        if path in layout.maps:
            return [(next(iter(example.values())), f"{path}.*")] if example else []
        return [(v, f"{path}.{k}" if path else k) for k, v in example.items()]
    if isinstance(example, list) and example:
        key = layout.variants.get(path)
        if key is None:
            return [(example[0], f"{path}[]")]
        return [(row, f"{path}[{key}={kind}]") for kind, row in _first_of_each_kind(example, key).items()]
    return []


def key_paths(example: Any, layout: Layout = Layout()) -> dict[str, str]:
    """Every key path of ``example`` with the JSON type the example has there."""
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        for child, child_path in _children(value, path, layout):
            out[child_path] = json_type(child)
            walk(child, child_path)

    walk(example, "")
    return out


@attrs.define
class Verdict:
    """What holding served bodies to one example found."""

    #: Paths where a served body had the example's type (or an allowed other one).
    met: set[str] = attrs.field(factory=set)
    problems: list[str] = attrs.field(factory=list)


def hold(
    served: Any,
    example: Any,
    verdict: Verdict,
    *,
    layout: Layout = Layout(),
    allowed: Mapping[str, str] = {},
) -> None:
    """Add to ``verdict`` where ``served`` lacks a key ``example`` has or types it otherwise.

    ``allowed``: path -> one more type the served value may have there (with its reason kept
    by the caller)."""

    def visit(want: Any, got: Any, path: str) -> None:
        expected, actual = json_type(want), json_type(got)
        if actual != expected and allowed.get(path) != actual:
            verdict.problems.append(f"{path}: example has {expected}, served {actual} ({got!r:.60})")
            return
        if path:
            verdict.met.add(path)
        if actual != expected:
            return
        if isinstance(got, dict) and path in layout.maps:
            for value in got.values() if want else ():
                visit(next(iter(want.values())), value, f"{path}.*")
        elif isinstance(got, dict):
            for key, sub in want.items():
                sub_path = f"{path}.{key}" if path else key
                if key in got:
                    visit(sub, got[key], sub_path)
                else:
                    verdict.problems.append(f"{sub_path}: missing")
        elif isinstance(got, list) and want:
            key = layout.variants.get(path)
            if key is None:
                for element in got:
                    visit(want[0], element, f"{path}[]")
                return
            kinds = _first_of_each_kind(want, key)
            for element in got:
                kind = _kind(element, key)
                if kind in kinds:
                    visit(kinds[kind], element, f"{path}[{key}={kind}]")
                else:
                    verdict.problems.append(f"{path}[{key}={kind}]: no such row in the example")

    visit(example, served, "")


_TOKEN = re.compile(r"\.?(\*|[^.\[\]]+)|\[([^\]]*)\]")
_PLACEHOLDER: dict[str, Any] = {"string": "", "number": 0, "boolean": False, "null": None}


@attrs.define
class _Node:
    kind: str = "object"
    children: dict[str, _Node] = attrs.field(factory=dict)


def _tokens(path: str) -> list[str]:
    """``data.items[].stp`` -> ``["data", "items", "[]", "stp"]`` (``[k=v]`` and ``*`` kept)."""
    out = []
    for name, index in _TOKEN.findall(path):
        out.append(name if name else f"[{index}]")
    return out


def skeleton(paths: Mapping[str, str]) -> Any:
    """An example with the key paths and types ``paths`` gives (as :func:`key_paths` derives
    them), its values blanks of their type: what :func:`hold` needs of KuCoin's example,
    without KuCoin's example data. A batch row of kind ``[key=value]`` gets that value."""
    root = _Node()
    for path, kind in paths.items():
        node = root
        for token in _tokens(path):
            node = node.children.setdefault(token, _Node())
        node.kind = kind
    return _build(root)


def _build(node: _Node) -> Any:
    if node.kind == "object":
        return {token: _build(child) for token, child in node.children.items()}
    if node.kind != "array":
        return _PLACEHOLDER[node.kind]
    rows = []
    for token, child in node.children.items():
        row = _build(child)
        key, _, value = token[1:-1].partition("=")
        if key and isinstance(row, dict):
            row[key] = value if child.children[key].kind == "string" else json.loads(value)
        rows.append(row)
    return rows
