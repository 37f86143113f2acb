"""The bridge as a sender meets it: served by uvicorn on loopback, driven by a real HTTP client
that signs its requests itself (with ``hmac``, not with the bridge's code)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from exchanges import Exchange, OrderNotFound
from signals import Bridge, BridgeConfig, build_app, config_from_mapping, serving

SECRETS = {
    "tv": "tv-secret-0123456789abcdef",
    "voc": "voc-secret-0123456789abcdef",
    "ops": "ops-secret-0123456789abcdef",
}
ENV = {f"SIGNALS_SECRET_{name.upper()}": secret for name, secret in SECRETS.items()}


def config(tmp_path: Path, **sections: Any) -> BridgeConfig:
    """A bridge on a paper venue; ``sections`` update the tables of the default layout."""
    data: dict[str, Any] = {
        "bridge": {
            "database": "audit.db",
            "sync_interval_s": 0,
            "respond_within_s": 10,
            "retry_backoff_s": 0,
        },
        "venue": {"venue": "paper", "balances": {"USDT": "10000"}},
        "limits": {
            "currency": "USDT",
            "max_order_notional": "100",
            "max_daily_notional": "1000",
            "max_open_orders": 5,
            "max_position": {"BTC/USDT": "0.01", "ETH/USDT": "1", "SOL/USDT": "10"},
        },
        "sources": [
            {"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": ["BTC/USDT", "SOL/USDT"]},
            {"name": "voc", "secret_env": "SIGNALS_SECRET_VOC", "pairs": ["BTC/USDT", "ETH/USDT"]},
            {"name": "ops", "secret_env": "SIGNALS_SECRET_OPS", "can_halt": True},
        ],
    }
    for name, values in sections.items():
        if isinstance(data.get(name), dict) and name != "venue":
            data[name] = {**data[name], **values}
        else:
            data[name] = values
    return config_from_mapping(data, environ=ENV, base=tmp_path)


def headers(
    source: str, payload: bytes, *, secret: str | None = None, stamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time() * 1000) if stamp is None else stamp)
    key = (secret if secret is not None else SECRETS[source]).encode()
    return {
        "X-Signal-Source": source,
        "X-Signal-Timestamp": ts,
        "X-Signal-Signature": hmac.new(key, ts.encode() + payload, hashlib.sha256).hexdigest(),
        "Content-Type": "application/json",
    }


def order(signal_id: str, source: str = "tv", **fields: Any) -> dict[str, Any]:
    """A resting limit buy, far under the market, worth 30 USDT; ``fields`` change it."""
    body = {
        "source": source,
        "signal_id": signal_id,
        "symbol": "BTC/USDT",
        "side": "buy",
        "type": "limit",
        "price": "30000",
        "size": "0.001",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


class Sender:
    """A signal source's HTTP client."""

    def __init__(self, client: httpx.AsyncClient, bridge: Bridge) -> None:
        self.client = client
        self.bridge = bridge

    @property
    def exchange(self) -> Exchange:
        return self.bridge.executor.exchange

    async def post(self, path: str, body: Any, source: str = "tv", **kw: Any) -> httpx.Response:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await self.client.post(path, content=payload, headers=headers(source, payload, **kw))

    async def signal(self, signal_id: str, source: str = "tv", **fields: Any) -> httpx.Response:
        return await self.post("/signal", order(signal_id, source, **fields), source)

    async def get(self, path: str, source: str = "tv") -> httpx.Response:
        return await self.client.get(path, headers=headers(source, path.encode()))

    async def state(self, signal_id: str, source: str = "tv") -> dict[str, Any]:
        response = await self.get(f"/signals/{signal_id}", source)
        assert response.status_code == 200, response.text
        signal: dict[str, Any] = response.json()["signal"]
        return signal

    async def halt(self, source: str = "ops", **body: Any) -> httpx.Response:
        return await self.post("/halt", body, source)

    async def orders_on_venue(self, client_order_id: str, symbol: str = "BTC/USDT") -> int:
        """How many orders the venue holds under this client order id (0 or 1, never more)."""
        return await count_orders(self.exchange, client_order_id, symbol)


async def count_orders(exchange: Exchange, client_order_id: str, symbol: str = "BTC/USDT") -> int:
    open_ = [o for o in await exchange.fetch_open_orders(symbol) if o.client_order_id == client_order_id]
    closed = [o for o in await exchange.fetch_closed_orders(symbol) if o.client_order_id == client_order_id]
    if not open_ and not closed:
        try:
            await exchange.fetch_order(symbol, client_order_id=client_order_id)
        except OrderNotFound:
            return 0
        return 1
    return len(open_) + len(closed)


@contextlib.asynccontextmanager
async def running(
    bridge_config: BridgeConfig,
    opener: Callable[[], Exchange] | None = None,
    environ: dict[str, str] | None = None,
) -> AsyncIterator[Sender]:
    """The bridge served on a free loopback port, and a client for it."""
    bridge = Bridge(bridge_config, opener=opener, environ={**ENV, **(environ or {})})
    async with serving(build_app(bridge)) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield Sender(client, bridge)


async def eventually(check: Callable[[], Any], *, within: float = 20.0) -> Any:
    """Poll an async ``check`` until it returns a true value (a deadline, not a sleep)."""
    import asyncio

    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s: last value {value!r}")
        await asyncio.sleep(0.01)
