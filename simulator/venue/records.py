"""Frozen snapshots the :class:`~simulator.venue.Venue` returns.

Field names mirror KuCoin's JSON in snake_case (``dealSize`` is ``deal_size``) so a KuCoin
facade renders them by renaming. Amounts are ``Decimal`` (``None`` where KuCoin would send
``null``/``"0"`` for "not applicable": the facade decides the wire spelling; format them
with ``format(value, "f")`` to avoid exponent notation). Times are epoch ms unless a name
says otherwise (``time_ns``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Generic, TypeVar

import attrs

from exchanges import STP, Interval, Liquidity, OrderStatus, OrderType, Side, StopKind, TimeInForce

__all__ = [
    "AccountBalance",
    "BookChange",
    "BookSnapshot",
    "CancelAllResult",
    "CandleBar",
    "DcpInfo",
    "FeeRates",
    "FillInfo",
    "LedgerEntry",
    "Level1",
    "ListInfo",
    "OrderInfo",
    "Page",
    "PublicTrade",
    "Stats24h",
    "VenueEvent",
]

T = TypeVar("T")


@attrs.frozen(slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a ``lastId`` cursor listing (newest first). Pass ``last_id`` back to get
    the next, older page; it is ``None`` when the page is empty."""

    items: tuple[T, ...]
    last_id: int | None


@attrs.frozen(slots=True, kw_only=True)
class Level1:
    """``GET /api/v1/market/orderbook/level1``: last trade and best visible quotes."""

    symbol: str
    time: int
    sequence: int
    price: Decimal | None  # last trade price (None before the first trade)
    size: Decimal | None  # last trade size
    best_bid: Decimal | None
    best_bid_size: Decimal | None
    best_ask: Decimal | None
    best_ask_size: Decimal | None


@attrs.frozen(slots=True, kw_only=True)
class Stats24h:
    """``GET /api/v1/market/stats`` and one row of ``allTickers``: the rolling 24 h window.

    ``buy``/``sell`` are the best bid/ask; ``change_rate`` is a fraction (0.0123 = 1.23 %);
    ``vol`` is in base, ``vol_value`` in quote; ``average_price`` is ``vol_value / vol``.
    Fee rates are the asking user's (base rate x coefficient), or the VIP0 default.
    """

    symbol: str
    symbol_name: str
    time: int
    buy: Decimal | None
    best_bid_size: Decimal | None
    sell: Decimal | None
    best_ask_size: Decimal | None
    change_rate: Decimal | None
    change_price: Decimal | None
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    vol: Decimal
    vol_value: Decimal
    last: Decimal | None
    average_price: Decimal | None
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    maker_coefficient: Decimal
    taker_coefficient: Decimal


@attrs.frozen(slots=True, kw_only=True)
class BookSnapshot:
    """Aggregated visible book: bids high to low, asks low to high, ``(price, size)``."""

    symbol: str
    time: int
    sequence: int
    bids: tuple[tuple[Decimal, Decimal], ...]
    asks: tuple[tuple[Decimal, Decimal], ...]


@attrs.frozen(slots=True, kw_only=True)
class BookChange:
    """The visible levels of one book that changed between two of its sequence numbers:
    ``sequence_start`` is one past the sequence of the previous change published,
    ``sequence_end`` the book's sequence now (what a snapshot taken now reports), so
    consecutive changes cover the sequence without a hole. A level's size is the total
    visible at that price now; ``0`` means the price left the book."""

    symbol: str
    time: int
    sequence_start: int
    sequence_end: int
    bids: tuple[tuple[Decimal, Decimal], ...]
    asks: tuple[tuple[Decimal, Decimal], ...]


@attrs.frozen(slots=True, kw_only=True)
class PublicTrade:
    """One public trade print (``/api/v1/market/histories``); ``side`` is the taker's."""

    symbol: str
    sequence: int  # KuCoin's trade sequence (= trade id here)
    trade_id: int
    price: Decimal
    size: Decimal
    side: Side
    time: int  # ms
    time_ns: int  # KuCoin's ``time`` unit for this endpoint
    #: The two orders of the trade, in the events subscribers hear (not in listings, which
    #: keep prints without them).
    maker_order_id: str = ""
    taker_order_id: str = ""


@attrs.frozen(slots=True, kw_only=True)
class CandleBar:
    """One kline: KuCoin row order is ``[start_s, open, close, high, low, volume, turnover]``."""

    symbol: str
    interval: Interval
    start: int  # ms
    open: Decimal
    close: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal  # base
    turnover: Decimal  # quote


@attrs.frozen(slots=True, kw_only=True)
class AccountBalance:
    """One currency of one account (``GET /api/v1/accounts``); ``type`` is ``trade`` or ``main``."""

    id: str
    currency: str
    type: str
    balance: Decimal
    available: Decimal
    holds: Decimal


