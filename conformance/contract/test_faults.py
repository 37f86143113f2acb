"""Faults: lost responses, resets, delays and gateway errors never lose or double an order."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from conformance.faults import Fault, FaultInjectingTransport
from conformance.helpers import client_id_for, limit_far, quote_for, require_trading, skip
from conformance.target import Target, resolve
from exchanges import DuplicateClientOrderId, NetworkError, Order, OrderRequest, Side

pytestmark = [pytest.mark.conformance_area("faults"), pytest.mark.asyncio(loop_scope="function")]

BATCH = 100  # below KuCoin's 200 active orders per symbol
RETRIES = 25


async def test_faulty_network_never_loses_or_doubles_an_order(conformance_target: Target) -> None:
    require_trading(conformance_target)
    if conformance_target.faulty is None:
        skip(
            conformance_target,
            conformance_target.skip_reasons.get("faults", "no HTTP transport to inject faults into"),
        )
    transports: list[FaultInjectingTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        transport = FaultInjectingTransport(inner, seed=20261124, rate=0.3, path_contains="order")
        transports.append(transport)
        return transport

    faulty, clean = await resolve(conformance_target.faulty, wrap)
    symbol = conformance_target.symbol
    try:
        market, ticker = await quote_for(clean, symbol)
        template = limit_far(market, ticker, Side.BUY)
        attempts = conformance_target.fault_attempts
        network_errors = 0
        for start in range(0, attempts, BATCH):
            placed: dict[str, Order] = {}
            for _ in range(min(BATCH, attempts - start)):
                cid = client_id_for(faulty, "fault")
                request = OrderRequest.limit(
                    symbol, Side.BUY, template.size, template.price, client_order_id=cid
                )
                for _try in range(RETRIES):  # what a careful bot does: retry with the same client id
                    try:
                        placed[cid] = await faulty.place_order(request)
                        break
                    except DuplicateClientOrderId:
                        placed[cid] = await clean.fetch_order(symbol, client_order_id=cid)
                        break
                    except NetworkError:
                        network_errors += 1
                else:
                    pytest.fail(f"{cid}: still failing after {RETRIES} tries")
            resting = Counter(o.client_order_id for o in await clean.fetch_open_orders(symbol))
            lost = [cid for cid in placed if resting[cid] == 0]
            doubled = {cid: n for cid, n in resting.items() if n > 1}
            strays = [cid for cid in resting if cid not in placed]
            assert not lost, f"orders lost: {lost[:5]}"
            assert not doubled, f"orders doubled: {list(doubled.items())[:5]}"
            assert not strays, f"orders nobody asked for: {strays[:5]}"
            for cid, order in placed.items():
                assert order.client_order_id == cid
            await clean.cancel_all_orders(symbol)
        injected = sum((t.injected for t in transports), Counter())
        harmful = sum(n for fault, n in injected.items() if fault not in (Fault.NONE, Fault.DELAY))
        assert harmful > attempts * 0.1, f"too few faults were injected to prove anything: {dict(injected)}"
    finally:
        await faulty.close()
        await clean.close()
