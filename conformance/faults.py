"""A seeded fault-injecting httpx transport: what a real venue's network and replicas do to a
client that must never lose or double an order.

Faults on placements come before the request reaches the venue (connection refused) or
after the venue acted (answer lost, connection reset mid-answer, a gateway 502/503 in place
of the real answer, a batch applied only in part before its answer is lost), plus pure
delays. Faults on reads of orders model an eventually consistent venue: a read that lags
(the venue answers "not found" for an order placed moments ago, ``N`` times), reads that
fail (timeouts, also on the very queries a client reconciles with), and black-outs (every
read about one order fails for a while, so that a client cannot find out in time).

The transport is venue-neutral; what it must know of a venue's wire format (which requests
place orders and with which client ids, how to cut a batch short, which requests read
orders and how a replica that has not seen an order would answer) comes from a
:class:`FaultWire` the target provides.
"""

from __future__ import annotations

import asyncio
import enum
import random
from collections import Counter
from collections.abc import Collection
from typing import Protocol

import httpx

__all__ = ["Fault", "FaultInjectingTransport", "FaultWire"]


class Fault(enum.Enum):
    NONE = "none"
    REFUSE = "refuse"  # never sent
    DELAY = "delay"  # sent late, answered normally
    LOSE_RESPONSE = "lose_response"  # the venue acted; the answer times out
    RESET_AFTER = "reset_after"  # the venue acted; connection reset while reading
    BAD_GATEWAY = "bad_gateway"  # the venue acted; a proxy answers 502
    UNAVAILABLE = "unavailable"  # the venue acted; a proxy answers 503
    PARTIAL_BATCH = "partial_batch"  # the venue applied the first orders of a batch; the answer is lost
    # faults on reads of orders
    LAG = "lag"  # a read answered as by a replica that has not seen a recent order
    READ_TIMEOUT = "read_timeout"  # a read of orders times out
    BLACKOUT = "blackout"  # every read about one order fails for a while


#: Faults that can hit a placement (``PARTIAL_BATCH`` only where the request is a batch).
PLACEMENT_FAULTS = (
    Fault.REFUSE,
    Fault.DELAY,
    Fault.LOSE_RESPONSE,
    Fault.RESET_AFTER,
    Fault.BAD_GATEWAY,
    Fault.UNAVAILABLE,
    Fault.PARTIAL_BATCH,
)
_BEFORE = frozenset({Fault.REFUSE})
_AFTER = frozenset(
    {Fault.LOSE_RESPONSE, Fault.RESET_AFTER, Fault.BAD_GATEWAY, Fault.UNAVAILABLE, Fault.PARTIAL_BATCH}
)


class FaultWire(Protocol):
    """What the injector must know of one venue's wire format."""

    def placed_client_ids(self, request: httpx.Request) -> list[str]:
        """The client order ids a request places, in order ([] if it places nothing)."""
        ...

    def keep_first(self, request: httpx.Request, count: int) -> httpx.Request:
        """The same batch placement carrying only its first ``count`` orders."""
        ...

    def is_order_read(self, request: httpx.Request) -> bool:
        """Whether the request reads orders (one, by either id, or a list)."""
        ...

    def read_client_id(self, request: httpx.Request) -> str | None:
        """The client order id a read asks about by name, if it does."""
        ...

    def hide(
        self, request: httpx.Request, response: httpx.Response, unseen: Collection[str]
    ) -> tuple[httpx.Response, set[str]]:
        """``response`` as a replica that has not seen the orders with client ids in
        ``unseen`` would give it, and which of them it hid."""
        ...


class FaultInjectingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport. Placements (``methods`` and ``path_contains``, or what ``wire``
    says places orders) get a fault with probability ``rate``, uniform over ``faults``.
    With a ``wire``, reads of orders also lag (``lag_rate``: a fraction of the placed
    orders stays unseen for ``min_lag``..``max_lag`` reads), fail (``read_failure_rate``) or black out
    (``blackout_rate``: every read naming one order fails, 1..``max_blackout`` times).
    Deterministic for a given seed and order of requests."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        seed: int = 0,
        rate: float = 0.3,
        faults: tuple[Fault, ...] = PLACEMENT_FAULTS,
        methods: frozenset[str] = frozenset({"POST"}),
        path_contains: str = "",
        delay: float = 0.001,
        wire: FaultWire | None = None,
        lag_rate: float = 0.0,
        min_lag: int = 1,
        max_lag: int = 3,
        read_failure_rate: float = 0.0,
        blackout_rate: float = 0.0,
        max_blackout: int = 12,
    ) -> None:
        self._inner = inner
        self._rng = random.Random(seed)
        self._rate = rate
        self._faults = faults
        self._methods = methods
        self._path = path_contains
        self._delay = delay
        self._wire = wire
        self._lag_rate = lag_rate
        self._min_lag = min_lag
        self._max_lag = max_lag
        self._read_failure_rate = read_failure_rate
        self._blackout_rate = blackout_rate
        self._max_blackout = max_blackout
        self._unseen: dict[str, int] = {}  # client id -> reads left that will not show it (> 0)
        self._blackout: dict[str, int] = {}  # client id -> reads naming it left that fail
        self.injected: Counter[Fault] = Counter()
        #: Client ids whose placement's answer was lost after the venue acted (at least once).
        self.lost_answers: set[str] = set()
        #: Client ids every read about which failed for a while.
        self.blacked_out: set[str] = set()
        #: Client ids a lagging read hid (at least once).
        self.hidden: set[str] = set()

    @property
    def harmful(self) -> int:
        """Faults injected that could cost an order (everything but delays)."""
        return sum(n for fault, n in self.injected.items() if fault not in (Fault.NONE, Fault.DELAY))

    def _placed(self, request: httpx.Request) -> list[str] | None:
        """The client ids a placement carries; ``None`` if the request is no placement."""
        if self._wire is not None:
            ids = self._wire.placed_client_ids(request)
            return ids if ids else None
        if request.method in self._methods and self._path in request.url.path:
            return []
        return None

    def _pick(self, ids: list[str]) -> Fault:
        if self._rng.random() >= self._rate:
            return Fault.NONE
        choices = [f for f in self._faults if f is not Fault.PARTIAL_BATCH or len(ids) > 1]
        return self._rng.choice(choices) if choices else Fault.NONE

    def _after_placing(self, ids: list[str], lost: bool) -> None:
        """The venue now holds these orders: some stay unseen by reads for a while, and
        after a lost answer some are blacked out."""
        for cid in ids:
            if self._lag_rate and self._rng.random() < self._lag_rate:
                self._unseen[cid] = self._rng.randint(self._min_lag, self._max_lag)
            if lost:
                self.lost_answers.add(cid)
            if lost and self._blackout_rate and self._rng.random() < self._blackout_rate:
                self._blackout[cid] = self._rng.randint(1, self._max_blackout)
                self.blacked_out.add(cid)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        placed = self._placed(request)
        if placed is not None:
            return await self._place(request, placed)
        if self._wire is not None and self._wire.is_order_read(request):
            return await self._read(request, self._wire)
        return await self._inner.handle_async_request(request)

    async def _place(self, request: httpx.Request, ids: list[str]) -> httpx.Response:
        fault = self._pick(ids)
        self.injected[fault] += 1
        if fault in _BEFORE:
            raise httpx.ConnectError("injected: connection refused", request=request)
        if fault is Fault.DELAY:
            await asyncio.sleep(self._delay)
        if fault is Fault.PARTIAL_BATCH:
            assert self._wire is not None
            keep = self._rng.randint(1, len(ids) - 1)
            request, ids = self._wire.keep_first(request, keep), ids[:keep]
        response = await self._inner.handle_async_request(request)
        self._after_placing(ids, lost=fault in _AFTER)
        if fault not in _AFTER:
            return response
        await response.aread()  # the venue has acted; now lose or garble the answer
        await response.aclose()
        if fault in (Fault.LOSE_RESPONSE, Fault.PARTIAL_BATCH):
            raise httpx.ReadTimeout("injected: response lost", request=request)
        if fault is Fault.RESET_AFTER:
            raise httpx.RemoteProtocolError("injected: connection reset by peer", request=request)
        status = 502 if fault is Fault.BAD_GATEWAY else 503
        return httpx.Response(status, text="<html>gateway error</html>", request=request)

    async def _read(self, request: httpx.Request, wire: FaultWire) -> httpx.Response:
        named = wire.read_client_id(request)
        if named is not None and self._blackout.get(named, 0) > 0:
            self._blackout[named] -= 1
            self.injected[Fault.BLACKOUT] += 1
            raise httpx.ReadTimeout("injected: read blacked out", request=request)
        if self._read_failure_rate and self._rng.random() < self._read_failure_rate:
            self.injected[Fault.READ_TIMEOUT] += 1
            raise httpx.ReadTimeout("injected: read timed out", request=request)
        response = await self._inner.handle_async_request(request)
        if not self._unseen:
            return response
        await response.aread()
        lagging, hidden = wire.hide(request, response, self._unseen.keys())
        self.hidden.update(hidden)
        for cid in hidden:
            self._unseen[cid] -= 1
            if not self._unseen[cid]:
                del self._unseen[cid]
            self.injected[Fault.LAG] += 1
        return lagging

    async def aclose(self) -> None:
        await self._inner.aclose()
