"""The bridge over loopback HTTP with the paper exchange behind it: authentication, replays,
validation, limits, the kill switch, idempotency and the audit log."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from exchanges import OrderStatus
from simulator import PaperExchange
from simulator.venue.listing import SymbolSpec

from .conftest import SECRETS, config, headers, order, running

BTC = "BTC/USDT"


async def test_a_signal_becomes_one_order_on_the_venue(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.signal("s1", client_tag="voc7")
        assert response.status_code == 200, response.text
        signal = response.json()["signal"]
        assert signal["state"] == "placed" and response.json()["duplicate"] is False
        placed = await s.exchange.fetch_order(BTC, client_order_id=signal["client_order_id"])
        assert placed.id == signal["order_id"] and placed.status is OrderStatus.OPEN
        assert (placed.side, placed.price, placed.size, placed.remark) == (
            "buy",
            Decimal(30000),
            Decimal("0.001"),
            "voc7",
        )
        assert (await s.state("s1"))["state"] == "placed"
        assert await s.orders_on_venue(signal["client_order_id"]) == 1


async def test_a_redelivered_signal_gets_its_state_and_is_placed_once(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        first = await s.signal("s1")
        # the sender retries (new timestamp, new signature), and writes the JSON differently
        again = await s.post("/signal", {**order("s1"), "price": 30000, "size": "0.0010"})
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert again.json()["signal"]["order_id"] == first.json()["signal"]["order_id"]
        assert await s.orders_on_venue(first.json()["signal"]["client_order_id"]) == 1
        assert len(await s.exchange.fetch_open_orders(BTC)) == 1


async def test_a_signal_id_reused_for_another_signal_is_refused(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        await s.signal("s1")
        other = await s.signal("s1", price="31000")
        assert other.status_code == 409 and other.json()["error"]["code"] == "signal_id_reused"
        assert other.json()["error"]["field"] == "signal_id"
        assert len(await s.exchange.fetch_open_orders(BTC)) == 1


async def test_two_sources_may_use_one_signal_id(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        a = (await s.signal("same", "tv")).json()["signal"]
        b = (await s.signal("same", "voc")).json()["signal"]
        assert a["state"] == b["state"] == "placed" and a["client_order_id"] != b["client_order_id"]


async def test_a_signature_over_another_body_is_refused(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        signed = headers("tv", json.dumps(order("s1")).encode())
        tampered = json.dumps(order("s1", size="0.002")).encode()
        response = await s.client.post("/signal", content=tampered, headers=signed)
        assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize(
    ("drop", "code"),
    [("X-Signal-Source", "unauthenticated"), ("X-Signal-Signature", "unauthenticated")],
)
async def test_missing_headers_and_unknown_sources(tmp_path: Path, drop: str, code: str) -> None:
    async with running(config(tmp_path)) as s:
        payload = json.dumps(order("s1")).encode()
        signed = {k: v for k, v in headers("tv", payload).items() if k != drop}
        response = await s.client.post("/signal", content=payload, headers=signed)
        assert response.status_code == 401 and response.json()["error"]["code"] == code
        stranger = {**headers("tv", payload), "X-Signal-Source": "stranger"}
        response = await s.client.post("/signal", content=payload, headers=stranger)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unknown_source"


async def test_a_source_cap_lower_than_the_bridge_cap(tmp_path: Path) -> None:
    sources = [
        {"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": [BTC], "max_order_notional": "50"},
    ]
    async with running(config(tmp_path, sources=sources)) as s:
        response = await s.signal("s1", size="0.002")  # 60 USDT
        assert (
            response.status_code == 422 and "cap of 50 USDT per order" in response.json()["error"]["message"]
        )


async def test_daily_caps_in_total_and_per_source(tmp_path: Path) -> None:
    limits = {"max_daily_notional": "100", "max_open_orders": 10}
    sources = [
        {"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": [BTC], "max_daily_notional": "60"},
        {"name": "voc", "secret_env": "SIGNALS_SECRET_VOC", "pairs": [BTC]},
    ]
    async with running(config(tmp_path, limits=limits, sources=sources)) as s:
        assert (await s.signal("a", "tv")).status_code == 200  # 30
        assert (await s.signal("b", "tv")).status_code == 200  # 60 for tv
        refused = await s.signal("c", "tv")
        assert refused.status_code == 422
        assert (
            "source tv's total today to 90 USDT, over its daily cap of 60 USDT"
            in refused.json()["error"]["message"]
        )
        assert (await s.signal("d", "voc")).status_code == 200  # 90 in all
        refused = await s.signal("e", "voc")
        assert (
            "today's total to 120 USDT, over the daily cap of 100 USDT" in refused.json()["error"]["message"]
        )
        assert len(await s.exchange.fetch_open_orders(BTC)) == 3


async def test_the_daily_caps_count_what_is_committed_and_release_what_was_cancelled(tmp_path: Path) -> None:
    limits = {"max_daily_notional": "100", "max_open_orders": 10}
    async with running(config(tmp_path, limits=limits)) as s:
        assert (await s.signal("a")).status_code == 200  # 30, resting
        assert (await s.signal("b")).status_code == 200  # 60
        assert (await s.get("/positions")).json()["spent_today"] == "60"
        order_b = (await s.state("b"))["client_order_id"]
        await s.exchange.cancel_order(BTC, client_order_id=order_b)  # (cancelled on the venue)
        await s.bridge.sync()
        assert (await s.state("b"))["state"] == "cancelled"
        assert (await s.get("/positions")).json()["spent_today"] == "30"  # its unfilled 30 released
        assert (await s.signal("c", price="35000", size="0.002")).status_code == 200  # 30 + 70
        refused = await s.signal("d")
        assert refused.status_code == 422
        message = refused.json()["error"]["message"]
        assert "today's total to 130 USDT, over the daily cap of 100 USDT" in message


async def test_a_market_order_is_valued_with_a_margin_over_the_price_it_would_take(tmp_path: Path) -> None:
    venue = {"venue": "paper", "balances": {"USDT": "10000"}, "realtime": False}  # (a book that stays put)
    async with running(config(tmp_path, venue=venue, limits={"max_order_notional": "1000"})) as s:
        ask = (await s.exchange.fetch_ticker(BTC)).ask
        assert ask is not None
        size = Decimal("0.001")
        accepted = await s.signal("m1", type="market", price=None, size=str(size))
        assert accepted.status_code == 200, accepted.text
        assert Decimal(accepted.json()["signal"]["notional"]) == ask * size * Decimal("1.05")
    cap = ask * size * Decimal("1.02")  # over what the ask alone says, under the margin
    limits = {"max_order_notional": str(cap.quantize(Decimal("0.01")))}
    async with running(config(tmp_path / "b", venue=venue, limits=limits)) as s:
        refused = await s.signal("m2", type="market", price=None, size=str(size))
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "risk_limit"
        assert "per order" in refused.json()["error"]["message"]


async def test_max_open_orders(tmp_path: Path) -> None:
    async with running(config(tmp_path, limits={"max_open_orders": 2})) as s:
        assert [(await s.signal(f"o{i}")).status_code for i in range(3)] == [200, 200, 422]
        assert (await s.state("o2"))["reason"] == "2 orders are open: the cap is 2"


async def test_position_cap_counts_fills_and_resting_orders(tmp_path: Path) -> None:
    limits = {"max_order_notional": "1000", "max_daily_notional": "10000", "max_position": {BTC: "0.004"}}
    sources = [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": [BTC]}]
    async with running(config(tmp_path, limits=limits, sources=sources)) as s:
        bought = await s.signal("m1", type="market", price=None, size="0.003")
        assert bought.status_code == 200 and bought.json()["signal"]["state"] == "filled"
        positions = (await s.get("/positions")).json()
        assert positions["positions"] == {BTC: "0.003"}  # from the fill
        assert s.bridge.audit.position(BTC) == Decimal("0.003")
        # 0.003 held + 0.002 more would be 0.005: over 0.004
        refused = await s.signal("l1", size="0.002")
        assert refused.status_code == 422
        assert refused.json()["error"]["message"] == (
            "position on BTC/USDT is 0.003 from fills; with open orders and this one it could "
            "reach 0.005, over the cap of 0.004"
        )
        assert (await s.signal("l2", size="0.001")).status_code == 200  # rests: 0.004 at worst
        assert (await s.signal("l3", size="0.00001")).status_code == 422  # the resting buy counts
        selling = await s.signal("x1", side="sell", type="market", price=None, size="0.002")
        assert selling.json()["signal"]["state"] == "filled"
        assert s.bridge.audit.position(BTC) == Decimal("0.001")
        assert (await s.signal("l4", size="0.002")).status_code == 200


async def test_the_venue_spelling_of_a_symbol_is_accepted(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.signal("v1", symbol="BTC-USDT")
        assert response.status_code == 200 and response.json()["signal"]["symbol"] == BTC


async def test_increments_round_on_the_safe_side_or_refuse(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.signal("r1", price="30000.07", size="0.0010000099")
        placed = response.json()["signal"]["order"]
        assert (Decimal(placed["price"]), Decimal(placed["size"])) == (Decimal("30000.0"), Decimal("0.001"))
        sell = await s.signal("r2", side="sell", price="90000.01", size="0.0001")
        assert Decimal(sell.json()["signal"]["order"]["price"]) == Decimal("90000.1")  # a sell rounds up
    async with running(config(tmp_path / "b", bridge={"precision": "refuse"})) as s:
        response = await s.signal("r1", price="30000.07")
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "invalid_order",
            "message": "price 30000.07 is not a multiple of the increment 0.1",
            "field": "price",
        }
        small = await s.signal("r3", size="0.000001")
        assert small.json()["error"]["message"] == "size 0.000001 is below the minimum 0.00001"


async def test_a_binance_flavoured_venue_takes_binances_spelling_of_a_symbol(tmp_path: Path) -> None:
    venue = {"venue": "paper", "dialect": "binance", "balances": {"USDT": "10000"}}
    async with running(config(tmp_path, venue=venue)) as s:
        placed = await s.signal("b1", symbol="BTCUSDT")
        assert placed.status_code == 200, placed.text
        signal = placed.json()["signal"]
        assert (signal["state"], signal["symbol"], signal["order"]["symbol"]) == ("placed", BTC, BTC)
        assert await s.orders_on_venue(signal["client_order_id"]) == 1
        unified = await s.signal("b2", symbol=BTC)
        assert unified.status_code == 200 and unified.json()["signal"]["state"] == "placed"
        off_list = await s.signal("b3", symbol="ETHUSDT", price="1000", size="0.01")
        assert off_list.status_code == 403 and off_list.json()["signal"]["symbol"] == "ETH/USDT"
        over = await s.signal("b4", symbol="BTCUSDT", size="0.004")
        assert over.status_code == 422 and over.json()["error"]["code"] == "risk_limit"


NEW = SymbolSpec(
    symbol="NEW-USDT",
    base_currency="NEW",
    quote_currency="USDT",
    base_increment="0.01",
    quote_increment="0.01",
    price_increment="0.01",
    base_min_size="0.01",
    quote_min_size="0.1",
    initial_price="10",
)


@pytest.mark.parametrize(("refresh_s", "listed"), [(0, True), (3600, False)])
async def test_a_pair_listed_since_the_start_is_found_on_an_unknown_pair(
    tmp_path: Path, refresh_s: int, listed: bool
) -> None:
    sources = [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": [BTC, "NEW/USDT"]}]
    limits = {"max_position": {BTC: "0.01", "NEW/USDT": "10"}}
    bridge = {"markets_refresh_s": refresh_s}
    async with running(config(tmp_path, sources=sources, limits=limits, bridge=bridge)) as s:
        before = await s.signal("n1", symbol="NEW/USDT", price="10", size="1")
        assert before.status_code == 422 and before.json()["error"]["code"] == "unknown_pair"
        assert isinstance(s.exchange, PaperExchange)
        s.exchange.sim.add_symbol(NEW)  # listed on the venue while the bridge runs
        after = await s.signal("n2", symbol="NEW/USDT", price="10", size="1")
        if listed:  # (reloaded: markets_refresh_s has passed since the last load)
            assert after.status_code == 200 and after.json()["signal"]["state"] == "placed", after.text
        else:  # (loaded too recently to reload for it)
            assert after.status_code == 422 and after.json()["error"]["code"] == "unknown_pair"


async def test_a_limit_order_by_funds_buys_what_the_funds_buy(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.signal("f1", size=None, funds="45")
        assert response.status_code == 200
        assert Decimal(response.json()["signal"]["order"]["size"]) == Decimal("0.0015")


async def test_a_venue_refusal_comes_back_as_json_with_the_venue_code(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.signal("sell", side="sell", price="90000", size="0.001")  # no BTC to sell
        assert response.status_code == 422
        signal = response.json()["signal"]
        assert signal["state"] == "rejected"
        assert signal["venue_error"] == {
            "venue": "paper",
            "code": "200004",
            "message": "Balance insufficient!",
            "type": "InsufficientFunds",
            "retryable": False,
        }
        assert signal["reason"] == "the venue refused the order: [paper 200004] Balance insufficient!"


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({**order("x"), "price": "abc"}, 422, "price", "price: not a decimal number: 'abc'"),
        ({**order("x"), "price": -5}, 422, "price", "price: must be positive, got -5"),
        ({**order("x"), "price": True}, 422, "price", "price: expected an amount"),
        ({**order("x"), "size": [1]}, 422, "size", "size: expected an amount"),
        ({**order("x"), "side": "long"}, 422, "side", "side: expected one of buy, sell, got 'long'"),
        ({**order("x"), "type": 7}, 422, "type", "type: expected one of limit, market, got a number"),
        ({**order("x"), "prize": "1"}, 422, "prize", "prize: unknown field"),
        ({**order("x"), "signal_id": "a b"}, 422, "signal_id", "signal_id: 1-64 letters"),
        ({**order("x"), "source": "voc"}, 422, "source", "source: differs from the X-Signal-Source header"),
        ({**order("x"), "funds": "10"}, 422, "funds", "funds: give size or funds, not both"),
        (
            {**order("x"), "time_in_force": "GTT"},
            422,
            "time_in_force",
            "time_in_force: expected one of GTC, IOC, FOK",
        ),
        ({**order("x", type="market")}, 422, "price", "price: a market order takes no price"),
        (
            {k: v for k, v in order("x").items() if k != "price"},
            422,
            "price",
            "price: required for a limit order",
        ),
        ({k: v for k, v in order("x").items() if k != "symbol"}, 422, "symbol", "symbol: required"),
        ({**order("x"), "price": "1e999"}, 422, "price", "price: amount out of range"),
        ([1, 2], 400, None, "the body must be a JSON object, not an array"),
    ],
)
async def test_a_malformed_signal_gets_a_clear_error_naming_the_field(
    tmp_path: Path, body: Any, status: int, field: str | None, message: str
) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.post("/signal", body)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error.get("field") == field and error["message"].startswith(message), error


async def test_http_misuse_gets_json_never_a_500(tmp_path: Path) -> None:
    async with running(config(tmp_path, bridge={"max_body_bytes": 1024})) as s:
        big = json.dumps({**order("x"), "client_tag": "a" * 5000}).encode()
        assert (await s.client.post("/signal", content=big, headers=headers("tv", big))).status_code == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read, and cut off at the limit
            for _ in range(3):
                yield b"x" * 600

        response = await s.client.post("/signal", content=chunks(), headers=headers("tv", b""))
        assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
        payload = json.dumps(order("x")).encode()
        plain = {**headers("tv", payload), "Content-Type": "text/plain"}
        assert (await s.client.post("/signal", content=payload, headers=plain)).status_code == 415
        assert (await s.client.post("/signal", content=b"{", headers=headers("tv", b"{"))).status_code == 400
        assert (await s.client.get("/nowhere")).json()["error"]["code"] == "not_found"
        response = await s.client.get("/signal")
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        assert (await s.client.request("BREW", "/signal")).status_code in (400, 405)
        assert (await s.client.get("/health")).json()["status"] == "ok"


async def test_a_body_that_is_not_json_is_audited(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        response = await s.post("/signal", b"{not json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_json"
        [event] = s.bridge.audit.events()
        assert (event.kind, event.source, event.data["status"]) == ("refused", "tv", 400)
        assert event.data["bytes"] == 9 and event.data["error"]["code"] == "bad_json"


async def test_a_symbol_refused_is_echoed_in_unified_form(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        off_list = await s.signal("o1", symbol="ETH-USDT", price="1000", size="0.01")
        assert off_list.status_code == 403 and off_list.json()["signal"]["symbol"] == "ETH/USDT"
        unknown = await s.signal("o2", symbol="DOGE-USDT")
        assert unknown.status_code == 422 and unknown.json()["signal"]["symbol"] == "DOGE/USDT"
        odd = await s.signal("o3", symbol="NOTAPAIR")
        assert odd.status_code == 422 and odd.json()["signal"]["symbol"] == "NOTAPAIR"  # (as sent)


async def test_a_source_over_its_rate_is_told_when_to_come_back(tmp_path: Path) -> None:
    sources = [
        {
            "name": "tv",
            "secret_env": "SIGNALS_SECRET_TV",
            "pairs": [BTC],
            "rate_limit": 3,
            "rate_window_s": 60,
        }
    ]
    async with running(config(tmp_path, sources=sources)) as s:
        statuses = [(await s.signal(f"r{i}")).status_code for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        [event] = [e for e in s.bridge.audit.events() if e.kind == "refused"]
        assert (event.source, event.data["status"], event.data["error"]["code"]) == (
            "tv",
            429,
            "rate_limited",
        )
        limited = await s.signal("r9")
        assert (
            limited.json()["error"]["code"] == "rate_limited"
            and 1 <= int(limited.headers["retry-after"]) <= 60
        )


async def test_the_kill_switch_stops_new_orders_and_cancels_open_ones(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        placed = [(await s.signal(f"k{i}")).json()["signal"] for i in range(2)]
        assert (await s.halt("tv", halt=True)).status_code == 403  # tv may not halt
        unsigned = await s.client.post(
            "/halt", content=b'{"halt": true}', headers={"Content-Type": "application/json"}
        )
        assert unsigned.status_code == 401
        halted = await s.halt(halt=True, cancel_open=True, reason="drill")
        assert halted.status_code == 200
        assert halted.json() == {
            "halted": True,
            "cancelled": [
                {"source": "tv", "signal_id": "k0", "state": "cancelled"},
                {"source": "tv", "signal_id": "k1", "state": "cancelled"},
            ],
            "failed": [],
        }
        for signal in placed:
            venue = await s.exchange.fetch_order(BTC, client_order_id=signal["client_order_id"])
            assert venue.status is OrderStatus.CANCELED
        refused = await s.signal("k2")
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "halted"
        assert (await s.get("/positions")).json()["halted"] is True
        assert (await s.halt(halt=False)).json() == {"halted": False}
        assert (await s.signal("k3")).status_code == 200
        assert (await s.halt(halt="yes")).json()["error"]["field"] == "halt"


async def test_a_signal_refused_while_halted_is_judged_afresh_after_the_resume(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        assert (await s.halt(halt=True)).status_code == 200
        refused = await s.signal("h1")
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "halted"
        again = await s.signal("h1")  # still halted: the same answer, still not final
        assert again.status_code == 503 and again.json()["error"]["code"] == "halted"
        assert (await s.halt(halt=False)).json() == {"halted": False}
        resumed = await s.signal("h1")
        assert resumed.status_code == 200, resumed.text
        assert resumed.json()["signal"]["state"] == "placed"
        assert await s.orders_on_venue(resumed.json()["signal"]["client_order_id"]) == 1
        kinds = [e.kind for e in s.bridge.audit.events("tv", "h1")]
        assert kinds == ["refused", "refused", "accepted", "placed"]


async def test_a_halt_survives_a_restart(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        assert (await s.halt(halt=True)).status_code == 200
    async with running(config(tmp_path)) as s:
        assert (await s.signal("after")).status_code == 503
        assert (await s.client.get("/health")).json()["halted"] is True


async def test_the_audit_log_holds_every_step_survives_restarts_and_cannot_be_rewritten(
    tmp_path: Path,
) -> None:
    async with running(config(tmp_path)) as s:
        await s.signal("a1", type="market", price=None, size="0.001")
        await s.signal("a2", size="1")  # refused by the limits
        events = [(e.kind, e.signal_id) for e in s.bridge.audit.events()]
        assert events[:2] == [("accepted", "a1"), ("placed", "a1")]
        assert ("fill", "a1") in events and ("rejected", "a2") in events
        accepted = s.bridge.audit.events("tv", "a1")[0].data
        assert accepted["body"] == order("a1", type="market", price=None, size="0.001")
        assert accepted["order"]["client_order_id"] == (await s.state("a1"))["client_order_id"]
    database = tmp_path / "audit.db"
    with sqlite3.connect(database) as db:
        for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "DELETE FROM fills"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
    async with running(config(tmp_path)) as s:
        assert (await s.state("a1"))["state"] == "filled"
        assert (await s.signal("a1", type="market", price=None, size="0.001")).json()["duplicate"] is True
        assert s.bridge.audit.position(BTC) > 0


async def test_secrets_never_reach_logs_responses_or_the_audit_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with running(config(tmp_path)) as s:
        for response in (
            await s.signal("s1"),
            await s.post("/signal", order("s2"), secret="wrong-wrong-wrong-wrong"),
            await s.post("/signal", order("s3"), stamp=1),
            await s.signal("s4", size="9"),
            await s.halt(halt=True),
            await s.get("/signals/s1"),
        ):
            texts.append(response.text + str(response.headers))
    texts += [r.getMessage() for r in caplog.records]
    texts.append((tmp_path / "audit.db").read_bytes().decode("latin-1"))
    for secret in SECRETS.values():
        assert not any(secret in text for text in texts)


async def test_deliveries_of_one_signal_at_once_place_it_once(tmp_path: Path) -> None:
    async with running(config(tmp_path)) as s:
        # (each spelt its own way, so that no two share a signature: they are re-deliveries, not replays)
        sizes = ["0.001", "0.0010", "0.00100", "0.001000", "0.0010000"]
        answers = await asyncio.gather(*(s.signal("twin", type="market", price=None, size=z) for z in sizes))
        assert sorted(a.status_code for a in answers) == [200] * 5
        assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True, True, True]
        assert len(await s.exchange.fetch_closed_orders(BTC)) == 1
