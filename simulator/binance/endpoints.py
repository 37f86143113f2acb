"""The dialect's REST endpoint table: path, method, security type and weight of every route
(weights from ``shared/binance-spec/ENDPOINTS.md``; a weight that depends on the request is
a function of its parameters)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from .params import Params

__all__ = ["Endpoint", "Registry", "Security"]

Handler = Callable[[Any], Any]
H = TypeVar("H", bound=Handler)
Weight = int | Callable[[Params], int]


class Security:
    """Binance's security types (NOTES section 3.2)."""

    NONE = "NONE"
    TRADE = "TRADE"
    USER_DATA = "USER_DATA"
    SIGNED = frozenset({TRADE, USER_DATA})


@attrs.frozen
class Endpoint:
    method: str
    path: str
    handler: Handler
    security: str
    weight: Weight
    #: An order-entry request: weighs nothing when it succeeds (since 2026-04-02).
    entry: bool = False
    #: The orders it places, counted against the ``ORDERS`` limits.
    places: int = 0
    #: Counts its own orders (cancelReplace): the ``ORDERS`` headers go on every answer.
    counted: bool = False

    def weigh(self, params: Params) -> int:
        weight = self.weight
        return weight if isinstance(weight, int) else weight(params)


class Registry:
    """Collects endpoints from the route modules through the ``route`` decorator."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        security: str = Security.NONE,
        weight: Weight = 1,
        entry: bool = False,
        places: int = 0,
        counted: bool = False,
    ) -> Callable[[H], H]:
        def register(fn: H) -> H:
            self.endpoints.append(Endpoint(method, path, fn, security, weight, entry, places, counted))
            return fn

        return register
