"""The facade's endpoint table: path, method, pool, weight, permission for every route.

Rows come from KuCoin's spec (``_spec_endpoints``, generated). A few paths that clients call
but the copied spec lacks are listed in ``EXTRA_ENDPOINTS`` with weights from KuCoin's older
docs (v1 symbols and currencies) or, where none is published, a cautious guess (the unified
account mode probe CCXT sends at start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ._spec_endpoints import SPEC_ENDPOINTS

__all__ = ["EXTRA_ENDPOINTS", "Endpoint", "RouteDef", "spec_row"]

Handler = Callable[[Any], Any]
H = TypeVar("H", bound=Handler)

#: (method, path) -> (pool, weight, permission) for paths outside the copied spec.
EXTRA_ENDPOINTS: dict[tuple[str, str], tuple[str, int, str | None]] = {
    ("GET", "/api/v1/symbols"): ("Public", 4, None),
    ("GET", "/api/v1/currencies"): ("Public", 3, None),
    ("GET", "/api/v1/currencies/{currency}"): ("Public", 3, None),
    ("GET", "/api/ua/v1/account/mode"): ("Management", 30, "General"),
}

_BY_KEY: dict[tuple[str, str, str], tuple[str, str, str, str, int | None, str | None, bool, str]] = {
    (row[0], row[1], row[2]): row for row in SPEC_ENDPOINTS
}


def spec_row(
    method: str, path: str, domain: str = "Spot"
) -> tuple[str, str, str, str, int | None, str | None, bool, str] | None:
    return _BY_KEY.get((domain, method, path))


@attrs.frozen
class RouteDef:
    """A handler as its module declares it, before the table fills in pool and weight."""

    method: str
    path: str
    handler: Handler
    domain: str = "Spot"
    bulk: bool = False
    #: KuCoin's message when the order in question is missing (cancels differ from reads).
    not_found_msg: str = "order not exist."


@attrs.frozen
class Endpoint:
    """A served route with everything the gateway needs to check and charge it."""

    method: str
    path: str
    handler: Handler
    pool: str
    weight: int
    permission: str | None
    bulk: bool
    not_found_msg: str
    #: Key of the response schema: ``"<domain> <METHOD> <path>"`` (spec) or ``"extra ..."``.
    schema_key: str

    @classmethod
    def from_def(cls, route: RouteDef) -> Endpoint:
        row = spec_row(route.method, route.path, route.domain)
        if row is not None:
            _d, _m, _p, pool, weight, permission, _dep, _title = row
            key = f"{route.domain} {route.method} {route.path}"
        else:
            pool, weight, permission = EXTRA_ENDPOINTS[(route.method, route.path)]
            key = f"extra {route.method} {route.path}"
        return cls(
            method=route.method,
            path=route.path,
            handler=route.handler,
            pool=pool,
            weight=weight or 0,
            permission=permission,
            bulk=route.bulk,
            not_found_msg=route.not_found_msg,
            schema_key=key,
        )


class Registry:
    """Collects ``RouteDef``s from the route modules through the ``route`` decorator."""

    def __init__(self) -> None:
        self.routes: list[RouteDef] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        domain: str = "Spot",
        bulk: bool = False,
        not_found_msg: str = "order not exist.",
    ) -> Callable[[H], H]:
        def register(fn: H) -> H:
            self.routes.append(RouteDef(method, path, fn, domain, bulk, not_found_msg))
            return fn

        return register
