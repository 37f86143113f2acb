"""The bridge with the KuCoin adapter and the simulator's KuCoin server behind it: the wire
for real, and the network's faults (answers lost after the venue acted, a venue down, a
venue that hangs) and a restart in the middle of it all. One order per signal, always."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance import Fault, FaultInjectingTransport
from conformance.kucoin_wire import KucoinFaultWire
from exchanges import OrderRequest, connect
from simulator.kucoin import serving

from .conftest import config, eventually, running
from .kucoin_sim import BTC, CREDS, OTHER, SECRET, URL, kucoin, on_venue, opener, sim_app


def _placement(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.startswith(("/api/v1/hf/orders", "/api/v1/orders"))


class Gate(httpx.AsyncBaseTransport):
    """Holds placements, one mode per placement in turn: ``pass``; ``before`` (held before
    reaching the venue); ``after`` (the venue acts, its answer is held). ``release`` lets
    everything held go on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *modes: str) -> None:
        self.inner = inner
        self.modes = list(modes)
        self.released = asyncio.Event()
        self.acted = 0  # placements the venue has seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not _placement(request):
            return await self.inner.handle_async_request(request)
        mode = self.modes.pop(0) if self.modes else "pass"
        if mode == "before":
            await self.released.wait()
        response = await self.inner.handle_async_request(request)
        self.acted += 1
        if mode == "after":
            await response.aread()
            await self.released.wait()
        return response


class DownFor(httpx.AsyncBaseTransport):
    """Refuses the first ``placements`` placements (nothing reaches the venue) and records
    the clientOid of every placement sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport, placements: int) -> None:
        self.inner = inner
        self.left = placements
        self.client_oids: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if _placement(request):
            self.client_oids.append(json.loads(request.content)["clientOid"])
            if self.left > 0:
                self.left -= 1
                raise httpx.ConnectError("down", request=request)
        return await self.inner.handle_async_request(request)


class Outage(httpx.AsyncBaseTransport):
    """The whole venue unreachable while ``down`` (no request gets through); the requests
    refused are counted."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused += 1
            raise httpx.ConnectError("down", request=request)
        return await self.inner.handle_async_request(request)


async def test_kucoin_by_configuration_places_and_reports_the_venue_code(tmp_path: Path) -> None:
    """No opener: the bridge's ``[venue]`` table names KuCoin at the simulator's address."""
    app = sim_app()
    positions = {BTC: "100", "ETH/USDT": "1", "SOL/USDT": "1"}
    limits = {"max_order_notional": "100000", "max_daily_notional": "1000000", "max_position": positions}
    async with serving(app) as sim_url:
        venue = {"venue": "kucoin", "base_url": sim_url, "rate_limit": False}
        async with running(config(tmp_path, venue=venue, limits=limits), environ=CREDS) as s:
            assert s.exchange.venue == "kucoin"
            placed = await s.signal("k1", symbol="BTC-USDT")
            assert placed.status_code == 200 and placed.json()["signal"]["state"] == "placed"
            assert await on_venue(app, placed.json()["signal"]["client_order_id"]) == 1
            refused = await s.signal("k2", size="1")  # 30,000 USDT: more than the account holds
            assert refused.status_code == 422
            assert refused.json()["signal"]["venue_error"] == {
                "venue": "kucoin",
                "code": "200004",
                "message": "Balance insufficient!",
                "type": "InsufficientFunds",
                "retryable": False,
            }
            sold = await s.signal("k3", side="sell", type="market", price=None, size="0.001")
            assert sold.json()["signal"]["state"] == "filled"
            assert s.bridge.audit.position(BTC) == Decimal("-0.001")


#: A resting limit order, and a market order done at once (whose client order id KuCoin
#: would take again: only a lookup, never a blind resend, keeps it single).
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "resting": ({}, "placed"),
    "market": ({"type": "market", "price": None}, "filled"),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(
    "fault", [Fault.LOSE_RESPONSE, Fault.RESET_AFTER, Fault.BAD_GATEWAY, Fault.UNAVAILABLE]
)
async def test_a_venue_that_times_out_after_acting_gets_one_order_not_two(
    tmp_path: Path, fault: Fault, kind: str
) -> None:
    app = sim_app()
    faulty = FaultInjectingTransport(
        httpx.ASGITransport(app=app), seed=1, rate=1.0, faults=(fault,), wire=KucoinFaultWire(SECRET)
    )
    fields, state = KINDS[kind]
    async with running(config(tmp_path), opener(faulty)) as s:
        response = await s.signal("t1", **fields)
        assert response.status_code == 200 and response.json()["signal"]["state"] == state
        again = await s.signal("t1", **fields)  # the sender, not hearing back in time, re-delivers
        assert again.json()["duplicate"] is True
        assert faulty.injected[fault] == 1  # the one placement lost its answer
        assert await on_venue(app, response.json()["signal"]["client_order_id"]) == 1