@attrs.frozen(slots=True, kw_only=True)
class LedgerEntry:
    """One balance change. ``amount`` is unsigned with ``direction`` ``in``/``out`` as on
    KuCoin, and is the change of ``balance`` (a trade's fee is included and also shown in
    ``fee``). ``hold_delta`` is the signed change of the hold; hold and release entries
    (``kind`` ``hold``/``release``, ``amount`` 0) are ours, not KuCoin's: ledger listings
    leave them out unless asked. ``balance`` is the total after the change.

    ``kind``: deposit, withdrawal, transfer, trade, fee (the fee collector's income), hold,
    release. ``biz_type`` is KuCoin's (TRADE_EXCHANGE, TRANSFER, ...).
    """

    id: int
    uid: str
    account_id: str
    currency: str
    amount: Decimal
    direction: str
    fee: Decimal
    balance: Decimal
    hold_delta: Decimal
    account_type: str  # TRADE or MAIN (the facade may print TRADE_HF for HF ledgers)
    biz_type: str
    kind: str
    created_at: int
    context: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.direction == "in" else self.amount.copy_negate()


@attrs.frozen(slots=True, kw_only=True)
class FeeRates:
    """Actual rates for one user on one symbol (base rate x the symbol's coefficient)."""

    symbol: str
    maker: Decimal
    taker: Decimal


@attrs.frozen(slots=True, kw_only=True)
class OrderInfo:
    """An order as KuCoin's HF order object shows it (plus a few of ours, marked).

    ``price`` is ``None`` for market orders, ``size`` ``None`` for market-by-funds orders,
    ``funds`` is ``price x size`` for limit orders and the requested funds for market-by-
    funds (``None`` for market by size). ``remain_funds = funds - deal_funds -
    cancelled_funds`` when ``funds`` is set, else 0. ``visible_size`` is ``None`` unless
    iceberg. ``cancel_after`` is seconds (GTT) or ``None``.
    """

    id: str
    client_oid: str | None
    symbol: str
    type: OrderType
    side: Side
    price: Decimal | None
    size: Decimal | None
    funds: Decimal | None
    deal_size: Decimal
    deal_funds: Decimal
    remain_size: Decimal
    remain_funds: Decimal
    cancelled_size: Decimal
    cancelled_funds: Decimal
    fee: Decimal
    fee_currency: str
    stp: STP | None
    time_in_force: TimeInForce
    post_only: bool
    hidden: bool
    iceberg: bool
    visible_size: Decimal | None
    cancel_after: int | None
    remark: str | None
    tags: str | None
    cancel_exist: bool
    in_order_book: bool
    active: bool
    created_at: int
    last_updated_at: int
    # --- ours, not in KuCoin's HF object -----------------------------------------------
    uid: str
    status: OrderStatus
    reason: str | None  # why it ended, when not simply filled or cancelled by the user
    stop: StopKind | None
    stop_price: Decimal | None
    stop_triggered: bool
    stop_trigger_time: int | None
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    done_id: int | None  # cursor id in done-order listings, once done
    list_id: int | None = None  # the order list it belongs to (see Venue.place_order_list)


@attrs.frozen(slots=True, kw_only=True)
class FillInfo:
    """One execution of one of a user's orders, as KuCoin's HF fill shows it."""

    id: int  # cursor id
    order_id: str
    counter_order_id: str
    trade_id: int
    symbol: str
    side: Side
    liquidity: Liquidity
    type: OrderType
    force_taker: bool  # charged the taker rate although resting (hidden/iceberg)
    price: Decimal
    size: Decimal
    funds: Decimal
    fee: Decimal
    fee_rate: Decimal
    fee_currency: str
    created_at: int
    # --- ours ---------------------------------------------------------------------------
    uid: str
    client_oid: str | None
    stop: StopKind | None = None  # the order's, when it was a stop order (triggered)
    list_id: int | None = None  # the order's list, if any


@attrs.frozen(slots=True, kw_only=True)
class CancelAllResult:
    """What cancel-all did: symbols where it worked, those where it failed (with why), and
    the ids of the orders it cancelled."""

    succeeded: tuple[str, ...]
    failed: tuple[tuple[str, str], ...] = ()
    cancelled_ids: tuple[str, ...] = ()



@attrs.frozen(slots=True, kw_only=True)
class ListInfo:
    """An order list: ``contingency`` ``OCO`` or ``OTO`` (an OTO with an OCO pair pending
    is an OTOCO), ``status`` ``executing`` or ``all_done``, and its orders in the list's
    order (a pending order not yet placed has ``reason`` ``pending``)."""

    id: int
    client_id: str
    uid: str
    symbol: str
    contingency: str
    status: str
    created_at: int
    updated_at: int
    orders: tuple[OrderInfo, ...]

@attrs.frozen(slots=True, kw_only=True)
class DcpInfo:
    """Dead-man switch setting (``dead-cancel-all``); KuCoin reports these times in seconds."""

    timeout: int
    symbols: tuple[str, ...]  # empty: all symbols
    current_time: int  # s
    trigger_time: int  # s


@attrs.frozen(slots=True, kw_only=True)
class VenueEvent:
    """What subscribers hear: ``kind`` ``order`` (``change``: received, open, match,
    update, filled, canceled, rejected, triggered), ``fill`` (one side of a trade, for its
    owner), ``trade`` (a public print), ``book`` (``change`` ``levels``: visible levels
    of a watched book, see :meth:`Venue.watch_book`) or ``list`` (an order list's state,
    ``change`` ``exec_started``, ``updated`` or ``all_done``, after the order events that
    moved it). Built only when someone subscribed."""

    kind: str
    change: str
    time: int
    uid: str | None = None
    order: OrderInfo | None = None
    fill: FillInfo | None = None
    trade: PublicTrade | None = None
    book: BookChange | None = None
    order_list: ListInfo | None = None
