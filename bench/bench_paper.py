"""PaperExchange place-then-cancel through the ``Exchange`` protocol, against a baseline.

Each iteration awaits ``place_order`` (validation with ``exchanges.precision``, KuCoin's
checks, a hold on the balance with its ledger entry, the engine) and then ``cancel_order``
(release, ledger, done-order record), both returning ``exchanges.Order`` models. Requests
are built before timing. The baseline awaits two coroutines that only insert into and pop
from a dict, so the ratio shows the simulator's cost over bare async calls.
"""

from __future__ import annotations

import asyncio
import gc
import time
from decimal import Decimal

from exchanges import ManualClock, OrderRequest
from simulator import PaperExchange

PAIRS = 100_000
SYMBOL = "BTC/USDT"


def requests(n: int) -> list[OrderRequest]:
    prices = [Decimal(50_000) + Decimal(i % 500) / 10 for i in range(500)]
    return [OrderRequest.limit(SYMBOL, "buy", "0.001", prices[i % 500]) for i in range(n)]


async def run_paper(reqs: list[OrderRequest]) -> float:
    ex = PaperExchange({"USDT": "100000000"}, clock=ManualClock(), synthetic=False)
    place, cancel = ex.place_order, ex.cancel_order
    start = time.perf_counter()
    for req in reqs:
        order = await place(req)
        await cancel(SYMBOL, order_id=order.id)
    elapsed = time.perf_counter() - start
    assert not await ex.fetch_open_orders()
    return elapsed


async def run_baseline(reqs: list[OrderRequest]) -> float:
    book: dict[int, OrderRequest] = {}

    async def place(i: int, req: OrderRequest) -> int:
        book[i] = req
        return i

    async def cancel(i: int) -> OrderRequest:
        return book.pop(i)

    start = time.perf_counter()
    for i, req in enumerate(reqs):
        await cancel(await place(i, req))
    return time.perf_counter() - start


def main() -> None:
    reqs = requests(PAIRS)
    gc.collect()
    baseline = asyncio.run(run_baseline(reqs))
    gc.collect()
    elapsed = asyncio.run(run_paper(reqs))
    print(f"paper_pairs: {PAIRS} place+cancel")
    print(f"paper_throughput: {PAIRS / elapsed:.0f} orders/s")
    print(f"paper_latency: {elapsed / PAIRS * 1e6:.2f} us/place+cancel")
    print(f"baseline_throughput: {PAIRS / baseline:.0f} orders/s")
    print(f"paper_vs_baseline: {elapsed / baseline:.1f} x")


if __name__ == "__main__":
    main()
