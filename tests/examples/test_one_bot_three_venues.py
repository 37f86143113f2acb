"""The market maker of ``examples/market_maker.py`` runs unchanged on paper, on the KuCoin
simulator and on the Binance simulator: only the venue's name given to ``exchanges.connect``
differs (and, for the two served dialects, where they are served: here in-process, over
httpx's ASGI transport, with the adapters that would talk to the real venues)."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from examples.market_maker import trade
from exchanges import Exchange, OrderType, SystemClock, connect
from simulator import Venue
from simulator.binance import AccountConfig as BinanceAccount
from simulator.binance import ApiKey as BinanceKey
from simulator.binance import BinanceConfig, binance_venue
from simulator.binance import build_facade as binance_facade
from simulator.kucoin import AccountConfig as KucoinAccount
from simulator.kucoin import ApiKey as KucoinKey
from simulator.kucoin import FacadeConfig
from simulator.kucoin import build_facade as kucoin_facade
from simulator.market import attach_synthetic

KEY, SECRET, PASSPHRASE = "bot-key", "bot-secret", "bot-passphrase"
BALANCES = {"USDT": Decimal(20_000), "BTC": Decimal("0.5")}
SYMBOL = "BTC/USDT"
#: httpx's ASGI transport carries no WebSocket: the adapters' streams cannot subscribe, and
#: the bot polls what they would have carried once they say so (after this long).
NO_WEBSOCKET_S = 0.5


def _kucoin() -> dict[str, Any]:
    venue = Venue(seed=5, clock=SystemClock())
    attach_synthetic(venue)
    account = KucoinAccount(
        uid=1, balances=BALANCES, keys=(KucoinKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE),)
    )
    venue.sync()
    app = kucoin_facade(venue, FacadeConfig(accounts=(account,))).app
    return {
        "base_url": "http://kucoin-sim.local",
        "transport": httpx.ASGITransport(app=app),
        "api_key": KEY,
        "api_secret": SECRET,
        "api_passphrase": PASSPHRASE,
        "ws_subscribe_timeout": NO_WEBSOCKET_S,
    }


def _binance() -> dict[str, Any]:
    venue = binance_venue(seed=5, clock=SystemClock())
    account = BinanceAccount(uid=1, balances=BALANCES, keys=(BinanceKey(key=KEY, secret=SECRET),))
    venue.sync()
    app = binance_facade(venue, BinanceConfig(accounts=(account,))).app
    return {
        "base_url": "http://binance-sim.local",
        "transport": httpx.ASGITransport(app=app),
        "api_key": KEY,
        "api_secret": SECRET,
        "ws_subscribe_timeout": NO_WEBSOCKET_S,
    }


def _paper() -> dict[str, Any]:
    return {"balances": {k: str(v) for k, v in BALANCES.items()}, "seed": 5}


WHERE = {"paper": _paper, "kucoin": _kucoin, "binance": _binance}


async def _quoting(exchange: Exchange, bot: asyncio.Task[Any]) -> list[Any]:
    """The bot's two quotes, once both rest (polled, with a deadline)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not bot.done():
        resting = await exchange.fetch_open_orders(SYMBOL)
        if len(resting) == 2:
            return resting
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never had two quotes resting ({bot.done()=})")


@pytest.mark.parametrize("venue", sorted(WHERE))
async def test_the_market_maker_quotes_and_tidies_up_on_every_venue(venue: str) -> None:
    stop = asyncio.Event()
    async with connect(venue, **WHERE[venue]()) as exchange:
        bot = asyncio.create_task(trade(exchange, None, stop=stop, echo=None))
        try:
            quotes = await _quoting(exchange, bot)
        finally:
            stop.set()
        result = await bot
        book = await exchange.fetch_order_book(SYMBOL)
        assert await exchange.fetch_open_orders(SYMBOL) == []
    bid, ask = sorted(quotes, key=lambda order: order.price)
    assert (bid.side.value, ask.side.value) == ("buy", "sell")
    assert {bid.type, ask.type} == {OrderType.LIMIT} and bid.post_only and ask.post_only
    assert bid.price < ask.price
    assert book.bids and book.asks
    assert {bid.id, ask.id} <= {order.id for order in result.orders}
