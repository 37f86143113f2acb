"""Shared pieces for the Binance adapter tests: a small Binance-shaped venue answering over
``httpx.MockTransport`` (it checks every signature the way Binance does, keeps orders by
client order id and can lag its reads), and an exchange factory that never touches the
network."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from adapters.binance import BinanceCredentials, BinanceExchange
from exchanges import ManualClock, RateLimitRegistry

BASE = "https://api.binance.com"
SPEC_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "binance-spec"
NO_SPEC = f"../shared/binance-spec is absent ({SPEC_DIR}): the checked-in copy is tested instead"
KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SERVER_TIME = 1_700_000_000_000


def symbol_row(base: str, quote: str, tick: str = "0.01", step: str = "0.00001") -> dict[str, Any]:
    """One ``exchangeInfo`` symbol with the filters of the docs' examples."""
    return {
        "symbol": base + quote,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": [
            "LIMIT",
            "LIMIT_MAKER",
            "MARKET",
            "STOP_LOSS",
            "STOP_LOSS_LIMIT",
            "TAKE_PROFIT",
            "TAKE_PROFIT_LIMIT",
        ],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "opoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "pegInstructionsAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "1000000.00", "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "9000.00000000", "stepSize": step},
            {"filterType": "ICEBERG_PARTS", "limit": 100},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": "0.00000000",
                "maxQty": "100.00000000",
                "stepSize": "0.00000000",
            },
            {
                "filterType": "TRAILING_DELTA",
                "minTrailingAboveDelta": 10,
                "maxTrailingAboveDelta": 2000,
                "minTrailingBelowDelta": 10,
                "maxTrailingBelowDelta": 2000,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": "5",
                "bidMultiplierDown": "0.2",
                "askMultiplierUp": "5",
                "askMultiplierDown": "0.2",
                "avgPriceMins": 5,
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": "5.00000000",
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": [
            "NONE",
            "EXPIRE_TAKER",
            "EXPIRE_MAKER",
            "EXPIRE_BOTH",
            "DECREMENT",
        ],
    }


EXCHANGE_INFO = {
    "timezone": "UTC",
    "serverTime": SERVER_TIME,
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
    ],
    "exchangeFilters": [],
    "symbols": [
        symbol_row("BTC", "USDT"),
        symbol_row("ETH", "USDT", tick="0.01", step="0.0001"),
        dict(symbol_row("ETH", "BTC"), status="BREAK"),
        dict(symbol_row("BTC", "USDT"), symbol="这是测试币456", baseAsset="这是测试币", quoteAsset="456"),
    ],
}

Handler = Callable[[httpx.Request], httpx.Response]


def error(code: int, msg: str, status: int = 400, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)


def raw_params(request: httpx.Request) -> str:
    """The query string followed by the form body, as Binance reads them (NOTES 3.3)."""
    return request.url.query.decode() + request.content.decode()


def signed_payload(request: httpx.Request) -> tuple[dict[str, str], str, str]:
    """A signed request's parameters, its payload as signed (query and body without the
    signature), and the signature."""
    head, _, signature = raw_params(request).rpartition("&signature=")
    return dict(parse_qsl(head, keep_blank_values=True)), head, signature


