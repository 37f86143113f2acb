"""Every served path, called for real: answers 200000 and validates against its spec schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade

from .conftest import START, UID
from .helpers import Signer, call
from .schemas import validate


class Exerciser:
    """Calls paths, validates each answer, and remembers which route templates it covered."""

    def __init__(self, client: httpx.AsyncClient, signer: Signer, facade: KucoinFacade) -> None:
        self.client = client
        self.signer = signer
        self.keys = {(ep.method, ep.path): ep.schema_key for ep in facade.endpoints}
        self.covered: set[tuple[str, str]] = set()

    async def __call__(
        self, method: str, template: str, path: str | None = None, *, params: dict[str, Any] | None = None,
        body: Any = None, signed: bool = True,
    ) -> Any:  # fmt: skip
        response = await call(
            self.client,
            method,
            path or template,
            params=params,
            body=body,
            signer=self.signer if signed else None,
        )
        payload = response.json()
        assert response.status_code == 200 and payload["code"] == "200000", (
            method,
            path or template,
            payload,
        )
        validate(self.keys[(method, template)], payload)
        self.covered.add((method, template))
        return payload["data"]


@pytest.fixture
def ex(client: httpx.AsyncClient, signer: Signer, facade: KucoinFacade) -> Exerciser:
    return Exerciser(client, signer, facade)


async def test_every_served_path_answers_with_its_schema(
    ex: Exerciser, facade: KucoinFacade, clock: ManualClock
) -> None:
    # --- public market data -------------------------------------------------------------------
    assert await ex("GET", "/api/v1/timestamp", signed=False) == START + 1000
    assert (await ex("GET", "/api/v1/status", signed=False))["status"] == "open"
    assert await ex("GET", "/api/v1/my-ip", signed=False) == "127.0.0.1"
    symbols = await ex("GET", "/api/v2/symbols", signed=False)
    assert {s["symbol"] for s in symbols} >= {"BTC-USDT", "ETH-USDT"}
    assert len(await ex("GET", "/api/v2/symbols", params={"market": "BTC"}, signed=False)) == 1
    assert await ex("GET", "/api/v1/symbols", signed=False) == symbols
    btc = await ex("GET", "/api/v2/symbols/{symbol}", "/api/v2/symbols/BTC-USDT", signed=False)
    assert btc["priceIncrement"] == "0.1" and btc["baseMinSize"] == "0.00001"
    currencies = await ex("GET", "/api/v3/currencies", signed=False)
    assert "USDT" in {c["currency"] for c in currencies}
    await ex("GET", "/api/v3/currencies/{currency}", "/api/v3/currencies/BTC", signed=False)
    await ex("GET", "/api/v1/currencies", signed=False)
    await ex("GET", "/api/v1/currencies/{currency}", "/api/v1/currencies/BTC", signed=False)
    level1 = await ex("GET", "/api/v1/market/orderbook/level1", params={"symbol": "BTC-USDT"}, signed=False)
    assert (level1["bestBid"], level1["bestAsk"], level1["price"]) == ("64000", "66000", "65000")
    tickers = await ex("GET", "/api/v1/market/allTickers", signed=False)
    assert any(t["symbol"] == "BTC-USDT" and t["last"] == "65000" for t in tickers["ticker"])
    stats = await ex("GET", "/api/v1/market/stats", params={"symbol": "BTC-USDT"}, signed=False)
    assert stats["vol"] == "0.01" and stats["high"] == "65000"
    for size in ("20", "100"):
        book = await ex(
            "GET", "/api/v1/market/orderbook/level2_{size}", f"/api/v1/market/orderbook/level2_{size}",
            params={"symbol": "BTC-USDT"}, signed=False,
        )  # fmt: skip
        assert book["bids"] == [["64000", "1"]] and book["asks"] == [["66000", "1"]]
    full = await ex("GET", "/api/v3/market/orderbook/level2", params={"symbol": "BTC-USDT"})
    assert full["bids"] == [["64000", "1"]]
    trades = await ex("GET", "/api/v1/market/histories", params={"symbol": "BTC-USDT"}, signed=False)
    assert trades[0]["price"] == "65000" and trades[0]["time"] == START * 1_000_000  # nanoseconds
    candles = await ex(
        "GET", "/api/v1/market/candles", params={"symbol": "BTC-USDT", "type": "1min"}, signed=False
    )
    assert candles[0][0] == str(START // 60_000 * 60) and candles[0][1:5] == ["65000"] * 4  # seconds
    assert await ex("GET", "/api/v1/markets", signed=False) == ["BTC", "USDS"]
    prices = await ex("GET", "/api/v1/prices", signed=False)
    assert prices["BTC"] == "65000" and prices["USDT"] == "1"
    assert (await ex("POST", "/api/v1/bullet-public", signed=False))["token"]
    assert (await ex("POST", "/api/v1/bullet-private"))["instanceServers"]

    # --- start-up probes ------------------------------------------------------------------------
    await ex("GET", "/api/v3/margin/symbols")
    await ex("GET", "/api/v1/isolated/symbols")
    await ex("GET", "/api/v1/contracts/active", signed=False)
    await ex("GET", "/api/ua/v1/account/mode")
    assert await ex("GET", "/api/v1/hf/accounts/opened") is True

    # --- account --------------------------------------------------------------------------------
    accounts = await ex("GET", "/api/v1/accounts")
    usdt = next(a for a in accounts if a["currency"] == "USDT")
    assert (usdt["type"], usdt["balance"], usdt["available"], usdt["holds"]) == (
        "trade",
        "100000",
        "100000",
        "0",
    )
    assert await ex("GET", "/api/v1/accounts", params={"type": "trade_hf", "currency": "BTC"}) == [
        {**next(a for a in accounts if a["currency"] == "BTC"), "type": "trade_hf"}
    ]
    detail = await ex("GET", "/api/v1/accounts/{accountId}", f"/api/v1/accounts/{usdt['id']}")
    assert detail["balance"] == "100000"
    key = await ex("GET", "/api/v1/user/api-key")
    assert key["uid"] == UID and key["apiVersion"] == 3 and "Spot" in key["permission"]
    assert (await ex("GET", "/api/v2/user-info"))["level"] == 0
    assert await ex("GET", "/api/v1/base-fee") == {"takerFeeRate": "0.001", "makerFeeRate": "0.001"}
    fees = await ex("GET", "/api/v1/trade-fees", params={"symbols": "BTC-USDT,ETH-USDT"})
    assert [f["symbol"] for f in fees] == ["BTC-USDT", "ETH-USDT"]

    # --- HF orders -----------------------------------------------------------------------------
    order = {"clientOid": "hf-1", "symbol": "BTC-USDT", "side": "buy", "type": "limit", "price": "60000",
             "size": "0.01"}  # fmt: skip
    placed = await ex("POST", "/api/v1/hf/orders", body=order)
    oid = placed["orderId"]
    assert placed["clientOid"] == "hf-1" and len(oid) == 24
    got = await ex(
        "GET", "/api/v1/hf/orders/{orderId}", f"/api/v1/hf/orders/{oid}", params={"symbol": "BTC-USDT"}
    )
    assert (got["active"], got["inOrderBook"], got["price"], got["size"]) == (True, True, "60000", "0.01")
    by_coid = await ex(
        "GET", "/api/v1/hf/orders/client-order/{clientOid}", "/api/v1/hf/orders/client-order/hf-1",
        params={"symbol": "BTC-USDT"},
    )  # fmt: skip
    assert by_coid["id"] == oid
    assert [o["id"] for o in await ex("GET", "/api/v1/hf/orders/active", params={"symbol": "BTC-USDT"})] == [
        oid
    ]
    paged = await ex("GET", "/api/v1/hf/orders/active/page", params={"symbol": "BTC-USDT", "pageSize": 10})
    assert paged["totalNum"] == 1 and paged["items"][0]["id"] == oid
    assert (await ex("GET", "/api/v1/hf/orders/active/symbols"))["symbols"] == ["BTC-USDT"]
    altered = await ex(
        "POST", "/api/v1/hf/orders/alter", body={"symbol": "BTC-USDT", "orderId": oid, "newPrice": "60100"}
    )
    new_oid = altered["newOrderId"]
    assert new_oid != oid and altered["clientOid"] == "hf-1"
    partial = await ex(
        "DELETE", "/api/v1/hf/orders/cancel/{orderId}", f"/api/v1/hf/orders/cancel/{new_oid}",
        params={"symbol": "BTC-USDT", "cancelSize": "0.004"},
    )  # fmt: skip
    assert partial == {"orderId": new_oid, "cancelSize": "0.004"}
    after = await ex(
        "GET", "/api/v1/hf/orders/{orderId}", f"/api/v1/hf/orders/{new_oid}", params={"symbol": "BTC-USDT"}
    )
    assert after["remainSize"] == "0.006" and after["cancelledSize"] == "0.004"
    cancelled = await ex(
        "DELETE", "/api/v1/hf/orders/{orderId}", f"/api/v1/hf/orders/{new_oid}", params={"symbol": "BTC-USDT"}
    )
    assert cancelled == {"orderId": new_oid}

    await ex("POST", "/api/v1/hf/orders", body={**order, "clientOid": "hf-2"})
    assert await ex(
        "DELETE", "/api/v1/hf/orders/client-order/{clientOid}", "/api/v1/hf/orders/client-order/hf-2",
        params={"symbol": "BTC-USDT"},
    ) == {"clientOid": "hf-2"}  # fmt: skip
    synced = await ex("POST", "/api/v1/hf/orders/sync", body={**order, "clientOid": "hf-3"})
    assert (synced["status"], synced["originSize"], synced["dealSize"]) == ("open", "0.01", "0")
    sync_cancel = await ex(
        "DELETE", "/api/v1/hf/orders/sync/{orderId}", f"/api/v1/hf/orders/sync/{synced['orderId']}",
        params={"symbol": "BTC-USDT"},
    )  # fmt: skip
    assert (sync_cancel["status"], sync_cancel["canceledSize"]) == ("done", "0.01")
    await ex("POST", "/api/v1/hf/orders", body={**order, "clientOid": "hf-4"})
    template = "/api/v1/hf/orders/sync/client-order/{clientOid}"
    coid_sync = await ex("DELETE", template, template.format(clientOid="hf-4"), params={"symbol": "BTC-USDT"})
    assert coid_sync["status"] == "done"
    tested = await ex("POST", "/api/v1/hf/orders/test", body={**order, "clientOid": "hf-t"})
    assert tested["clientOid"] == "hf-t"
    assert not await ex("GET", "/api/v1/hf/orders/active", params={"symbol": "BTC-USDT"})

    batch = await ex("POST", "/api/v1/hf/orders/multi", body={"orderList": [
        {**order, "clientOid": "m-1"}, {**order, "clientOid": "m-2", "price": "60000.05"},
    ]})  # fmt: skip
    assert [b["success"] for b in batch] == [True, False]
    assert batch[1]["failMsg"] == "Price increment invalid."
    batch_sync = await ex("POST", "/api/v1/hf/orders/multi/sync", body={"orderList": [
        {**order, "clientOid": "m-3", "symbol": "ETH-USDT", "price": "3000", "size": "0.1"},
    ]})  # fmt: skip
    assert batch_sync[0]["success"] and batch_sync[0]["status"] == "open"
    assert await ex("DELETE", "/api/v1/hf/orders", params={"symbol": "BTC-USDT"}) == "success"
    everything = await ex("DELETE", "/api/v1/hf/orders/cancelAll")
    assert everything == {"succeedSymbols": ["ETH-USDT"], "failedSymbols": []}

    taker = await ex("POST", "/api/v1/hf/orders/sync", body={
        "clientOid": "take-1", "symbol": "BTC-USDT", "side": "buy", "type": "market", "size": "0.1",
    })  # fmt: skip
    assert (taker["status"], taker["dealSize"]) == ("done", "0.1")
    done = await ex("GET", "/api/v1/hf/orders/done", params={"symbol": "BTC-USDT", "limit": 2})
    assert len(done["items"]) == 2 and done["items"][0]["id"] == taker["orderId"]
    older = await ex("GET", "/api/v1/hf/orders/done", params={"symbol": "BTC-USDT", "lastId": done["lastId"]})
    assert done["items"][1]["id"] not in {o["id"] for o in older["items"]}
    fills = await ex("GET", "/api/v1/hf/fills", params={"symbol": "BTC-USDT"})
    fill = fills["items"][0]
    assert (fill["orderId"], fill["liquidity"], fill["price"], fill["size"]) == (
        taker["orderId"], "taker", "66000", "0.1",
    )  # fmt: skip
    assert fill["fee"] == "6.6" and fill["feeCurrency"] == "USDT"

    dcp = await ex("POST", "/api/v1/hf/orders/dead-cancel-all", body={"timeout": 10, "symbols": "BTC-USDT"})
    assert dcp["triggerTime"] - dcp["currentTime"] == 10
    query = await ex("GET", "/api/v1/hf/orders/dead-cancel-all/query")
    assert (query["timeout"], query["symbols"]) == (10, "BTC-USDT")
    await ex("POST", "/api/v1/hf/orders/dead-cancel-all", body={"timeout": -1})
    assert await ex("GET", "/api/v1/hf/orders/dead-cancel-all/query") == {}

    # --- classic orders -------------------------------------------------------------------------
    classic = {"clientOid": "c-1", "symbol": "BTC-USDT", "side": "sell", "price": "70000", "size": "0.01"}
    c1 = (await ex("POST", "/api/v1/orders", body=classic))["orderId"]
    got_classic = await ex("GET", "/api/v1/orders/{orderId}", f"/api/v1/orders/{c1}")
    assert (got_classic["isActive"], got_classic["type"], got_classic["clientOid"]) == (True, "limit", "c-1")
    assert (await ex(
        "GET", "/api/v1/order/client-order/{clientOid}", "/api/v1/order/client-order/c-1"
    ))["id"] == c1  # fmt: skip
    active_page = await ex("GET", "/api/v1/orders", params={"status": "active"})
    assert [o["id"] for o in active_page["items"]] == [c1]
    assert await ex("DELETE", "/api/v1/orders/{orderId}", f"/api/v1/orders/{c1}") == {
        "cancelledOrderIds": [c1]
    }
    c2 = (await ex("POST", "/api/v1/orders", body={**classic, "clientOid": "c-2"}))["orderId"]
    by_coid_cancel = await ex(
        "DELETE", "/api/v1/order/client-order/{clientOid}", "/api/v1/order/client-order/c-2"
    )
    assert by_coid_cancel["cancelledOrderId"] == c2
    multi = await ex("POST", "/api/v1/orders/multi", body={"symbol": "BTC-USDT", "orderList": [
        {"clientOid": "cm-1", "side": "sell", "price": "70000", "size": "0.01"},
        {"clientOid": "cm-2", "side": "sell", "price": "70000", "size": "0.000001"},
    ]})  # fmt: skip
    assert [r["status"] for r in multi["data"]] == ["success", "fail"]
    assert multi["data"][1]["failMsg"] == "Order size below the minimum requirement."
    assert (
        len((await ex("DELETE", "/api/v1/orders", params={"symbol": "BTC-USDT"}))["cancelledOrderIds"]) == 1
    )
    assert (await ex("POST", "/api/v1/orders/test", body={**classic, "clientOid": "c-t"}))["orderId"]
    done_page = await ex("GET", "/api/v1/orders", params={"status": "done", "pageSize": 10})
    assert done_page["totalNum"] >= 8
    recent = await ex("GET", "/api/v1/limit/orders")
    assert recent[0]["id"] == multi["data"][0]["id"]
    classic_fills = await ex("GET", "/api/v1/fills", params={"symbol": "BTC-USDT"})
    assert classic_fills["items"][0]["tradeId"] == str(fill["tradeId"])
    assert (await ex("GET", "/api/v1/limit/fills"))[0]["orderId"] == taker["orderId"]

    # --- stop orders ----------------------------------------------------------------------------
    stop = {"clientOid": "s-1", "symbol": "BTC-USDT", "side": "sell", "type": "limit", "price": "50000",
            "size": "0.01", "stopPrice": "55000"}  # fmt: skip
    s1 = (await ex("POST", "/api/v1/stop-order", body=stop))["orderId"]
    assert s1.startswith("vs")
    listed = await ex("GET", "/api/v1/stop-order", params={"symbol": "BTC-USDT"})
    assert listed["items"][0]["id"] == s1 and listed["items"][0]["stop"] == "loss"
    assert listed["items"][0]["orderTime"] == (START + 1000) * 1_000_000  # nanoseconds
    assert (await ex("GET", "/api/v1/stop-order/{orderId}", f"/api/v1/stop-order/{s1}"))[
        "stopPrice"
    ] == "55000"
    found = await ex("GET", "/api/v1/stop-order/queryOrderByClientOid", params={"clientOid": "s-1"})
    assert found[0]["id"] == s1
    assert await ex("DELETE", "/api/v1/stop-order/{orderId}", f"/api/v1/stop-order/{s1}") == {
        "cancelledOrderIds": [s1]
    }
    s2 = (await ex("POST", "/api/v1/stop-order", body={**stop, "clientOid": "s-2"}))["orderId"]
    assert await ex(
        "DELETE", "/api/v1/stop-order/cancelOrderByClientOid", params={"clientOid": "s-2"}
    ) == {"clientOid": "s-2", "cancelledOrderId": s2}  # fmt: skip
    s3 = (await ex("POST", "/api/v1/stop-order", body={**stop, "clientOid": "s-3"}))["orderId"]
    assert await ex("DELETE", "/api/v1/stop-order/cancel", params={"symbol": "BTC-USDT"}) == {
        "cancelledOrderIds": [s3]
    }

    # --- ledgers ---------------------------------------------------------------------------------
    classic_ledger = await ex("GET", "/api/v1/accounts/ledgers", params={"currency": "BTC"})
    assert classic_ledger["items"][0]["bizType"] == "TRADE_EXCHANGE"
    assert classic_ledger["items"][0]["direction"] == "in"
    hf_ledger = await ex("GET", "/api/v1/hf/accounts/ledgers", params={"currency": "USDT", "limit": 1})
    assert len(hf_ledger) == 1 and hf_ledger[0]["accountType"] == "TRADE_HF"
    nxt = await ex(
        "GET", "/api/v1/hf/accounts/ledgers", params={"currency": "USDT", "lastId": hf_ledger[0]["id"]}
    )
    assert nxt and int(nxt[0]["id"]) < int(hf_ledger[0]["id"])

    served = {(ep.method, ep.path) for ep in facade.endpoints}
    assert served - ex.covered == set(), "paths without a schema check"
