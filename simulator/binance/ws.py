from __future__ import annotations

from typing import Any


def ws_routes(facade: Any) -> list[Any]:
    return []