class FakeBinance:
    """Just enough of Binance's REST behaviour: signatures checked (HMAC over the raw query),
    exchange information, tickers, depth, orders kept by id and by client order id (a
    duplicate refused among open orders only), cancels, queries that may lag (``lag``: "Order
    does not exist." answers before a new order shows), myTrades and the account."""

    def __init__(self, *, lag: int = 0, secret: str = SECRET) -> None:
        self.secret = secret.encode()
        self.orders: list[dict[str, Any]] = []
        self.trades: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.place_calls = 0
        self.query_calls = 0
        self.lag = lag
        self._unseen: dict[int, int] = {}
        self._ids = itertools.count(1001)
        self.now = SERVER_TIME
        self.routes: dict[tuple[str, str], Handler] = {}
        self.faults: dict[tuple[str, str], list[str]] = {}

    # --- plumbing ----------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        custom = self.routes.get(key)
        if custom is not None:
            return custom(request)
        if "signature=" in raw_params(request):
            params, payload, signature = signed_payload(request)
            expected = hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()
            if signature != expected:
                return error(-1022, "Signature for this request is not valid.")
            if request.headers.get("X-MBX-APIKEY") != KEY:
                return error(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        else:
            params = dict(parse_qsl(raw_params(request)))
        handler = getattr(self, "_" + request.method.lower() + request.url.path.replace("/", "_"), None)
        if handler is None:
            return error(-1020, "This operation is not supported.", 404)
        queued = self.faults.get(key)
        fault = queued.pop(0) if queued else None
        if fault == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "503-before":
            return httpx.Response(503, text="<html>Service Unavailable</html>")
        response: httpx.Response = handler(params)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "reset":
            raise httpx.RemoteProtocolError("connection reset", request=request)
        if fault == "502":
            return httpx.Response(502, text="<html>Bad Gateway</html>")
        if fault == "-1007":
            return error(-1007, "Timeout waiting for response from backend server. Send status unknown; "
                         "execution status unknown.", 500)  # fmt: skip
        return response

    def count(self, client_id: str) -> int:
        return sum(1 for o in self.orders if o["clientOrderId"] == client_id)

    # --- public ------------------------------------------------------------------------------

    def _get_api_v3_time(self, _: dict[str, str]) -> httpx.Response:
        return httpx.Response(200, json={"serverTime": self.now})

    def _get_api_v3_exchangeInfo(self, _: dict[str, str]) -> httpx.Response:
        return httpx.Response(200, json=EXCHANGE_INFO)

    def _get_api_v3_ticker_price(self, params: dict[str, str]) -> httpx.Response:
        return httpx.Response(200, json={"symbol": params["symbol"], "price": "50000.00"})

    # --- orders ------------------------------------------------------------------------------

    def _open(self, client_id: str) -> bool:
        return any(
            o["clientOrderId"] == client_id and o["status"] in ("NEW", "PARTIALLY_FILLED")
            for o in self.orders
        )

    def _post_api_v3_order(self, p: dict[str, str]) -> httpx.Response:
        self.place_calls += 1
        cid = p["newClientOrderId"]
        if self._open(cid):
            return error(-2010, "Duplicate order sent.")
        taker = p.get("timeInForce") in ("IOC", "FOK") or p["type"] == "MARKET"
        qty = p.get("quantity", "0.001")
        price = p.get("price", "0.00000000")
        order: dict[str, Any] = {
            "symbol": p["symbol"],
            "orderId": next(self._ids),
            "orderListId": -1,
            "clientOrderId": cid,
            "price": price,
            "origQty": qty,
            "executedQty": qty if taker else "0.00000000",
            "cummulativeQuoteQty": "50.00000000" if taker else "0.00000000",
            "status": "FILLED" if taker else "NEW",
            "timeInForce": p.get("timeInForce", "GTC"),
            "type": p["type"],
            "side": p["side"],
            "stopPrice": p.get("stopPrice", "0.00000000"),
            "icebergQty": p.get("icebergQty", "0.00000000"),
            "time": self.now,
            "updateTime": self.now,
            "isWorking": "stopPrice" not in p,
            "workingTime": self.now if "stopPrice" not in p else -1,
            "origQuoteOrderQty": p.get("quoteOrderQty", "0.00000000"),
            "selfTradePreventionMode": p.get("selfTradePreventionMode", "EXPIRE_MAKER"),
        }
        self.orders.append(order)
        self._unseen[order["orderId"]] = self.lag
        fills = []
        if taker:
            trade = {"price": "50000.00", "qty": qty, "commission": "0.05", "commissionAsset": "USDT",
                     "tradeId": next(self._ids)}  # fmt: skip
            fills.append(trade)
        answer = {
            k: v
            for k, v in order.items()
            if k not in ("stopPrice", "icebergQty", "time", "updateTime", "isWorking")
        }
        return httpx.Response(
            200,
            json={**answer, "transactTime": self.now, "fills": fills},
            headers={"X-MBX-ORDER-COUNT-10S": "1", "X-MBX-ORDER-COUNT-1D": "1", "X-MBX-USED-WEIGHT-1M": "3"},
        )

    def _visible(self, order: dict[str, Any]) -> bool:
        left = self._unseen.get(order["orderId"], 0)
        if left:
            self._unseen[order["orderId"]] = left - 1
            return False
        return True

    def _find(self, p: dict[str, str]) -> dict[str, Any] | None:
        if "orderId" in p:
            return next((o for o in self.orders if str(o["orderId"]) == p["orderId"]), None)
        matches = [o for o in self.orders if o["clientOrderId"] == p.get("origClientOrderId")]
        return matches[-1] if matches else None

    def _get_api_v3_order(self, p: dict[str, str]) -> httpx.Response:
        self.query_calls += 1
        found = self._find(p)
        if found is None or not self._visible(found):
            return error(-2013, "Order does not exist.")
        return httpx.Response(200, json=found)

    def _delete_api_v3_order(self, p: dict[str, str]) -> httpx.Response:
        found = self._find(p)
        if found is None or found["status"] not in ("NEW", "PARTIALLY_FILLED"):
            return error(-2011, "Unknown order sent.")
        found["status"] = "CANCELED"
        return httpx.Response(
            200,
            json={
                **found,
                "origClientOrderId": found["clientOrderId"],
                "clientOrderId": "cancel-1",
                "transactTime": self.now,
            },
        )

    def _get_api_v3_openOrders(self, p: dict[str, str]) -> httpx.Response:
        rows = [o for o in self.orders if o["status"] in ("NEW", "PARTIALLY_FILLED")]
        if "symbol" in p:
            rows = [o for o in rows if o["symbol"] == p["symbol"]]
        return httpx.Response(200, json=rows)

    def _get_api_v3_allOrders(self, p: dict[str, str]) -> httpx.Response:
        rows = [o for o in self.orders if o["symbol"] == p["symbol"]]
        if "startTime" in p:
            rows = [o for o in rows if o["time"] >= int(p["startTime"])]
        if "endTime" in p:
            rows = [o for o in rows if o["time"] <= int(p["endTime"])]
        return httpx.Response(200, json=rows[: int(p.get("limit", 500))])

    def _get_api_v3_myTrades(self, p: dict[str, str]) -> httpx.Response:
        rows = [t for t in self.trades if t["symbol"] == p["symbol"]]
        if "orderId" in p:
            rows = [t for t in rows if str(t["orderId"]) == p["orderId"]]
        if "fromId" in p:
            rows = [t for t in rows if t["id"] >= int(p["fromId"])]
        if "startTime" in p:
            rows = [t for t in rows if t["time"] >= int(p["startTime"])]
        if "endTime" in p:
            rows = [t for t in rows if t["time"] <= int(p["endTime"])]
        limit = int(p.get("limit", 500))
        if "fromId" not in p and "startTime" not in p:
            return httpx.Response(200, json=rows[-limit:])
        return httpx.Response(200, json=rows[:limit])

    def _get_api_v3_account(self, _: dict[str, str]) -> httpx.Response:
        balances = [
            {"asset": "BTC", "free": "1.50000000", "locked": "0.25000000"},
            {"asset": "USDT", "free": "1000.00000000", "locked": "0.00000000"},
        ]
        return httpx.Response(200, json={"makerCommission": 10, "accountType": "SPOT", "balances": balances})


def credentials() -> BinanceCredentials:
    return BinanceCredentials(KEY, SECRET)


def make_exchange(venue: FakeBinance, *, creds: bool = True, **options: Any) -> BinanceExchange:
    options.setdefault("reconcile_delay", 0.0)
    options.setdefault("max_read_retries", 0)  # (tests of read retries ask for them)
    options.setdefault("registry", RateLimitRegistry())
    return BinanceExchange(credentials() if creds else None, transport=venue.transport(), **options)


@pytest.fixture
def venue() -> FakeBinance:
    return FakeBinance()


@pytest.fixture
async def ex(venue: FakeBinance) -> AsyncIterator[BinanceExchange]:
    exchange = make_exchange(venue, clock=ManualClock(SERVER_TIME))
    yield exchange
    await exchange.close()


D = Decimal
