"""KuCoin's own feeds: orders and fills (``/spotMarket/tradeOrdersV2`` and
``/spotMarket/advancedOrders``), balances (``/account/balance``), on the venue-neutral
serial feeds of ``adapters.common``.

Some frames need a REST read first (an order first seen part-filled, an order's final
state, an account not yet known). After a reconnect, once every topic is acknowledged
again, the feeds re-read what the socket may have missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from adapters.common.private_feeds import BalanceFeed as _BalanceFeed
from adapters.common.private_feeds import OrderFeed as _OrderFeed
from adapters.common.private_feeds import OrderReads
from exchanges import Balance, Clock, ExchangeError, Order

from .models import Account, TradeFee
from .parsing import from_native
from .ws_parsing import fill_from_frame, order_from_frame, stop_order_from_frame

__all__ = ["BalanceFeed", "OrderFeed", "PrivateRest"]

log = logging.getLogger("adapters.kucoin")

ZERO = Decimal(0)
VENUE_NAME = "kucoin"


class PrivateRest(OrderReads, Protocol):
    """The REST reads the private feeds fall back on (``KucoinExchange`` has them all)."""

    async def fetch_trade_fees(self, symbols: Sequence[str]) -> dict[str, TradeFee]: ...

    async def fetch_accounts(self, currency: str | None = None, type: str | None = None) -> list[Account]: ...


class OrderFeed(_OrderFeed[PrivateRest]):
    """Orders and fills of every symbol; each stream filters its own."""

    final_of_stops = False

    def __init__(
        self,
        rest: PrivateRest,
        clock: Clock,
        *,
        placed: Callable[[str], Order | None],
        placed_symbols: Callable[[], set[str]],
        read_final: bool,
    ) -> None:
        super().__init__(rest, clock, VENUE_NAME, placed_symbols=placed_symbols)
        self._placed = placed
        self._read_final = read_final
        self._rates: dict[str, tuple[Decimal | None, Decimal | None]] = {}

    async def _message(self, frame: Mapping[str, Any]) -> None:
        self._heard = self._clock.now_ms()
        data = frame.get("data")
        if not isinstance(data, Mapping):
            return
        subject = frame.get("subject")
        if subject == "orderChange":
            await self._order_change(data)
        elif subject == "stopOrder":
            stop = stop_order_from_frame(data)
            if stop is not None:
                self._tell(stop)

    async def _order_change(self, data: Mapping[str, Any]) -> None:
        order_id = str(data["orderId"])
        symbol = from_native(str(data["symbol"]))
        known = self.tracker.get(order_id)
        filled = Decimal(data.get("filledSize") or 0)
        is_match = data.get("type") == "match"
        match_size = Decimal(data.get("matchSize") or 0) if is_match else ZERO
        if known is None and filled - match_size > 0:
            # first seen after fills it did not see: their funds come from REST
            known = await self._read(symbol, order_id)
            if known is not None:
                self._tell(known)
        base = known or self._placed(order_id)
        funds = known.filled_funds if known is not None else ZERO
        if is_match and (known is None or filled > known.filled_size):
            funds += Decimal(data["matchPrice"]) * match_size
        if is_match:
            maker, taker = await self._fee_rates(symbol)
            quote = symbol.split("/")[1]
            fill = fill_from_frame(data, maker_rate=maker, taker_rate=taker, fee_currency=quote)
            self._tell_fill(fill)
        order = order_from_frame(data, base, funds, known.filled_size if known is not None else ZERO)
        if order.status.is_done and self._read_final:
            final = await self._read(symbol, order_id)
            if final is not None and final.status.is_done:
                order = final
        self._tell(order)

    async def _read(self, symbol: str, order_id: str) -> Order | None:
        try:
            return await self._rest.fetch_order(symbol, order_id=order_id)
        except ExchangeError as exc:
            log.debug("kucoin ws: order %s not read back: %s", order_id, exc)
            return None

    async def _fee_rates(self, symbol: str) -> tuple[Decimal | None, Decimal | None]:
        rates = self._rates.get(symbol)
        if rates is None:
            try:
                fee = (await self._rest.fetch_trade_fees([symbol]))[symbol]
                rates = (fee.maker_fee_rate, fee.taker_fee_rate)
            except (ExchangeError, KeyError) as exc:
                log.debug("kucoin ws: no fee rates for %s: %s", symbol, exc)
                return None, None
            self._rates[symbol] = rates
        return rates


class BalanceFeed(_BalanceFeed[PrivateRest]):
    """The trade account's balance per currency, as ``fetch_balances`` gives it."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        super().__init__(rest, clock, VENUE_NAME)
        self._accounts: dict[str, Account] = {}  # trade accounts by id
        self._others: set[str] = set()

    async def _load(self) -> None:
        rows = await self._retrying("reading accounts", lambda: self._rest.fetch_accounts(type="trade"))
        self._accounts = {a.id: a for a in rows}

    def _balance(self, currency: str) -> Balance:
        rows = [a for a in self._accounts.values() if a.currency == currency]
        return Balance(
            currency=currency,
            total=sum((a.balance for a in rows), ZERO),
            available=sum((a.available for a in rows), ZERO),
            hold=sum((a.holds for a in rows), ZERO),
            raw=[a.raw for a in rows] if len(rows) > 1 else (rows[0].raw if rows else None),
        )

    async def _message(self, frame: Mapping[str, Any]) -> None:
        data = frame.get("data")
        if not isinstance(data, Mapping):
            return
        account_id = str(data["accountId"])
        if account_id in self._others:
            return
        if account_id not in self._accounts:
            await self._load()  # a new account: is it a trade one?
            if account_id not in self._accounts:
                self._others.add(account_id)
                return
        old = self._accounts[account_id]
        self._accounts[account_id] = Account(
            id=account_id,
            currency=str(data.get("currency") or old.currency),
            type=old.type,
            balance=Decimal(data["total"]),
            available=Decimal(data["available"]),
            holds=Decimal(data["hold"]),
            raw=data,
        )
        self._tell(self._balance(self._accounts[account_id].currency))

    async def _reread(self) -> None:
        await self._load()
        for currency in sorted({a.currency for a in self._accounts.values()}):
            self._tell(self._balance(currency))
