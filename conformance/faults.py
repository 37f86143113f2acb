"""A seeded fault-injecting httpx transport: the network failures idempotent placing must survive.

Faults come before the request reaches the venue (connection refused, reset before send)
or after the venue acted (response lost, connection reset mid-response, a gateway 502/503
replacing the real answer), plus pure delays. The second kind is the dangerous one: the
order exists but the client does not know, and a naive resend doubles it.
"""

from __future__ import annotations

import asyncio
import enum
import random
from collections import Counter

import httpx

__all__ = ["Fault", "FaultInjectingTransport"]


class Fault(enum.Enum):
    NONE = "none"
    REFUSE = "refuse"  # never sent
    DELAY = "delay"  # sent late, answered normally
    LOSE_RESPONSE = "lose_response"  # the venue acted; the answer times out
    RESET_AFTER = "reset_after"  # the venue acted; connection reset while reading
    BAD_GATEWAY = "bad_gateway"  # the venue acted; a proxy answers 502
    UNAVAILABLE = "unavailable"  # the venue acted; a proxy answers 503


_BEFORE = frozenset({Fault.REFUSE})
_AFTER = frozenset({Fault.LOSE_RESPONSE, Fault.RESET_AFTER, Fault.BAD_GATEWAY, Fault.UNAVAILABLE})


class FaultInjectingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; requests matching ``methods`` and ``path_contains`` get a fault with
    probability ``rate`` (uniform over ``faults``). Deterministic for a given seed and order
    of requests."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        seed: int = 0,
        rate: float = 0.3,
        faults: tuple[Fault, ...] = tuple(Fault)[1:],
        methods: frozenset[str] = frozenset({"POST"}),
        path_contains: str = "",
        delay: float = 0.001,
    ) -> None:
        self._inner = inner
        self._rng = random.Random(seed)
        self._rate = rate
        self._faults = faults
        self._methods = methods
        self._path = path_contains
        self._delay = delay
        self.injected: Counter[Fault] = Counter()

    def _pick(self, request: httpx.Request) -> Fault:
        if request.method not in self._methods or self._path not in request.url.path:
            return Fault.NONE
        if self._rng.random() >= self._rate:
            return Fault.NONE
        return self._rng.choice(self._faults)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._pick(request)
        self.injected[fault] += 1
        if fault in _BEFORE:
            raise httpx.ConnectError("injected: connection refused", request=request)
        if fault is Fault.DELAY:
            await asyncio.sleep(self._delay)
        response = await self._inner.handle_async_request(request)
        if fault not in _AFTER:
            return response
        await response.aread()  # the venue has acted; now lose or garble the answer
        await response.aclose()
        if fault is Fault.LOSE_RESPONSE:
            raise httpx.ReadTimeout("injected: response lost", request=request)
        if fault is Fault.RESET_AFTER:
            raise httpx.RemoteProtocolError("injected: connection reset by peer", request=request)
        status = 502 if fault is Fault.BAD_GATEWAY else 503
        return httpx.Response(status, text="<html>gateway error</html>", request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()
