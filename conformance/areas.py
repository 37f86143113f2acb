"""The suite's areas: the rows of its report, the markers that select them, their modules.

An area is named once, in its module's ``pytestmark`` (``conformance_area("orders")``); the
plugin derives the marker (``conformance_orders``) from the name, so ``-m conformance_orders``,
``--conformance-area orders`` and ``pytest --pyargs conformance.contract.test_orders`` select
the same tests.
"""

from __future__ import annotations

__all__ = ["AREAS", "AREA_MODULES", "area_marker", "parse_areas"]

#: Each area and the module holding its tests, in report order.
AREA_MODULES: dict[str, str] = {
    "market data": "conformance.contract.test_market_data",
    "orders": "conformance.contract.test_orders",
    "client ids": "conformance.contract.test_client_ids",
    "errors": "conformance.contract.test_errors",
    "balances": "conformance.contract.test_balances",
    "rate limits": "conformance.contract.test_rate_limits",
    "faults": "conformance.contract.test_faults",
    "state machine": "conformance.contract.test_state_machine",
}

AREAS: tuple[str, ...] = tuple(AREA_MODULES)


def area_marker(area: str) -> str:
    """``"market data"`` -> ``"conformance_market_data"``."""
    return "conformance_" + area.replace(" ", "_")


def parse_areas(text: str) -> list[str]:
    """Areas named in ``text`` (comma-separated; ``market data``, ``market_data`` or the
    marker ``conformance_market_data``), in report order; ``ValueError`` naming an unknown one."""
    wanted: set[str] = set()
    for raw in text.split(","):
        name = raw.strip().removeprefix("conformance_").replace("_", " ").replace("-", " ")
        if not name:
            continue
        if name not in AREA_MODULES:
            raise ValueError(f"unknown conformance area {raw.strip()!r}; the areas: {', '.join(AREAS)}")
        wanted.add(name)
    return [area for area in AREAS if area in wanted]
