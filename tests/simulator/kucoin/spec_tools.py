"""Derive the facade's checked-in tables from KuCoin's official spec in ``../shared/kucoin-spec``.

Three artefacts come from the spec: the endpoint table (``simulator/kucoin/_spec_endpoints.py``:
pool, weight, permission per operation), the response schemas the tests validate against
(``tests/simulator/kucoin/data/response_schemas.json``), and the key paths and JSON types of
every operation's example response (``tests/simulator/kucoin/data/response_shapes.json``), so
that a fresh clone, which has no spec, holds served bodies to them too. Tests re-derive all
three and compare; ``python -m tests.simulator.kucoin.spec_tools`` rewrites them after a spec
update.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .shapes import Layout, key_paths

REPO = Path(__file__).resolve().parents[3]
SPEC_DIR = REPO.parent / "shared" / "kucoin-spec" / "rest"
TABLE_FILE = REPO / "simulator" / "kucoin" / "_spec_endpoints.py"
SCHEMA_FILE = Path(__file__).with_name("data") / "response_schemas.json"
SHAPES_FILE = Path(__file__).with_name("data") / "response_shapes.json"

#: How to read examples that are not plain records.
RESPONSE_LAYOUTS: dict[str, Layout] = {
    "Spot GET /api/v1/prices": Layout(maps=frozenset({"data"})),  # keyed by currency
    "Spot POST /api/v1/hf/orders/multi": Layout(variants={"data": "success"}),
    "Spot POST /api/v1/hf/orders/multi/sync": Layout(variants={"data": "success"}),
    "Spot POST /api/v1/orders/multi": Layout(variants={"data.data": "status"}),
}

Row = tuple[str, str, str, str, int | None, str | None, bool, str]

# Keys of a JSON schema that matter to validation; prose and examples are dropped.
_SCHEMA_KEYS = {"type", "properties", "required", "items", "enum", "additionalProperties", "oneOf", "anyOf"}


def spec_available() -> bool:
    return SPEC_DIR.is_dir() and any(SPEC_DIR.glob("openapi-*.json"))


def _operations() -> list[tuple[str, dict[str, Any], str, str, dict[str, Any]]]:
    out = []
    for file in sorted(SPEC_DIR.glob("openapi-*.json")):
        doc = json.loads(file.read_text())
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                out.append((file.name, doc, method.upper(), path, op))
    return out


def derive_endpoint_rows() -> list[Row]:
    rows: set[Row] = set()
    for _file, _doc, method, path, op in _operations():
        weight = op.get("x-api-rate-limit-weight")
        perm = op.get("x-api-permission")
        rows.add(
            (
                op.get("x-domain", "Spot"),
                method,
                path,
                op.get("x-api-rate-limit-pool", "Public"),
                int(weight) if isinstance(weight, int) else None,
                None if perm in (None, "NULL") else str(perm),
                op.get("x-abandon") == "abandon",
                str(op.get("summary", "")).strip(),
            )
        )
    return sorted(rows)


def _resolve(doc: dict[str, Any], schema: Any) -> Any:
    """Inline every ``$ref`` and keep only the validation keywords."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            target: Any = doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(doc, target)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key not in _SCHEMA_KEYS:
                continue
            if key == "properties":
                out[key] = {name: _resolve(doc, sub) for name, sub in value.items()}
            else:
                out[key] = _resolve(doc, value)
        return out
    if isinstance(schema, list):
        return [_resolve(doc, item) for item in schema]
    return schema


def _example(text: Any) -> Any:
    """An ``x-response-example``: JSON text stored escaped (``\\"``); ``None`` when it is not JSON."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(json.loads('"' + text + '"'))
    except ValueError:
        return None


def derive_response_examples() -> dict[str, Any]:
    """``"<domain> <METHOD> <path>"`` -> KuCoin's example response body (the operations whose
    example parses)."""
    examples: dict[str, Any] = {}
    for _file, _doc, method, path, op in _operations():
        body = _example(op.get("x-response-example"))
        if body is not None:
            examples[f"{op.get('x-domain', 'Spot')} {method} {path}"] = body
    return dict(sorted(examples.items()))


def derive_response_shapes() -> dict[str, dict[str, str]]:
    """``"<domain> <METHOD> <path>"`` -> every key path of the operation's example response,
    with its JSON type (read by ``RESPONSE_LAYOUTS``)."""
    return {
        key: key_paths(example, RESPONSE_LAYOUTS.get(key, Layout()))
        for key, example in derive_response_examples().items()
    }


def load_response_shapes() -> dict[str, dict[str, str]]:
    """The checked-in copy of :func:`derive_response_shapes`."""
    shapes: dict[str, dict[str, str]] = json.loads(SHAPES_FILE.read_text())
    return shapes


def _allow_null(schema: Any, example: Any) -> None:
    """Widen ``schema`` to take null wherever KuCoin's own example sends null: the spec types
    such fields (``stp`` of an HF order, the call-auction times of a symbol) without it."""
    if not isinstance(schema, dict):
        return
    if example is None:
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    elif isinstance(example, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in example:
                _allow_null(sub, example[key])
    elif isinstance(example, list):
        for element in example:
            _allow_null(schema.get("items"), element)


def derive_response_schemas() -> dict[str, Any]:
    """``"<domain> <METHOD> <path>"`` -> the operation's 200 response schema, refs inlined,
    nullable where the operation's example sends null."""
    schemas: dict[str, Any] = {}
    for _file, doc, method, path, op in _operations():
        content = _resolve(doc, op["responses"]["200"]["content"]["application/json"]["schema"])
        _allow_null(content, _example(op.get("x-response-example")))
        schemas[f"{op.get('x-domain', 'Spot')} {method} {path}"] = content
    return dict(sorted(schemas.items()))


def render_table(rows: list[Row]) -> str:
    lines = [
        "# ruff: noqa: E501",
        '"""Every REST operation in KuCoin\'s official spec: pool, weight, permission.',
        "",
        "Generated from ``../shared/kucoin-spec/rest/openapi-*.json`` (the x-api-rate-limit-pool,",
        "x-api-rate-limit-weight, x-api-permission and x-abandon fields) by",
        "``python -m tests.simulator.kucoin.spec_tools``; a test re-derives it. Do not edit by hand.",
        "",
        "Columns: domain, method, path, pool, weight, permission (None = public), deprecated, title.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# fmt: off",
        "SPEC_ENDPOINTS: tuple[tuple[str, str, str, str, int | None, str | None, bool, str], ...] = (",
    ]
    lines += [f"    {row!r}," for row in rows]
    lines += [")", "# fmt: on", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not spec_available():
        print(f"no spec at {SPEC_DIR}", file=sys.stderr)
        return 1
    TABLE_FILE.write_text(render_table(derive_endpoint_rows()))
    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(json.dumps(derive_response_schemas(), indent=0, sort_keys=True) + "\n")
    SHAPES_FILE.write_text(json.dumps(derive_response_shapes(), indent=0, sort_keys=True) + "\n")
    print(f"wrote {TABLE_FILE}, {SCHEMA_FILE} and {SHAPES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
