"""PaperExchange place-then-cancel through the ``Exchange`` protocol, against two references.

Each iteration awaits ``place_order`` (validation with ``exchanges.precision``, KuCoin's
checks, a hold on the balance with its ledger entry, the engine) and then ``cancel_order``
(release, ledger, done-order record), both returning ``exchanges.Order`` models. Requests
are built before timing.

References, measured in the same run:
- ``baseline``: two coroutines that only insert into and pop from a dict: the cost of the
  bare async calls.
- ``floor``: the least any paper exchange must do for the same calls, written flat: four
  ``Decimal`` checks, a hold and its release each with a ledger line, the same engine
  book, and an ``Order`` model built each way with the venue's fast builder. No client or
  order id rules, no routing, caps, fee rates or history. It shows how far above the
  interpreter's own cost the paper path is, and what a target for it can ask.

Each is timed as the best of three runs, with the median beside it (:mod:`bench.timing`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from decimal import Decimal

from bench.timing import repeat
from exchanges import (
    InvalidOrder,
    ManualClock,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from simulator import PaperExchange
from simulator.engine import Book, EngineOrder
from simulator.venue.builders import template_builder

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


_ZERO = Decimal(0)
_TICK = Decimal("0.1")
_LOT = Decimal("0.00000001")
_MIN_SIZE = Decimal("0.00001")
_MIN_FUNDS = Decimal("0.1")
_HOLD_RATE = Decimal("1.001")  # price x size plus the fee
_build_order = template_builder(Order, ("status", "filled_size", "filled_funds", "fee", "updated_at"))
# the Order fields after fee_currency that a plain GTC limit order never changes
_PLAIN = (TimeInForce.GTC, False, False, False, None, None, None, None, None, None, 0, None)


async def run_floor(reqs: list[OrderRequest]) -> float:
    book = Book()
    balance = {"total": Decimal(100_000_000), "hold": _ZERO}
    ledger: list[tuple[str, str, Decimal, Decimal]] = []
    held: dict[str, tuple[Decimal, tuple[object, ...]]] = {}  # id -> (hold, the Order's fixed fields)
    ids = itertools.count()

    async def place(req: OrderRequest) -> Order:
        price, size = req.price, req.size
        assert price is not None and size is not None
        if price % _TICK or size % _LOT or size < _MIN_SIZE:
            raise InvalidOrder("increment or minimum size")
        funds = price * size
        if funds < _MIN_FUNDS:
            raise InvalidOrder("minimum funds")
        need = funds * _HOLD_RATE
        if balance["total"] - balance["hold"] < need:
            raise InvalidOrder("balance")
        balance["hold"] += need
        oid = f"{next(ids):024x}"
        ledger.append((oid, "hold", need, balance["total"]))
        book.submit(EngineOrder(oid, 1, True, int(price / _TICK), int(size / _LOT)), 0)
        fixed = (oid, req.symbol, Side.BUY, OrderType.LIMIT, None, price, size, funds, "USDT", *_PLAIN)
        held[oid] = (need, fixed)
        return _build_order(fixed, OrderStatus.OPEN, _ZERO, _ZERO, _ZERO, 0)  # type: ignore[no-any-return]

    async def cancel(_symbol: str, order_id: str) -> Order:
        if book.cancel(order_id, 0) is None:
            raise InvalidOrder("not found")
        need, fixed = held.pop(order_id)
        balance["hold"] -= need
        ledger.append((order_id, "release", need, balance["total"]))
        return _build_order(fixed, OrderStatus.CANCELED, _ZERO, _ZERO, _ZERO, 0)  # type: ignore[no-any-return]

    start = time.perf_counter()
    for req in reqs:
        order = await place(req)
        await cancel(SYMBOL, order.id)
    elapsed = time.perf_counter() - start
    assert not held and book.resting_count == 0
    return elapsed


def main() -> None:
    reqs = requests(PAIRS)
    baseline = repeat(lambda: asyncio.run(run_baseline(reqs)))
    floor = repeat(lambda: asyncio.run(run_floor(reqs)))
    paper = repeat(lambda: asyncio.run(run_paper(reqs)))
    print(f"paper_pairs: {PAIRS} place+cancel")
    print(f"paper_runs: {len(paper.runs)} runs (best and median)")
    print(f"paper_throughput: {PAIRS / paper.best:.0f} orders/s")
    print(f"paper_throughput_median: {PAIRS / paper.median:.0f} orders/s")
    print(f"paper_latency: {paper.best / PAIRS * 1e6:.2f} us/place+cancel")
    print(f"floor_throughput: {PAIRS / floor.best:.0f} orders/s")
    print(f"paper_vs_floor: {paper.best / floor.best:.2f} x")
    print(f"baseline_throughput: {PAIRS / baseline.best:.0f} orders/s")
    print(f"paper_vs_baseline: {paper.best / baseline.best:.1f} x")


if __name__ == "__main__":
    main()
