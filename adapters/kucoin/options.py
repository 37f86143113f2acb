"""The adapter's settings, in one frozen value."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping

import attrs

__all__ = ["DEFAULT_BASE_URL", "KucoinOptions"]

DEFAULT_BASE_URL = "https://api.kucoin.com"
_WEEK_MS = 7 * 24 * 3600 * 1000


def _base_url(value: str) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _vip(_: object, __: attrs.Attribute[int], value: int) -> None:
    if not 0 <= value <= 12:
        raise ValueError(f"vip_level must be 0..12, got {value}")


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _at_least(low: int, high: int | None = None) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{attribute.name} must be an integer, got {value!r}")
        if high is None and value < low:
            raise ValueError(f"{attribute.name} must be at least {low}, got {value}")
        if high is not None and not low <= value <= high:
            raise ValueError(f"{attribute.name} must be {low}..{high}, got {value}")

    return check


def _not_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


def _quotas(_: object, attribute: attrs.Attribute[Mapping[str, int]], value: Mapping[str, int]) -> None:
    for pool, capacity in value.items():
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity <= 0:
            raise ValueError(f"{attribute.name}[{pool!r}] must be a positive integer, got {capacity!r}")


@attrs.frozen(slots=True, kw_only=True)
class KucoinOptions:
    """How a :class:`KucoinExchange` talks to KuCoin (or to anything that speaks KuCoin)."""

    #: Real KuCoin by default; ``http://127.0.0.1:8080`` for the local simulator.
    base_url: str = attrs.field(default=DEFAULT_BASE_URL, converter=_base_url)
    #: HF order endpoints (``/api/v1/hf/...``); False for the classic ``/api/v1/orders`` family.
    hf: bool = True
    #: Place through ``/hf/orders/sync`` so the returned order already says open/filled/canceled.
    sync_orders: bool = True
    #: Sizes the 30 s pool budgets (NOTES section 6).
    vip_level: int = attrs.field(default=0, validator=_vip)
    #: Client-side rate limiting and 429 waits. Off: nothing waits and a 429 surfaces at once.
    rate_limit: bool = True
    #: Pool budgets overriding KuCoin's VIP table (``{"Public": 600}``): for servers with their own
    #: budgets, such as a simulator configured with small pools.
    pool_quotas: Mapping[str, int] = attrs.field(factory=dict, validator=_quotas)
    #: Length of a pool's window; KuCoin's is 30 s.
    rate_limit_window_s: float = attrs.field(default=30.0, validator=_positive)
    #: Retries of a request answered 429 (after waiting for the pool's reset).
    max_rate_limit_retries: int = attrs.field(default=3, validator=_at_least(0))
    #: Retries of a read (GET) that failed in transit or answered 5xx, spaced 0.25 s, 0.5 s,
    #: 1 s...; writes are never resent blindly (placements are reconciled by clientOid).
    max_read_retries: int = attrs.field(default=2, validator=_at_least(0))
    #: The first pause before retrying such a read (each next one doubles).
    read_retry_delay: float = attrs.field(default=0.25, validator=_not_negative)
    #: Round prices and sizes onto the market's grid (safe side) instead of raising InvalidOrder.
    conform: bool = False
    #: Seconds before a request is abandoned (and, for a placement, reconciled).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Sends of one placement at most, lost responses included (each one reconciled first).
    max_place_attempts: int = attrs.field(default=3, validator=_at_least(1))
    #: Pause before asking for an order whose placement response was lost (each next one
    #: doubles, up to 2 s), and before resending a placement that never left.
    reconcile_delay: float = attrs.field(default=0.25, validator=_not_negative)
    #: "Order not exist" answers needed before a lost placement is taken as never placed:
    #: KuCoin's reads may lag its writes, so one such answer proves nothing.
    reconcile_confirmations: int = attrs.field(default=4, validator=_at_least(1))
    #: Queries at most (failed ones included) before the outcome is reported as unknown
    #: (``OrderOutcomeUnknown``, never a retryable error).
    reconcile_queries: int = attrs.field(default=8, validator=_at_least(1))
    #: Seconds at most from a lost answer to a verdict, however long each lookup takes (a
    #: lookup may itself wait out ``timeout`` and its read retries); when it passes, the
    #: outcome is reported unknown. The default leaves room for every default lookup.
    reconcile_deadline: float = attrs.field(default=30.0, validator=_positive)
    #: Use the aiohttp transport under httpx when available (about half the client CPU).
    fast_transport: bool = True
    #: Orders per batch request (KuCoin's HF and classic batch endpoints take 5).
    batch_size: int = attrs.field(default=5, validator=_at_least(1, 20))
    #: The longest time range KuCoin answers in one history query; longer ranges are split.
    max_window_ms: int = attrs.field(default=_WEEK_MS, validator=_at_least(1))
    # --- WebSocket streams ---
    #: Seconds to wait for KuCoin's ``welcome`` after connecting (its SDK waits 5).
    ws_welcome_timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds before a subscription nobody answers (or a stream that cannot connect at all)
    #: fails with ``RequestTimeout``; once subscribed, reconnects go on without limit.
    ws_subscribe_timeout: float = attrs.field(default=30.0, validator=_positive)
    #: First pause before reconnecting; each failed attempt doubles it (jittered, at most
    #: ``ws_backoff_max``).
    ws_backoff_initial: float = attrs.field(default=0.5, validator=_positive)
    ws_backoff_max: float = attrs.field(default=30.0, validator=_positive)
    #: Topics per connection before another opens (KuCoin spot: 400; older docs said 300).
    ws_topics_per_connection: int = attrs.field(default=400, validator=_at_least(1))
    #: Client messages per 10 s per connection (KuCoin: 100; pings count).
    ws_messages_per_window: int = attrs.field(default=100, validator=_at_least(1))
    #: Books of at most 50 levels from KuCoin's depth-5/50 snapshot topics (every 100 ms);
    #: False keeps every book locally from the level-2 increments (real time).
    ws_snapshot_books: bool = True
    #: Increments a book buffers while it waits for its REST snapshot.
    ws_book_buffer: int = attrs.field(default=10_000, validator=_at_least(1))
    #: Trades a slow consumer may fall behind by before the oldest give way to a gap.
    ws_trade_backlog: int = attrs.field(default=10_000, validator=_at_least(1))
    #: Read each order's last event back by REST, so that it carries the fee and equals
    #: ``fetch_order`` (KuCoin's order frames carry no fee).
    ws_read_final_orders: bool = True
    #: TLS settings for a ``wss://`` server with a certificate of its own (a local simulator).
    ws_ssl: ssl.SSLContext | None = None

    def __attrs_post_init__(self) -> None:
        if self.reconcile_queries < self.reconcile_confirmations:
            raise ValueError(
                f"reconcile_queries ({self.reconcile_queries}) must be at least "
                f"reconcile_confirmations ({self.reconcile_confirmations})"
            )
