"""What an order reserves of its owner's balance.

An order holds what it could still spend; fills spend from the hold and the end of the
order releases the rest, so a wallet's hold is always the sum of its open orders'
``hold_left``.
"""

from __future__ import annotations

from decimal import Decimal

from simulator.engine import FLAG_BY_FUNDS, FLAG_MARKET, EngineOrder
from simulator.ledger import Accounts
from simulator.ledger.money import add, div, mul, sub
from simulator.venue.orders import VenueOrder, unspent_funds
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.state import UserState
from simulator.venue.timeline import Timeline

__all__ = ["Holds", "available", "ledger_context", "limit_need"]

ZERO = Decimal(0)
ONE = Decimal(1)


def limit_need(o: VenueOrder, price: int, lots: int) -> Decimal:
    """What a limit order for ``lots`` at ``price`` ticks holds: a buy its cost plus the
    larger of its fee rates (it may end up either maker or taker), a sell its size. Where
    fees are paid in the asset received, a buy holds its cost alone."""
    mkt = o.mkt
    if o.is_buy:
        if mkt.fees_received:
            return mkt.value(price * lots)
        rate = o.maker_rate if o.maker_rate > o.taker_rate else o.taker_rate
        return mul(mkt.value(price * lots), add(ONE, rate))
    return mkt.size(lots)


def ledger_context(o: VenueOrder, trade_id: str) -> tuple[str, str, str] | None:
    """The ``(symbol, order id, trade id)`` of ``o``'s ledger lines for one trade (none if
    the owner keeps no ledger; its hold and release lines share ``o.hold_context``)."""
    return (o.mkt.spec.symbol, o.id, trade_id) if o.user.account.keep_ledger else None


class Holds:
    """Taking, trimming and sizing holds, in ``ledger`` at the venue's time."""

    __slots__ = ("ledger", "refuse", "time")

    def __init__(self, ledger: Accounts, time: Timeline, refuse: Refusals) -> None:
        self.ledger = ledger
        self.time = time
        self.refuse = refuse

    def hold_for(self, o: VenueOrder) -> tuple[str, Decimal]:
        """What ``o`` must hold: ``(currency, amount)``. Limit orders: see :func:`limit_need`;
        market buys by funds hold their funds, which pay the fee too (as KuCoin holds them:
        "spend all my USDT" is a valid order); market buys by size hold the whole available
        quote balance (as KuCoin does, briefly: the rest is released when the order ends);
        market sells hold the size, or by funds the whole available base balance."""
        spec = o.mkt.spec
        flags = o.flags
        currency = spec.quote_currency if o.is_buy else spec.base_currency
        if not flags & FLAG_MARKET:
            return currency, limit_need(o, o.price, o.remaining)
        if flags & FLAG_BY_FUNDS:
            if o.is_buy:
                assert o.funds_req is not None
                return currency, o.funds_req
            return currency, available(o.user, currency)
        if o.is_buy:
            return currency, available(o.user, currency)
        return currency, o.mkt.scale.size(o.remaining)

    @staticmethod
    def funds_spent(o: EngineOrder) -> bool:
        """Whether a market order by funds that dealt something spent its funds: what it
        left (:func:`unspent_funds`) could not buy one more lot at its average cost (a buy's
        fee included). The order then ends filled, else cancelled: KuCoin cancels the rest
        either way, and this is the line a reader of its order objects draws (the KuCoin
        adapter's)."""
        assert isinstance(o, VenueOrder)
        paid = o.mkt.scale.funds(o.filled_funds)
        if o.is_buy and not o.mkt.fees_received:
            paid = add(paid, o.fee)
        return mul(unspent_funds(o), o.filled) < paid

    def take(self, o: VenueOrder) -> None:
        """Hold what ``o`` needs and size its buying power; ``InsufficientFunds`` if the
        balance cannot pay for the least the order could trade (one unit of funds, or one
        lot for a market sell by funds)."""
        flags = o.flags
        spec = o.mkt.spec
        funds_limit = lots = 0
        if flags & FLAG_MARKET:
            currency, amount = self.hold_for(o)
            scale = o.mkt.scale
            if o.is_buy:  # buying power: what the hold pays for, fee included (unless received)
                spend = amount if o.mkt.fees_received else div(amount, add(ONE, o.taker_rate))
                funds_limit = scale.units(spend)
                reach = funds_limit  # (0 would read as "no limit" in the engine)
            elif flags & FLAG_BY_FUNDS:
                assert o.funds_req is not None
                funds_limit = scale.units(o.funds_req)
                reach = lots = int(div(amount, scale.lot))
            else:
                reach = o.remaining
        else:
            self.take_limit(o)
            return
        if amount <= 0 or reach <= 0:
            raise self.refuse(Reason.BALANCE_INSUFFICIENT)
        account = o.user.account
        context = o.hold_context = (spec.symbol, o.id, "") if account.keep_ledger else None
        self.ledger.hold(account, currency, amount, self.time.now, context)
        o.hold_left = amount
        if funds_limit:
            o.funds_limit = funds_limit
        if lots:
            o.size = o.remaining = lots
            o.view = None

    def take_limit(self, o: VenueOrder) -> None:
        """Hold what a limit order needs (:func:`limit_need`), from the pair's bounded
        caches and the owner's cached ``1 + the larger rate`` while the order's rates are
        the owner's current ones: this runs for every limit order placed."""
        mkt = o.mkt
        spec = mkt.spec
        symbol = spec.symbol
        lots = o.remaining
        if lots <= 0:
            raise self.refuse(Reason.BALANCE_INSUFFICIENT)
        user = o.user
        if o.is_buy:
            units = o.price * lots
            value = mkt.values.get(units)
            if value is None:
                value = mkt.value(units)
            rates = user.rates.get(symbol)
            if rates is not None and rates[0] is o.maker_rate and rates[1] is o.taker_rate:
                need = mul(value, user.hold_factors[symbol])
            else:  # (rates changed since it was placed: a stop order triggered later)
                need = limit_need(o, o.price, lots)
            currency = spec.quote_currency
        else:
            size = mkt.sizes.get(lots)
            need = mkt.size(lots) if size is None else size
            currency = spec.base_currency
        account = user.account
        context = o.hold_context = (symbol, o.id, "") if account.keep_ledger else None
        self.ledger.hold(account, currency, need, self.time.now, context)  # (InsufficientFunds)
        o.hold_left = need

    def trim(self, o: VenueOrder) -> None:
        """Release what a limit order holds beyond what its remaining size could cost."""
        if o.flags & FLAG_MARKET:
            return
        need = limit_need(o, o.price, o.remaining)
        excess = sub(o.hold_left, need)
        if excess > 0:
            self.ledger.release(o.user.account, o.hold_currency, excess, self.time.now, o.hold_context)
            o.hold_left = need


def available(user: UserState, currency: str) -> Decimal:
    """What ``user`` can spend of ``currency`` in the trade account."""
    wallet = user.account.trade.get(currency)
    return ZERO if wallet is None else sub(wallet.total, wallet.hold)
