"""The caller's own streams: orders, fills and balances. REST is the simulator's KuCoin
server (in-process), where the orders really live; the socket is the loopback KuCoin
WebSocket of ``fake_ws``, and each test pushes the frames KuCoin would for what it did."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import (
    AuthenticationError,
    Balance,
    Fill,
    Liquidity,
    ManualClock,
    Order,
    OrderRequest,
    OrderStatus,
    RateLimitRegistry,
)
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade
from simulator.venue import OrderParams, Venue

from .fake_ws import FakeKucoin
from .ws_helpers import pull, until, within_deadline

START = 1_700_000_000_000
KEY, SECRET, PASSPHRASE = "ws-key", "ws-secret", "ws-pass"
ORDERS, STOPS, BALANCE = "/spotMarket/tradeOrdersV2", "/spotMarket/advancedOrders", "/account/balance"
MAKER = "maker"


class _Split(httpx.AsyncBaseTransport):
    """Token requests to the WebSocket server, everything else to the simulator."""

    def __init__(self, ws_base: str, rest: httpx.AsyncBaseTransport) -> None:
        self._ws_base = ws_base
        self._rest = rest
        self._http = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/v1/bullet-"):
            moved = httpx.Request(
                request.method,
                self._ws_base + request.url.path,
                headers=request.headers,
                content=await request.aread(),
            )
            return await self._http.handle_async_request(moved)
        return await self._rest.handle_async_request(request)

    async def aclose(self) -> None:
        await self._http.aclose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeKucoin]:
    server = FakeKucoin()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def kucoin(fake: FakeKucoin, clock: ManualClock) -> AsyncIterator[KucoinExchange]:
    venue = Venue(clock=clock, seed=3)
    venue.create_user(MAKER, {"USDT": Decimal(10_000_000), "BTC": Decimal(100)})
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="64000", size="1"))
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", price="66000", size="1"))
    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE, created_at=START)
    account = AccountConfig(uid=1, balances={"USDT": Decimal(100_000), "BTC": Decimal(2)}, keys=(key,))
    app = build_facade(venue, FacadeConfig(accounts=(account,), rate_limits="off")).app
    ex = KucoinExchange(
        KucoinCredentials(KEY, SECRET, PASSPHRASE),
        base_url="http://sim",
        transport=_Split(fake.url, httpx.ASGITransport(app=app)),
        clock=clock,
        registry=RateLimitRegistry(),
        rate_limit=False,
    )
    yield ex
    await ex.close()


def change(
    order: Order,
    kind: str,
    status: str,
    *,
    filled: str = "0",
    match: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An ``orderChange`` (V2) as the spec describes it, for ``order``."""
    assert order.size is not None and order.price is not None
    data: dict[str, Any] = {
        "symbol": order.symbol.replace("/", "-"),
        "orderId": order.id,
        "clientOid": order.client_order_id,
        "side": order.side.value,
        "orderType": order.type.value,
        "price": str(order.price),
        "size": str(order.size),
        "originSize": str(order.size),
        "filledSize": filled,
        "remainSize": str(order.size - Decimal(filled)),
        "canceledSize": "0",
        "status": status,
        "type": kind,
        "orderTime": order.created_at,
        "ts": (order.created_at + 1) * 1_000_000,
    }
    if kind == "received":
        for absent in ("filledSize", "remainSize", "canceledSize", "price", "size"):
            del data[absent]
    if match is not None:
        data.update(match)
    return data


async def subscribed(
    fake: FakeKucoin, topics: set[str], kucoin: KucoinExchange, feed: str = "orders"
) -> None:
    """Until the topics are on a private socket and the stream's feed has read its start."""
    await until(
        lambda: any(c.private and topics <= c.topics for c in fake.open_connections), what="subscribed"
    )
    ready = lambda: feed in kucoin._feeds and bool(kucoin._feeds[feed].ready.done())  # type: ignore[union-attr]  # noqa: E731
    await until(ready, what="ready")


