"""Every served response carries the keys of KuCoin's own example of it, with the example's JSON
types: ``null`` where the example has null, a string where it has a string (numbers come as
strings), and so on. Extra keys are fine.

The examples are the spec's ``x-response-example`` bodies (``../shared/kucoin-spec``), read as
key paths and types from the checked-in ``data/response_shapes.json`` (re-derived from the spec
by ``test_spec_tables`` where ``../shared`` exists), so that a fresh clone holds to them too. A
scenario drives the facade into a state where each answer has content (balances, resting and
done orders, taker and maker fills, stop orders, ledgers), so that array elements are checked too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx

from simulator.kucoin.app import KucoinFacade
from simulator.venue import OrderParams, Venue

from .conftest import MAKER
from .helpers import Signer, call
from .shapes import Layout, Verdict, hold, skeleton
from .spec_tools import RESPONSE_LAYOUTS, load_response_shapes

# The exceptions, two kinds.
#: An order's own text: null when the order has none, the text when it has one. KuCoin's
#: examples show both for one object (``remark`` is null in the classic GET example and set in
#: the list's; ``tags`` is set only in the HF active list's), so on an order either is held valid.
ORDER_OWN_TEXT = frozenset({"remark", "tags"})

#: Operation -> (array served empty, why): nothing inside it can be compared.
SERVED_EMPTY: dict[str, tuple[str, str]] = {
    "Spot GET /api/v3/margin/symbols": ("data.items", "the simulator lists no margin pairs"),
    "Spot GET /api/v1/isolated/symbols": ("data", "the simulator lists no isolated-margin pairs"),
    "Futures GET /api/v1/contracts/active": ("data", "the simulator lists no futures contracts"),
}


class Recorder:
    """Calls the facade (signed) and keeps every 200000 body under its operation's key."""

    def __init__(self, client: httpx.AsyncClient, signer: Signer, facade: KucoinFacade) -> None:
        self.client = client
        self.signer = signer
        self.keys = {(ep.method, ep.path): ep.schema_key for ep in facade.endpoints}
        self.bodies: dict[str, list[Any]] = defaultdict(list)

    async def __call__(
        self, method: str, template: str, *, params: dict[str, Any] | None = None, body: Any = None, **at: str
    ) -> Any:
        """``at``: the path parameters (``orderId=...``) that fill ``template``."""
        path = template.format(**at)
        response = await call(self.client, method, path, params=params, body=body, signer=self.signer)
        payload = response.json()
        assert response.status_code == 200 and payload["code"] == "200000", (method, path, payload)
        self.bodies[self.keys[(method, template)]].append(payload)
        return payload["data"]


BTC = {"symbol": "BTC-USDT"}
LIMIT = {**BTC, "side": "buy", "type": "limit", "price": "60000", "size": "0.01"}
ETH_LIMIT = {"symbol": "ETH-USDT", "side": "buy", "type": "limit", "price": "3000", "size": "0.1"}
PUBLIC = (
    "/api/v1/timestamp", "/api/v1/status", "/api/v1/my-ip", "/api/v2/symbols", "/api/v3/currencies",
    "/api/v1/market/allTickers", "/api/v1/markets", "/api/v1/prices",
)  # fmt: skip
PER_SYMBOL = (
    "/api/v1/market/orderbook/level1", "/api/v1/market/stats", "/api/v3/market/orderbook/level2",
    "/api/v1/market/histories",
)  # fmt: skip


async def _market_data(rec: Recorder) -> None:
    for path in PUBLIC:
        await rec("GET", path)
    await rec("GET", "/api/v2/symbols/{symbol}", symbol="BTC-USDT")
    await rec("GET", "/api/v3/currencies/{currency}", currency="USDT")
    for path in PER_SYMBOL:
        await rec("GET", path, params=BTC)
    await rec("GET", "/api/v1/market/orderbook/level2_{size}", size="20", params=BTC)
    await rec("GET", "/api/v1/market/candles", params={**BTC, "type": "1min"})
    await rec("POST", "/api/v1/bullet-public")
    await rec("POST", "/api/v1/bullet-private")
    for path in ("/api/v3/margin/symbols", "/api/v1/isolated/symbols", "/api/v1/contracts/active"):
        await rec("GET", path)


