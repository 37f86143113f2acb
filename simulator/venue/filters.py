"""Checks a venue's rulebook adds to every order beyond the pair's increments and limits:
a price ceiling, a notional window that market orders meet at the average price, and a
price band around the average price per side (the shapes of Binance's ``PRICE_FILTER``,
``NOTIONAL`` and ``PERCENT_PRICE_BY_SIDE``).

A filter sees the order as intake built it (ticks, lots, flags) and a :class:`FilterContext`
(the venue's time, its refusals, the pair's recent average price); it raises a refusal
with a neutral reason, which the dialect words.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import attrs

from simulator.engine import FLAG_BY_FUNDS, FLAG_MARKET
from simulator.ledger.money import div, mul
from simulator.venue.orders import VenueOrder
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.state import MarketState

__all__ = [
    "FilterContext",
    "NotionalWindow",
    "OrderFilter",
    "PriceBandBySide",
    "PriceCeiling",
    "average_price",
]

_MINUTE = 60_000


def average_price(mkt: MarketState, minutes: int, now: int) -> Decimal | None:
    """The volume-weighted average trade price of ``mkt`` over the minute bars of the last
    ``minutes`` (the last trade price when ``minutes`` is 0 or nothing traded then; ``None``
    before any trade)."""
    book = mkt.book
    if minutes > 0:
        window = mkt.candles.window(now - minutes * _MINUTE + 1, now + 1)
        if window is not None and window[5]:
            scale = mkt.scale
            return div(scale.funds(window[6]), scale.size(window[5]))
    return mkt.scale.price(book.last_price) if book.last_price else None


@attrs.frozen
class FilterContext:
    """What a filter may read while it checks one order."""

    now: int
    refuse: Refusals

    def average(self, mkt: MarketState, minutes: int) -> Decimal | None:
        return average_price(mkt, minutes, self.now)


class OrderFilter(Protocol):
    """One check of a rulebook (see :attr:`Rulebook.filters`)."""

    def check(self, order: VenueOrder, ctx: FilterContext) -> None:
        """Raise the refusal of the rule ``order`` breaks; return if it passes."""
        ...


@attrs.frozen
class PriceCeiling:
    """A limit or stop price must not exceed ``factor`` times the pair's initial price,
    rounded up to a power of ten (so a pair listed at 65000 takes prices up to 10 000 000
    with ``factor`` 100): the ceiling a venue publishes with its price filter."""

    factor: Decimal = Decimal(100)

    def ceiling(self, mkt: MarketState) -> Decimal:
        return max_price(mkt.spec.initial_price, self.factor)

    def check(self, order: VenueOrder, ctx: FilterContext) -> None:
        mkt = order.mkt
        top = self.ceiling(mkt)
        for ticks in (0 if order.flags & FLAG_MARKET else order.price, order.stop_price):
            if ticks and mkt.scale.price(ticks) > top:
                raise ctx.refuse(
                    Reason.PRICE_ABOVE_MAX, f"price above the maximum {top}", limit=top, currency=""
                )


def max_price(initial: Decimal, factor: Decimal) -> Decimal:
    """The smallest power of ten at or above ``initial x factor``."""
    target = initial * factor
    top = Decimal(1)
    while top < target:
        top *= 10
    return top


@attrs.frozen
class NotionalWindow:
    """``price x size`` within the pair's minimum funds and maximum quote size; a market
    order by size is held to the minimum at the average price of the last
    ``average_minutes`` (when ``apply_min_to_market``) and to the maximum likewise (when
    ``apply_max_to_market``). Market orders by funds are checked by the pair itself."""

    apply_min_to_market: bool = True
    apply_max_to_market: bool = False
    average_minutes: int = 5

    def check(self, order: VenueOrder, ctx: FilterContext) -> None:
        mkt = order.mkt
        spec = mkt.spec
        flags = order.flags
        if flags & FLAG_BY_FUNDS:
            return
        size = mkt.scale.size(order.size)
        if flags & FLAG_MARKET:
            if not (self.apply_min_to_market or self.apply_max_to_market):
                return
            price = ctx.average(mkt, self.average_minutes)
            if price is None:
                return
            low, high = self.apply_min_to_market, self.apply_max_to_market
        else:
            price = mkt.scale.price(order.price)
            low = high = True
        notional = mul(price, size)
        if low and notional < spec.min_funds:
            raise ctx.refuse(
                Reason.FUNDS_BELOW_MIN,
                f"price x size {notional} is below the minimum {spec.min_funds}",
                limit=spec.min_funds,
                currency=spec.quote_currency,
            )
        if high and notional > spec.quote_max_size:
            raise ctx.refuse(
                Reason.FUNDS_ABOVE_MAX,
                f"price x size {notional} is above the maximum {spec.quote_max_size}",
                limit=spec.quote_max_size,
                currency=spec.quote_currency,
            )


@attrs.frozen
class PriceBandBySide:
    """A limit buy's price within ``[avg x bid_down, avg x bid_up]``, a sell's within
    ``[avg x ask_down, avg x ask_up]``, around the average price of the last
    ``average_minutes`` (no check before the pair's first trade)."""

    bid_up: Decimal = Decimal(5)
    bid_down: Decimal = Decimal("0.2")
    ask_up: Decimal = Decimal(5)
    ask_down: Decimal = Decimal("0.2")
    average_minutes: int = 5

    def check(self, order: VenueOrder, ctx: FilterContext) -> None:
        if order.flags & FLAG_MARKET:
            return
        mkt = order.mkt
        ref = ctx.average(mkt, self.average_minutes)
        if ref is None:
            return
        price = mkt.scale.price(order.price)
        up, down = (self.bid_up, self.bid_down) if order.is_buy else (self.ask_up, self.ask_down)
        high, low = mul(ref, up), mul(ref, down)
        if price > high or price < low:
            side = "buy" if order.is_buy else "sell"
            limit = high if price > high else low
            raise ctx.refuse(
                Reason.PRICE_OUT_OF_BAND,
                f"a {side} at {price} is outside [{low}, {high}] around the average price",
                side=side,
                limit=limit,
            )