async def test_private_streams_need_credentials(fake: FakeKucoin, clock: ManualClock) -> None:
    public_only = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False)
    try:
        with pytest.raises(AuthenticationError):
            await anext(public_only.watch_orders())
    finally:
        await public_only.close()


async def test_every_state_change_in_order_and_the_last_equals_fetch_order(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_orders("BTC/USDT")
    first = pull(stream)
    await subscribed(fake, {ORDERS, STOPS}, kucoin)
    order = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "60000"))
    await fake.publish(ORDERS, "orderChange", change(order, "received", "new"), private=True)
    await fake.publish(ORDERS, "orderChange", change(order, "open", "open"), private=True)
    seen = [await within_deadline(first), await within_deadline(pull(stream))]
    assert [(o.id, o.status) for o in seen] == [(order.id, OrderStatus.NEW), (order.id, OrderStatus.OPEN)]
    assert seen[1].time_in_force is order.time_in_force and seen[1].client_order_id == order.client_order_id
    await kucoin.cancel_order("BTC/USDT", order_id=order.id)
    await fake.publish(ORDERS, "orderChange", change(order, "canceled", "done"), private=True)
    await fake.publish(ORDERS, "orderChange", change(order, "open", "open"), private=True)  # late: not told
    last = await within_deadline(pull(stream))
    assert last.status is OrderStatus.CANCELED
    assert last == await kucoin.fetch_order("BTC/USDT", order_id=order.id)
    other = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "59000"))
    await fake.publish(ORDERS, "orderChange", change(other, "open", "open"), private=True)
    after = await within_deadline(pull(stream))
    assert (after.id, after.status) == (other.id, OrderStatus.OPEN)  # the stale "open" never came out
    await stream.aclose()


async def test_fills_carry_the_accounts_fee_and_agree_with_fetch_fills(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    fills = kucoin.watch_fills()
    first = pull(fills)
    await subscribed(fake, {ORDERS}, kucoin)
    order = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "66000"))
    assert order.status is OrderStatus.FILLED
    [rest] = await kucoin.fetch_fills("BTC/USDT", order_id=order.id)
    match = {
        "matchPrice": "66000",
        "matchSize": "0.01",
        "tradeId": rest.trade_id,
        "liquidity": "taker",
        "feeType": "takerFee",
    }
    frame = change(order, "match", "match", filled="0.01", match=match)
    await fake.publish(ORDERS, "orderChange", frame, private=True)
    await fake.publish(ORDERS, "orderChange", frame, private=True)  # sent twice: told once
    fill = await within_deadline(first)
    assert isinstance(fill, Fill)
    assert (fill.trade_id, fill.order_id, fill.price, fill.size, fill.funds, fill.liquidity) == (
        rest.trade_id,
        rest.order_id,
        rest.price,
        rest.size,
        rest.funds,
        Liquidity.TAKER,
    )
    assert (fill.fee, fill.fee_currency, fill.fee_rate) == (rest.fee, rest.fee_currency, rest.fee_rate)
    again = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.02", "66000"))
    [second] = await kucoin.fetch_fills("BTC/USDT", order_id=again.id)
    match = {**match, "matchSize": "0.02", "tradeId": second.trade_id}
    await fake.publish(
        ORDERS, "orderChange", change(again, "match", "match", filled="0.02", match=match), private=True
    )
    after = await within_deadline(pull(fills))
    assert after.trade_id == second.trade_id  # the repeated frame was told once
    assert after.fee == second.fee
    await fills.aclose()


