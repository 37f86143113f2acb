"""The adapter's settings, in one frozen value, and where each Binance service lives."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

import attrs

__all__ = ["DEFAULT_BASE_URL", "BinanceOptions"]

DEFAULT_BASE_URL = "https://api.binance.com"
_DAY_MS = 24 * 3600 * 1000

#: REST host -> (WebSocket API URL, market-stream base URL) (NOTES 1). Any other host (a
#: local simulator) serves all three on its own port.
_HOSTS = {
    "api.binance.com": ("wss://ws-api.binance.com:443/ws-api/v3", "wss://stream.binance.com:9443"),
    "testnet.binance.vision": (
        "wss://ws-api.testnet.binance.vision/ws-api/v3",
        "wss://stream.testnet.binance.vision",
    ),
    "demo-api.binance.com": ("wss://demo-ws-api.binance.com/ws-api/v3", "wss://demo-stream.binance.com"),
}


def _url(value: str) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _ws_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("ws://", "wss://")):
        raise ValueError(f"a WebSocket URL must start with ws:// or wss://, got {value!r}")
    return value.rstrip("/")


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


def _between(low: int, high: int | None = None) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{attribute.name} must be an integer, got {value!r}")
        if value < low or (high is not None and value > high):
            bound = f"{low}..{high}" if high is not None else f"at least {low}"
            raise ValueError(f"{attribute.name} must be {bound}, got {value}")

    return check


@attrs.frozen(slots=True, kw_only=True)
class BinanceOptions:
    """How a :class:`BinanceExchange` talks to Binance (or to anything that speaks it)."""

    #: Real Binance by default; ``https://testnet.binance.vision`` for the testnet, or
    #: ``http://127.0.0.1:PORT`` for a local simulator.
    base_url: str = attrs.field(default=DEFAULT_BASE_URL, converter=_url)
    #: The WebSocket API (user data); derived from ``base_url`` when left out.
    ws_api_url: str | None = attrs.field(default=None, converter=_ws_url)
    #: Market streams (``/ws``, ``/stream``); derived from ``base_url`` when left out.
    stream_url: str | None = attrs.field(default=None, converter=_ws_url)
    #: How long after its ``timestamp`` a signed request may still run (ms; Binance: <= 60000).
    recv_window: int = attrs.field(default=5000, validator=_between(1, 60_000))
    #: Client-side weight and order budgets and 429 waits. Off: nothing waits, a 429 surfaces.
    rate_limit: bool = True
    #: REQUEST_WEIGHT per minute per IP until ``exchangeInfo`` or a header says otherwise.
    weight_per_minute: int = attrs.field(default=6000, validator=_between(1))
    #: Unfilled orders per 10 s and per day per account, likewise.
    orders_per_10s: int = attrs.field(default=50, validator=_between(1))
    orders_per_day: int = attrs.field(default=160_000, validator=_between(1))
    #: Retries of a request answered 429 (after waiting ``Retry-After``).
    max_rate_limit_retries: int = attrs.field(default=3, validator=_between(0))
    #: Retries of a read that failed in transit or answered 5xx (0.25 s, 0.5 s, ...); writes
    #: are never resent blindly (placements are reconciled by client order id).
    max_read_retries: int = attrs.field(default=2, validator=_between(0))
    read_retry_delay: float = attrs.field(default=0.25, validator=_not_negative)
    #: Round prices and sizes onto the market's grid (safe side) instead of raising InvalidOrder.
    conform: bool = False
    #: Seconds before a request is abandoned (and, for a placement, reconciled).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Sends of one placement at most, lost answers included (each one reconciled first).
    max_place_attempts: int = attrs.field(default=3, validator=_between(1))
    #: Pause before asking for an order whose placement answer was lost (each next one
    #: doubles, up to 2 s), and before resending a placement that never left.
    reconcile_delay: float = attrs.field(default=0.25, validator=_not_negative)
    #: "Order does not exist" answers needed before a lost placement counts as not placed.
    reconcile_confirmations: int = attrs.field(default=4, validator=_between(1))
    #: Queries at most (failed ones included) before ``OrderOutcomeUnknown``.
    reconcile_queries: int = attrs.field(default=8, validator=_between(1))
    #: Seconds at most from a lost answer to a verdict, however long each lookup takes (a
    #: lookup may itself wait out ``timeout`` and its read retries); when it passes, the
    #: outcome is reported unknown.
    reconcile_deadline: float = attrs.field(default=30.0, validator=_positive)
    #: Use the aiohttp transport under httpx when available (about half the client CPU).
    fast_transport: bool = True
    #: The longest time range ``allOrders`` and ``myTrades`` answer (24 h); longer ranges are split.
    max_window_ms: int = attrs.field(default=_DAY_MS, validator=_between(1))
    # --- WebSocket ---
    #: Seconds before a subscription nobody answers fails with ``RequestTimeout``.
    ws_subscribe_timeout: float = attrs.field(default=30.0, validator=_positive)
    #: First pause before reconnecting; doubles (jittered) up to ``ws_backoff_max``.
    ws_backoff_initial: float = attrs.field(default=0.5, validator=_positive)
    ws_backoff_max: float = attrs.field(default=30.0, validator=_positive)
    #: Streams per market connection before another opens (Binance: 1024).
    ws_streams_per_connection: int = attrs.field(default=1024, validator=_between(1, 1024))
    #: Control messages per second per connection (Binance: 5, pings and pongs included).
    ws_messages_per_second: int = attrs.field(default=4, validator=_between(1, 5))
    #: Depth updates every 100 ms (``@depth@100ms``) rather than every second.
    ws_fast_depth: bool = True
    #: Levels of the REST snapshot a local book starts from (Binance: up to 5000).
    ws_book_snapshot_limit: int = attrs.field(default=1000, validator=_between(1, 5000))
    #: Depth events a book buffers while it waits for its snapshot.
    ws_book_buffer: int = attrs.field(default=10_000, validator=_between(1))
    #: Trades a slow consumer may fall behind by before the oldest give way to a gap.
    ws_trade_backlog: int = attrs.field(default=10_000, validator=_between(1))
    #: TLS settings for a ``wss://`` server with a certificate of its own.
    ws_ssl: ssl.SSLContext | None = None

    def __attrs_post_init__(self) -> None:
        if self.reconcile_queries < self.reconcile_confirmations:
            raise ValueError(
                f"reconcile_queries ({self.reconcile_queries}) must be at least "
                f"reconcile_confirmations ({self.reconcile_confirmations})"
            )

    def _local(self) -> str:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}"

    @property
    def ws_api(self) -> str:
        """Where user data comes from: the WebSocket API."""
        if self.ws_api_url is not None:
            return self.ws_api_url
        known = _HOSTS.get(urlsplit(self.base_url).hostname or "")
        return known[0] if known else self._local() + "/ws-api/v3"

    @property
    def streams(self) -> str:
        """The market streams' base (``/stream?streams=...`` and ``/ws/...`` follow)."""
        if self.stream_url is not None:
            return self.stream_url
        known = _HOSTS.get(urlsplit(self.base_url).hostname or "")
        return known[1] if known else self._local()