@pytest.mark.parametrize("kind", list(KINDS))
async def test_an_unknown_outcome_is_resolved_by_client_order_id(tmp_path: Path, kind: str) -> None:
    app = sim_app()
    faulty = FaultInjectingTransport(
        httpx.ASGITransport(app=app),
        seed=1,
        rate=1.0,
        faults=(Fault.LOSE_RESPONSE,),
        wire=KucoinFaultWire(SECRET),
        blackout_rate=1.0,
        max_blackout=6,
    )
    exchange = opener(faulty, reconcile_confirmations=1, reconcile_queries=1, max_read_retries=0)
    fields, state = KINDS[kind]
    async with running(config(tmp_path, bridge={"reconcile_delay_s": 0}), exchange) as s:
        response = await s.signal("u1", **fields)
        assert response.status_code == 200 and response.json()["signal"]["state"] == state
        kinds = [e.kind for e in s.bridge.audit.events("tv", "u1") if e.kind != "fill"]
        assert kinds == ["accepted", "unknown", "resolved"]
        assert faulty.injected[Fault.BLACKOUT] >= 1
        assert await on_venue(app, response.json()["signal"]["client_order_id"]) == 1


async def test_a_venue_down_is_retried_with_backoff_under_the_same_client_order_id(tmp_path: Path) -> None:
    app = sim_app()
    down = DownFor(httpx.ASGITransport(app=app), placements=3)
    bridge = {"retry_backoff_s": 0.01, "place_attempts": 5}
    async with running(config(tmp_path, bridge=bridge), opener(down, max_place_attempts=1)) as s:
        response = await s.signal("d1")
        assert response.status_code == 200 and response.json()["signal"]["state"] == "placed"
        cid = response.json()["signal"]["client_order_id"]
        assert down.client_oids == [cid] * 4
        assert [e.kind for e in s.bridge.audit.events("tv", "d1")] == [
            "accepted",
            "retry",
            "retry",
            "retry",
            "placed",
        ]
        assert await on_venue(app, cid) == 1


async def test_a_venue_down_for_good_is_reported_with_its_error(tmp_path: Path) -> None:
    app = sim_app()
    down = DownFor(httpx.ASGITransport(app=app), placements=1000)
    bridge = {"retry_backoff_s": 0.01, "place_attempts": 3}
    async with running(config(tmp_path, bridge=bridge), opener(down, max_place_attempts=1)) as s:
        response = await s.signal("d1")
        assert response.status_code == 503
        signal = response.json()["signal"]
        assert signal["state"] == "rejected" and signal["reason"].startswith(
            "the venue was unavailable: 3 attempts"
        )
        assert (
            signal["venue_error"]["type"] == "RequestNotSent" and signal["venue_error"]["retryable"] is True
        )
        assert await on_venue(app, signal["client_order_id"]) == 0


async def test_a_venue_down_whole_after_its_markets_loaded_answers_503_and_a_redelivery_places_once(
    tmp_path: Path,
) -> None:
    app = sim_app()
    outage = Outage(httpx.ASGITransport(app=app))
    bridge = {"retry_backoff_s": 0.01, "place_attempts": 3, "reconcile_delay_s": 0}
    exchange = opener(outage, max_place_attempts=1, max_read_retries=0)
    async with running(config(tmp_path, bridge=bridge), exchange) as s:
        assert (await s.client.get("/health")).json()["markets"] is True
        outage.down = True
        response = await s.signal("w1")
        assert response.status_code == 503, response.text
        signal = response.json()["signal"]
        assert (signal["state"], signal["error"]["code"]) == ("rejected", "venue_unavailable")
        assert signal["venue_error"]["type"] == "RequestNotSent"
        assert outage.refused >= 4  # three sends and the look to be sure
        assert (await s.state("w1"))["state"] == "rejected"  # a clear state to poll, now and later
        outage.down = False
        again = await s.signal("w1")  # the sender decides to try again
        assert again.status_code == 200 and again.json()["signal"]["state"] == "placed"
        assert again.json()["duplicate"] is False
        assert await on_venue(app, signal["client_order_id"]) == 1
        assert (await s.signal("w1")).json()["duplicate"] is True
        assert await on_venue(app, signal["client_order_id"]) == 1