async def _account(rec: Recorder) -> None:
    accounts = await rec("GET", "/api/v1/accounts")
    await rec("GET", "/api/v1/accounts/{accountId}", accountId=accounts[0]["id"])
    for path in ("/api/v1/hf/accounts/opened", "/api/v1/user/api-key", "/api/v2/user-info"):
        await rec("GET", path)
    await rec("GET", "/api/v1/base-fee")
    await rec("GET", "/api/v1/trade-fees", params={"symbols": "BTC-USDT,ETH-USDT"})


async def _hf_orders(rec: Recorder, venue: Venue) -> None:
    first = await rec(
        "POST", "/api/v1/hf/orders", body={**LIMIT, "clientOid": "hf-1", "remark": "r", "tags": "t"}
    )
    synced = await rec("POST", "/api/v1/hf/orders/sync", body={**LIMIT, "clientOid": "hf-2"})
    await rec("POST", "/api/v1/hf/orders/test", body={**LIMIT, "clientOid": "hf-t"})
    await rec("POST", "/api/v1/hf/orders/multi", body={"orderList": [
        {**LIMIT, "clientOid": "hf-3"}, {**LIMIT, "clientOid": "hf-x", "price": "60000.05"},
    ]})  # fmt: skip
    await rec("POST", "/api/v1/hf/orders/multi/sync", body={"orderList": [
        {**ETH_LIMIT, "clientOid": "hf-4"}, {**ETH_LIMIT, "clientOid": "hf-y", "price": "3000.001"},
    ]})  # fmt: skip
    oid = first["orderId"]
    await rec("GET", "/api/v1/hf/orders/{orderId}", orderId=oid, params=BTC)
    await rec("GET", "/api/v1/hf/orders/client-order/{clientOid}", clientOid="hf-2", params=BTC)
    assert len(await rec("GET", "/api/v1/hf/orders/active", params=BTC)) == 3
    assert (await rec("GET", "/api/v1/hf/orders/active/page", params=BTC))["items"]
    await rec("GET", "/api/v1/hf/orders/active/symbols")

    new = (await rec("POST", "/api/v1/hf/orders/alter", body={**BTC, "orderId": oid, "newPrice": "60100"}))[
        "newOrderId"
    ]
    await rec(
        "DELETE", "/api/v1/hf/orders/cancel/{orderId}", orderId=new, params={**BTC, "cancelSize": "0.004"}
    )
    await rec("DELETE", "/api/v1/hf/orders/{orderId}", orderId=new, params=BTC)
    await rec("DELETE", "/api/v1/hf/orders/sync/{orderId}", orderId=synced["orderId"], params=BTC)
    await rec("DELETE", "/api/v1/hf/orders/client-order/{clientOid}", clientOid="hf-3", params=BTC)
    await rec("POST", "/api/v1/hf/orders", body={**LIMIT, "clientOid": "hf-5"})
    await rec("DELETE", "/api/v1/hf/orders/sync/client-order/{clientOid}", clientOid="hf-5", params=BTC)

    # a taker fill, then a maker fill (the market maker buys into a resting sell)
    taker = {**BTC, "clientOid": "hf-6", "side": "buy", "type": "market", "size": "0.1"}
    await rec("POST", "/api/v1/hf/orders/sync", body=taker)
    await rec(
        "POST", "/api/v1/hf/orders", body={**LIMIT, "clientOid": "hf-7", "side": "sell", "price": "65500"}
    )
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", type="market", size="0.01"))
    assert len((await rec("GET", "/api/v1/hf/orders/done", params=BTC))["items"]) >= 3
    fills = (await rec("GET", "/api/v1/hf/fills", params=BTC))["items"]
    assert {f["liquidity"] for f in fills} == {"taker", "maker"}

    await rec("POST", "/api/v1/hf/orders", body={**LIMIT, "clientOid": "hf-8"})
    await rec("DELETE", "/api/v1/hf/orders", params=BTC)
    await rec("POST", "/api/v1/hf/orders", body={**LIMIT, "clientOid": "hf-9"})
    assert (await rec("DELETE", "/api/v1/hf/orders/cancelAll"))["succeedSymbols"]
    await rec("POST", "/api/v1/hf/orders/dead-cancel-all", body={"timeout": 10, "symbols": "BTC-USDT"})
    await rec("GET", "/api/v1/hf/orders/dead-cancel-all/query")