async def test_after_a_reconnect_no_state_change_is_lost(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    orders = kucoin.watch_orders()
    fills = kucoin.watch_fills("BTC/USDT")
    first, first_fill = pull(orders), pull(fills)
    await subscribed(fake, {ORDERS, STOPS}, kucoin)
    a = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "60000"))
    await fake.publish(ORDERS, "orderChange", change(a, "open", "open"), private=True)
    assert (await within_deadline(first)).status is OrderStatus.OPEN
    # the socket dies; while it is down (the backoff waits on the manual clock) A is
    # cancelled, B placed, and C placed and filled at once
    await fake.kick()
    await until(lambda: not kucoin.ws.connections[0].connected, what="noticed")
    await kucoin.cancel_order("BTC/USDT", order_id=a.id)
    b = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "61000"))
    c = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.02", "66000"))
    assert c.status is OrderStatus.FILLED
    await until(lambda: len(fake.open_connections) == 1, clock=clock, step=0.25, what="reconnected")
    told = [await within_deadline(pull(orders)) for _ in range(3)]
    assert {o.id: o.status for o in told} == {
        a.id: OrderStatus.CANCELED,
        b.id: OrderStatus.OPEN,
        c.id: OrderStatus.FILLED,
    }
    for order in told:
        assert order == await kucoin.fetch_order("BTC/USDT", order_id=order.id)
    fill = await within_deadline(first_fill)
    assert fill == (await kucoin.fetch_fills("BTC/USDT", order_id=c.id))[0]
    assert kucoin._feeds["orders"].rereads == 1  # type: ignore[attr-defined]
    await orders.aclose()
    await fills.aclose()


async def test_balances_follow_the_trade_account(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    stream = kucoin.watch_balances()
    first = pull(stream)
    await subscribed(fake, {BALANCE}, kucoin, "balances")
    [usdt] = await kucoin.fetch_accounts("USDT", "trade")
    frame = {
        "accountId": usdt.id,
        "currency": "USDT",
        "total": "100000",
        "available": "99000",
        "hold": "1000",
        "availableChange": "-1000",
        "holdChange": "1000",
        "relationContext": {"symbol": "BTC-USDT", "orderId": "6721d0632db25b0007071fdc"},
        "relationEvent": "trade.hold",
        "relationEventId": "354689988084000",
        "time": str(START),
    }
    start = [await within_deadline(first), await within_deadline(pull(stream))]
    assert start == [(await kucoin.fetch_balances())[c] for c in ("BTC", "USDT")]  # as they stand
    await fake.publish(BALANCE, "account.balance", {**frame, "accountId": "someone-elses-main"}, private=True)
    await fake.publish(BALANCE, "account.balance", frame, private=True)
    balance = await within_deadline(pull(stream))
    assert balance == Balance(currency="USDT", total="100000", available="99000", hold="1000")
    # away for a while: an order holds funds; back, the balance is read again
    await fake.kick()
    await until(lambda: not kucoin.ws.connections[0].connected, what="noticed")
    await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.1", "60000"))
    await until(lambda: len(fake.open_connections) == 1, clock=clock, step=0.25, what="reconnected")
    now = (await kucoin.fetch_balances())["USDT"]
    assert await within_deadline(pull(stream)) == now
    assert now.hold > 0
    await stream.aclose()


async def test_a_received_event_says_nothing_filled_even_if_the_placement_did(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_orders()
    first = pull(stream)
    await subscribed(fake, {ORDERS}, kucoin)
    order = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.01", "66000"))
    assert order.status is OrderStatus.FILLED  # the sync placement answers after the match
    await fake.publish(ORDERS, "orderChange", change(order, "received", "new"), private=True)
    received = await within_deadline(first)
    assert (received.status, received.filled_size, received.filled_funds) == (OrderStatus.NEW, 0, 0)
    assert received.price == order.price and received.client_order_id == order.client_order_id
    await stream.aclose()


async def test_the_order_stream_starts_with_the_open_orders(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    resting = await kucoin.place_order(OrderRequest.limit("BTC/USDT", "sell", "0.01", "70000"))
    stream = kucoin.watch_orders("BTC/USDT")
    first = await within_deadline(pull(stream))
    assert first == await kucoin.fetch_order("BTC/USDT", order_id=resting.id)
    later = kucoin.watch_orders()  # joins the running feed: the same start
    assert (await within_deadline(pull(later))).id == resting.id
    await later.aclose()
    await stream.aclose()
