"""The one interface bots, backtests and contract tests are written against."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import attrs

from .enums import STP, Interval, OrderType, StreamKind, TimeInForce
from .errors import BadRequest, ExchangeError
from .models import (
    Balance,
    Candle,
    Fill,
    Market,
    Order,
    OrderAck,
    OrderBook,
    OrderRequest,
    StreamGap,
    Ticker,
    Trade,
)

__all__ = [
    "Amending",
    "BatchPlacing",
    "Capabilities",
    "Exchange",
    "StopOrderBook",
    "Streaming",
    "require_one_ref",
]


@attrs.frozen(slots=True, kw_only=True)
class Capabilities:
    """What a venue supports, so callers (and the conformance suite) can skip honestly."""

    order_types: frozenset[OrderType] = frozenset(OrderType)
    time_in_force: frozenset[TimeInForce] = frozenset(TimeInForce)
    stp: frozenset[STP] = frozenset()
    post_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    market_by_funds: bool = False
    stop_orders: bool = False
    amend: bool = False
    cancel_all_without_symbol: bool = True
    fetch_by_client_order_id: bool = True
    cancel_by_client_order_id: bool = True
    max_candles_per_request: int | None = None
    #: The streams the venue offers, on an exchange that is also :class:`Streaming`
    #: (a wrapper that copies another exchange's capabilities may list streams it lacks:
    #: check ``isinstance(exchange, Streaming)`` too).
    streams: frozenset[StreamKind] = frozenset()

    @classmethod
    def everything(cls, *, max_candles_per_request: int | None = None) -> Capabilities:
        """Every order type, time in force, STP mode and flag the protocol knows (KuCoin's
        spot venue offers them all, and so does the simulator that imitates it)."""
        return cls(
            stp=frozenset(STP),
            post_only=True,
            hidden=True,
            iceberg=True,
            market_by_funds=True,
            stop_orders=True,
            amend=True,
            max_candles_per_request=max_candles_per_request,
        )

    def missing(self, request: OrderRequest) -> str | None:
        """Why this venue cannot take ``request`` (``None`` if it can)."""
        if request.type not in self.order_types:
            return f"order type {request.type} not supported"
        if request.time_in_force not in self.time_in_force:
            return f"time in force {request.time_in_force} not supported"
        if request.stp is not None and request.stp not in self.stp:
            return f"STP {request.stp} not supported"
        flags = (
            (request.post_only, self.post_only, "post-only"),
            (request.hidden, self.hidden, "hidden orders"),
            (request.iceberg, self.iceberg, "iceberg orders"),
            (request.funds is not None, self.market_by_funds, "market orders by funds"),
            (request.is_stop, self.stop_orders, "stop orders"),
        )
        for asked, offered, name in flags:
            if asked and not offered:
                return f"{name} not supported"
        return None


@runtime_checkable
class Exchange(Protocol):
    """An async venue. Symbols are unified (``BTC/USDT``); amounts ``Decimal``; times epoch ms.

    Orders are addressed by ``order_id`` or ``client_order_id`` (exactly one). Errors are
    :mod:`exchanges.errors` types; a cancel or fetch of an order the venue no longer knows,
    or that can no longer be cancelled, raises ``OrderNotFound``.
    """

    venue: str
    capabilities: Capabilities

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]: ...

    async def fetch_ticker(self, symbol: str) -> Ticker: ...

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook: ...

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """Recent public trades, oldest first; ``limit`` keeps the newest ``limit`` (0: none,
        negative: ``BadRequest``)."""
        ...

    async def fetch_candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Candle]:
        """Bars whose start lies in ``[start, end)``, oldest first. An unknown interval or
        a negative time is a ``BadRequest`` (see :func:`check_history_args`)."""
        ...

    async def fetch_balances(self) -> dict[str, Balance]: ...

    async def place_order(self, request: OrderRequest) -> Order: ...

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        """Cancel and return the order in its final state."""
        ...

    async def cancel_all_orders(self, symbol: str | None = None) -> None: ...

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order: ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders (of ``symbol``, or all), most recently updated first."""
        ...

    async def fetch_closed_orders(
        self,
        symbol: str,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        """Done orders (filled or cancelled), newest first; at most ``limit`` of them. A
        negative ``limit`` or time is a ``BadRequest``."""
        ...

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Our executions, newest first; at most ``limit`` of them. A negative ``limit`` or
        time is a ``BadRequest``."""
        ...

    async def server_time(self) -> int: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class BatchPlacing(Protocol):
    """An exchange that places many orders in one call (where the venue has a batch
    endpoint; one by one otherwise).

    Results follow the input order, one per request, each on its own: the placed ``Order``;
    the error refusing that order; a retryable ``NetworkError`` (that order was not placed);
    or ``OrderOutcomeUnknown`` (placed or not: resolve it by its client order id). What one
    order of a batch met never changes another's result.
    """

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]: ...


@runtime_checkable
class Streaming(Protocol):
    """An exchange that pushes market data and the caller's own orders, fills and balances.

    A separate protocol: an :class:`Exchange` may also be ``Streaming`` (the KuCoin adapter
    is), and ``capabilities.streams`` says which of the streams below it offers; the others
    raise ``NotSupported`` when iterated. Every stream is an async generator, subscribed
    when first iterated, and every implementation keeps these rules:

    - **Leaving** the ``async for`` (``break``, ``return``, an exception) or ``aclose()``
      unsubscribes, and frees the connection once nothing else uses it. (A generator
      dropped after ``break`` is closed by the event loop right away; one kept in a
      variable, at its ``aclose()``.)
    - **Bounded memory.** A slow consumer never makes memory grow without bound: book,
      ticker, candle and balance streams conflate to the latest state (per candle, per
      currency); the trade stream keeps a bounded backlog and reports what it dropped as
      a gap. Order and fill streams **never drop an event**: their backlog grows only
      with the caller's own activity.
    - **Reconnects are invisible**, except for a :class:`StreamGap` on the market streams
      (reason ``RECONNECT``; ``SEQUENCE`` when a book was rebuilt from a snapshot after a
      skipped sequence; ``OVERFLOW`` for dropped trades). After a reconnect the order
      stream re-reads the caller's open orders by REST and yields every change it missed
      (an order that ended meanwhile, in its final state), so no state change is lost;
      the fill stream yields the fills those changes imply, and the balance stream the
      balances as they are now.
    - **Order**: events of one stream arrive in the venue's order. An order's states only
      move forward (``OrderStatus.rank``, and ``filled_size`` never shrinks).
    - Errors: the subscription's refusal is raised from the first ``__anext__`` as an
      :mod:`exchanges.errors` type (``BadSymbol`` for an unknown pair,
      ``AuthenticationError`` for private streams without valid credentials, ...).
    """

    capabilities: Capabilities

    def watch_ticker(self, symbol: str) -> AsyncGenerator[Ticker | StreamGap, None]:
        """Best bid and ask with sizes, and the last trade, as they change (conflated)."""
        ...

    def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        """Public trades, oldest first, from the moment of subscribing."""
        ...

    def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        """A consistent book of at most ``depth`` levels a side (``None``: whole) after every
        applied update; conflated, so a slow consumer sees the latest."""
        ...

    def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        """The current candle as it updates (conflated per candle: the last state of one
        that closed is yielded before the next one's)."""
        ...

    def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        """The caller's open orders (of ``symbol``, or all) as they stand once subscribed,
        then every state change of its orders, in order; never dropped."""
        ...

    def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        """The caller's executions as they happen; never dropped."""
        ...

    def watch_balances(self) -> AsyncGenerator[Balance, None]:
        """Every balance as it stands once subscribed, then a currency's balance each time
        it changes (conflated per currency)."""
        ...


@runtime_checkable
class Amending(Protocol):
    """An exchange that changes an open limit order's price or size (``Capabilities.amend``).

    The order is addressed by exactly one of its two ids and keeps its client order id; a
    venue that cancels and replaces (KuCoin) gives it a new id, which the ack names. No
    other order changes. A new size not above what has filled ends the order; an order the
    venue no longer holds open raises ``OrderNotFound``; neither price nor size is a
    ``BadRequest``.
    """

    async def amend_order(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> OrderAck: ...


@runtime_checkable
class StopOrderBook(Protocol):
    """An exchange that keeps untriggered stop orders apart from its order book (KuCoin's
    stop-order endpoints): ``fetch_open_orders`` and ``fetch_order`` do not show them there,
    these calls do. A venue whose open orders include its stop orders needs none of this."""

    async def fetch_stop_orders(self, symbol: str | None = None, *, limit: int | None = None) -> list[Order]:
        """Untriggered stop orders, newest first."""
        ...

    async def fetch_stop_order(
        self, symbol: str | None = None, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        """One untriggered stop order; ``OrderNotFound`` when the venue holds none so named."""
        ...

    async def cancel_stop_orders(
        self, symbol: str | None = None, order_ids: Sequence[str] | None = None
    ) -> tuple[str, ...]:
        """Cancel untriggered stop orders (of ``symbol``, or those named); the ids cancelled."""
        ...


def require_one_ref(order_id: str | None, client_order_id: str | None) -> None:
    """Orders are addressed by exactly one of their two ids."""
    if (order_id is None) == (client_order_id is None):
        raise BadRequest("pass exactly one of order_id or client_order_id")


def check_history_args(
    *,
    limit: int | None = None,
    start: int | None = None,
    end: int | None = None,
    venue: str = "",
    code: str | None = None,
) -> None:
    """The protocol's rules for the arguments of the history calls (trades, candles,
    closed orders, fills): ``limit`` is a whole number, not negative; ``start`` and
    ``end`` are epoch ms (whole, not negative). ``BadRequest`` naming the argument
    otherwise, so that every venue refuses the same calls the same way."""
    if limit is not None:
        _check_whole("limit", limit, venue, code)
        if limit < 0:
            raise BadRequest(f"limit must not be negative, got {limit}", venue=venue, code=code)
    for name, ms in (("start", start), ("end", end)):
        if ms is not None:
            _check_whole(name, ms, venue, code)
            if ms < 0:
                raise BadRequest(f"{name} must be an epoch time in ms >= 0, got {ms}", venue=venue, code=code)


def check_depth(depth: int | None, *, venue: str = "", code: str | None = None) -> None:
    """The protocol's rule for ``fetch_order_book``'s ``depth``: ``None`` (the whole book)
    or a positive whole number; ``BadRequest`` otherwise."""
    if depth is not None:
        _check_whole("depth", depth, venue, code)
        if depth <= 0:
            raise BadRequest(f"depth must be positive, got {depth}", venue=venue, code=code)


def _check_whole(name: str, value: object, venue: str, code: str | None) -> None:
    # (a bool is an int to Python, but True is no depth or limit)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be a whole number, got {value!r}", venue=venue, code=code)


def parse_interval(value: Interval | str, *, venue: str = "", code: str | None = None) -> Interval:
    """:meth:`Interval.parse` for a caller's argument: ``BadRequest`` for an unknown one."""
    if not isinstance(value, Interval | str):
        raise BadRequest(f"a candle interval is a str such as '1m', got {value!r}", venue=venue, code=code)
    try:
        return Interval.parse(value)
    except ValueError as err:
        raise BadRequest(str(err), venue=venue, code=code) from None