class Lying(httpx.AsyncBaseTransport):
    """While ``lying``, a placement reaches the venue but its sender is told the connection
    failed (a retryable error that was not), and a look by client order id fails to connect;
    market data still flows."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lying = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.lying:
            return await self.inner.handle_async_request(request)
        if _placement(request):
            await (await self.inner.handle_async_request(request)).aread()
            raise httpx.ConnectError("down", request=request)
        if "client-order" in request.url.path:
            raise httpx.ConnectError("down", request=request)
        return await self.inner.handle_async_request(request)


async def test_a_redelivery_after_the_venue_was_down_looks_before_it_sends(tmp_path: Path) -> None:
    """A market order KuCoin would take again under its client order id: only a look by that
    id keeps a re-delivery from placing it twice, should the venue have acted after all."""
    app = sim_app()
    lying = Lying(httpx.ASGITransport(app=app))
    bridge = {"retry_backoff_s": 0.01, "place_attempts": 1, "reconcile_delay_s": 0}
    exchange = opener(lying, max_place_attempts=1, max_read_retries=0)
    fields: dict[str, Any] = {"type": "market", "price": None}
    async with running(config(tmp_path, bridge=bridge), exchange) as s:
        lying.lying = True
        refused = await s.signal("l1", **fields)
        assert refused.status_code == 503 and refused.json()["signal"]["error"]["code"] == "venue_unavailable"
        cid = refused.json()["signal"]["client_order_id"]
        lying.lying = False
        assert await on_venue(app, cid) == 1  # (it had landed)
        again = await s.signal("l1", **fields)
        assert again.status_code == 200 and again.json()["signal"]["state"] == "filled", again.text
        assert await on_venue(app, cid) == 1


async def test_a_venue_that_hangs_gets_a_202_then_the_order_once(tmp_path: Path) -> None:
    app = sim_app()
    gate = Gate(httpx.ASGITransport(app=app), "after")
    async with running(config(tmp_path, bridge={"respond_within_s": 0.2}), opener(gate)) as s:
        response = await s.signal("h1")
        assert response.status_code == 202
        assert response.json()["signal"]["state"] == "received"
        assert "the venue has not answered yet" in response.json()["message"]
        assert (await s.state("h1"))["state"] == "received"
        gate.released.set()
        await eventually(lambda: _state_is(s, "h1", "placed"))
        assert await on_venue(app, response.json()["signal"]["client_order_id"]) == 1


async def test_a_venue_that_never_answers_is_given_up_on_and_resolved(tmp_path: Path) -> None:
    app = sim_app()
    gate = Gate(httpx.ASGITransport(app=app), "after")  # never released
    bridge = {"venue_timeout_s": 0.3, "reconcile_delay_s": 0}
    async with running(config(tmp_path, bridge=bridge), opener(gate)) as s:
        response = await s.signal("n1")
        assert response.status_code == 200 and response.json()["signal"]["state"] == "placed"
        kinds = [e.kind for e in s.bridge.audit.events("tv", "n1")]
        assert kinds == ["accepted", "unknown", "resolved"]
        assert await on_venue(app, response.json()["signal"]["client_order_id"]) == 1
        gate.released.set()


async def _state_is(s: Any, signal_id: str, state: str) -> bool:
    return bool((await s.state(signal_id))["state"] == state)


async def test_a_restart_mid_way_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    app = sim_app()
    # first run: one order placed, one whose answer never comes back (the venue acted), one
    # that never left; then the bridge goes down
    gate = Gate(httpx.ASGITransport(app=app), "pass", "after", "before")
    first = config(tmp_path, bridge={"respond_within_s": 0.2, "reconcile_delay_s": 0})
    async with running(first, opener(gate)) as s:
        codes = [(await s.signal(name)).status_code for name in ("r1", "r2", "r3")]
        assert codes == [200, 202, 202]
        assert gate.acted == 2  # r1 and r2 reached the venue, r3 did not
        ids = {name: (await s.state(name))["client_order_id"] for name in ("r1", "r2", "r3")}
    # second run, same audit log: it takes up r2 and r3
    async with running(first, opener(httpx.ASGITransport(app=app))) as s:
        for name in ("r1", "r2", "r3"):
            await eventually(lambda name=name: _state_is(s, name, "placed"))  # type: ignore[misc]
        for name in ("r1", "r2", "r3"):
            again = await s.signal(name)
            assert again.status_code == 200 and again.json()["duplicate"] is True
        assert [e.kind for e in s.bridge.audit.events("tv", "r2")] == ["accepted", "resolved", "duplicate"]
        assert [e.kind for e in s.bridge.audit.events("tv", "r3")] == ["accepted", "placed", "duplicate"]
    for name, cid in ids.items():
        assert await on_venue(app, cid) == 1, name
    judge = kucoin(httpx.ASGITransport(app=app))
    assert len(await judge.fetch_open_orders(BTC)) == 3
    await judge.close()


async def test_an_order_filled_later_is_followed_to_its_fills(tmp_path: Path) -> None:
    app = sim_app(synthetic=False)  # an empty book: only the other account trades with us
    async with running(config(tmp_path), opener(httpx.ASGITransport(app=app))) as s:
        placed = await s.signal("later", size="0.002", price="30000")
        assert placed.json()["signal"]["state"] == "placed"
        other = connect(
            "kucoin", base_url=URL, transport=httpx.ASGITransport(app=app), environ=OTHER, rate_limit=False
        )
        await other.place_order(OrderRequest.limit(BTC, "sell", "0.0005", "30000"))
        state = await s.state("later")  # read back from the venue
        assert (state["state"], state["filled_size"]) == ("placed", "0.0005")
        assert s.bridge.audit.position(BTC) == Decimal("0.0005")
        await other.place_order(OrderRequest.limit(BTC, "sell", "0.0015", "30000"))
        await s.bridge.sync()  # (what the sync loop does every sync_interval_s)
        state = await s.state("later")
        assert (state["state"], state["filled_size"], state["filled_funds"]) == ("filled", "0.002", "60")
        assert (await s.get("/positions")).json()["positions"] == {BTC: "0.002"}
        assert [e.kind for e in s.bridge.audit.events("tv", "later")].count("fill") == 2
        await other.close()


async def test_an_order_landing_after_a_halt_that_cancels_is_cancelled(tmp_path: Path) -> None:
    app = sim_app()
    gate = Gate(httpx.ASGITransport(app=app), "after")
    async with running(config(tmp_path, bridge={"respond_within_s": 0.2}), opener(gate)) as s:
        assert (await s.signal("late")).status_code == 202  # on its way: the venue has it, we do not know yet
        halted = await s.halt(halt=True, cancel_open=True, reason="drill")
        assert halted.json()["cancelled"] == []  # nothing known to be open yet
        gate.released.set()
        state = await eventually(lambda: _state_if(s, "late", "cancelled"))
        assert state["order_id"]
        judge = kucoin(httpx.ASGITransport(app=app))
        assert await judge.fetch_open_orders(BTC) == []
        await judge.close()


async def _state_if(s: Any, signal_id: str, state: str) -> dict[str, Any] | None:
    found: dict[str, Any] = await s.state(signal_id)
    return found if found["state"] == state else None


async def test_a_signal_left_unsent_by_a_restart_is_dropped_once_too_old(tmp_path: Path) -> None:
    app = sim_app()
    gate = Gate(httpx.ASGITransport(app=app), "before")  # never reaches the venue
    first = config(tmp_path, bridge={"respond_within_s": 0.2})
    async with running(first, opener(gate)) as s:
        assert (await s.signal("old")).status_code == 202
    later = config(tmp_path, bridge={"max_signal_age_s": 0.001, "reconcile_delay_s": 0})
    async with running(later, opener(httpx.ASGITransport(app=app))) as s:
        state = await eventually(lambda: _state_if(s, "old", "rejected"))
        assert state["reason"].startswith("not on the venue; expired: not on the venue")
        assert await on_venue(app, state["client_order_id"]) == 0
    # too old was a passing reason: the sender's re-delivery is judged afresh, and placed once
    async with running(first, opener(httpx.ASGITransport(app=app))) as s:
        again = await s.signal("old")
        assert again.status_code == 200, again.text
        assert again.json()["signal"]["state"] == "placed"
        again = await s.signal("old")
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert await on_venue(app, state["client_order_id"]) == 1