async def _classic_orders(rec: Recorder) -> None:
    sell = {**BTC, "side": "sell", "price": "70000", "size": "0.01"}
    c1 = (await rec("POST", "/api/v1/orders", body={**sell, "clientOid": "c-1", "remark": "r"}))["orderId"]
    await rec("POST", "/api/v1/orders/test", body={**sell, "clientOid": "c-t"})
    await rec("POST", "/api/v1/orders/multi", body={**BTC, "orderList": [
        {"clientOid": "c-2", "side": "sell", "price": "70000", "size": "0.01"},
        {"clientOid": "c-x", "side": "sell", "price": "70000", "size": "0.000001"},
    ]})  # fmt: skip
    await rec("GET", "/api/v1/orders/{orderId}", orderId=c1)
    await rec("GET", "/api/v1/order/client-order/{clientOid}", clientOid="c-2")
    assert len((await rec("GET", "/api/v1/orders", params={"status": "active"}))["items"]) == 2
    await rec("DELETE", "/api/v1/orders/{orderId}", orderId=c1)
    await rec("DELETE", "/api/v1/order/client-order/{clientOid}", clientOid="c-2")
    await rec("POST", "/api/v1/orders", body={**sell, "clientOid": "c-3"})
    assert (await rec("DELETE", "/api/v1/orders", params=BTC))["cancelledOrderIds"]
    assert (await rec("GET", "/api/v1/orders", params={"status": "done"}))["items"]
    assert await rec("GET", "/api/v1/limit/orders")
    assert (await rec("GET", "/api/v1/fills", params=BTC))["items"]
    assert await rec("GET", "/api/v1/limit/fills")


async def _stop_orders(rec: Recorder) -> None:
    stop = {**BTC, "side": "sell", "type": "limit", "price": "50000", "size": "0.01", "stopPrice": "55000"}
    ids = [
        (await rec("POST", "/api/v1/stop-order", body={**stop, "clientOid": f"s-{i}"}))["orderId"]
        for i in range(3)
    ]
    assert len((await rec("GET", "/api/v1/stop-order", params=BTC))["items"]) == 3
    assert await rec("GET", "/api/v1/stop-order/queryOrderByClientOid", params={"clientOid": "s-0"})
    await rec("GET", "/api/v1/stop-order/{orderId}", orderId=ids[0])
    await rec("DELETE", "/api/v1/stop-order/cancelOrderByClientOid", params={"clientOid": "s-0"})
    await rec("DELETE", "/api/v1/stop-order/{orderId}", orderId=ids[1])
    assert (await rec("DELETE", "/api/v1/stop-order/cancel", params=BTC))["cancelledOrderIds"] == [ids[2]]


async def _ledgers(rec: Recorder) -> None:
    assert (await rec("GET", "/api/v1/accounts/ledgers"))["items"]
    assert await rec("GET", "/api/v1/hf/accounts/ledgers")


def _allowed(paths: dict[str, str]) -> dict[str, str]:
    """Path -> the other type held valid there: an order's own text (an object with a clientOid)."""
    allowed = {}
    for path, kind in paths.items():
        parent, _, name = path.rpartition(".")
        if name in ORDER_OWN_TEXT and f"{parent}.clientOid" in paths and kind in ("string", "null"):
            allowed[path] = "null" if kind == "string" else "string"
    return allowed


def _inside(path: str, array: str) -> bool:
    return path.startswith(array + "[")


async def test_every_served_response_carries_the_keys_and_types_of_kucoins_example(
    client: httpx.AsyncClient, signer: Signer, facade: KucoinFacade, venue: Venue
) -> None:
    rec = Recorder(client, signer, facade)
    await _market_data(rec)
    await _account(rec)
    await _hf_orders(rec, venue)
    await _classic_orders(rec)
    await _stop_orders(rec)
    await _ledgers(rec)

    shapes = load_response_shapes()
    with_example = {ep.schema_key for ep in facade.endpoints if ep.schema_key in shapes}
    assert with_example - rec.bodies.keys() == set(), "served operations with an example left uncalled"
    problems: list[str] = []
    for key in sorted(with_example):
        paths, layout = shapes[key], RESPONSE_LAYOUTS.get(key, Layout())
        example = skeleton(paths)
        verdict = Verdict()
        for body in rec.bodies[key]:
            hold(body, example, verdict, layout=layout, allowed=_allowed(paths))
        reported = {p.split(": ", 1)[0] for p in verdict.problems}
        unmet = set(paths) - verdict.met - reported
        if key in SERVED_EMPTY:
            unmet = {p for p in unmet if not _inside(p, SERVED_EMPTY[key][0])}
        problems += [f"{key}: {p}" for p in dict.fromkeys(verdict.problems)]
        problems += [f"{key}: {p}: never served" for p in sorted(unmet)]
    assert not problems, "\n".join(problems)
