"""Derive from KuCoin's spec (``../shared/kucoin-spec/ws/openapi-spot-*.json``) the spot
WebSocket topics (prefix, subject, private) and their message schemas, checked in as
``data/ws_schemas.json``. Tests re-derive both; ``python -m tests.simulator.kucoin.ws_spec_tools``
rewrites the schemas after a spec update."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .spec_tools import REPO, _example, _resolve

WS_SPEC_DIR = REPO.parent / "shared" / "kucoin-spec" / "ws"
WS_SCHEMA_FILE = Path(__file__).with_name("data") / "ws_schemas.json"


def ws_spec_available() -> bool:
    return WS_SPEC_DIR.is_dir() and any(WS_SPEC_DIR.glob("openapi-spot-*.json"))


def _topics() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for file in sorted(WS_SPEC_DIR.glob("openapi-spot-*.json")):
        doc = json.loads(file.read_text())
        for ops in doc["paths"].values():
            for op in ops.values():
                out.append((doc, op))
    return out


def derive_topics() -> dict[str, tuple[str, bool]]:
    """x-topic -> (the subject of its example frame, private)."""
    out: dict[str, tuple[str, bool]] = {}
    for _doc, op in _topics():
        example = _example(op.get("x-response-example")) or {}
        out[op["x-topic"]] = (str(example.get("subject", "")), bool(op.get("x-sdk-private")))
    return out


def derive_ws_schemas() -> dict[str, Any]:
    """x-topic -> the message schema, refs inlined."""
    schemas: dict[str, Any] = {}
    for doc, op in _topics():
        content = op["responses"]["200"]["content"]["application/json"]["schema"]
        schemas[op["x-topic"]] = _resolve(doc, content)
    return dict(sorted(schemas.items()))


def main() -> int:
    if not ws_spec_available():
        print(f"no spec at {WS_SPEC_DIR}", file=sys.stderr)
        return 1
    WS_SCHEMA_FILE.write_text(json.dumps(derive_ws_schemas(), indent=0, sort_keys=True) + "\n")
    print(f"wrote {WS_SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
