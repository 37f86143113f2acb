"""Faults: whatever the network and the venue's replicas do, an order is placed once or not
at all, and the caller is never told otherwise.

Each test runs seeded placements of every order kind (single and batch) through a faulty
transport, as a careful bot places them (retryable errors retried with the same client order
id, unknown outcomes resolved by it), then reads the venue through a clean client and holds
every answer to what the venue holds. One test per fault family names the fault in its
failures; the last runs them all at once over ``Target.fault_attempts`` orders.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from conformance.fault_run import (
    KINDS,
    STOPS,
    Placements,
    Seen,
    Tally,
    clear,
    judge,
    place_carefully,
    record,
    resolve_unknowns,
)
from conformance.faults import Fault, FaultInjectingTransport
from conformance.helpers import quote_for, require_trading, skip
from conformance.target import Target, resolve
from exchanges import ExchangeError, Order

pytestmark = [pytest.mark.conformance_area("faults"), pytest.mark.asyncio(loop_scope="function")]

#: Placements between two readings of the venue (and a cancel-all): few enough that resting
#: orders stay under a venue's per-symbol cap.
CHUNK = 40
#: Lost answers: before the venue acted (refused) or after it (timeout, reset, 502, 503).
AFTER = (Fault.LOSE_RESPONSE, Fault.RESET_AFTER, Fault.BAD_GATEWAY, Fault.UNAVAILABLE)
LOST = (Fault.REFUSE, Fault.DELAY, *AFTER)
DONE_AT_ONCE = ("ioc", "fok", "market", "market_funds")
#: Orders that rest: a venue refuses a second order under the clientOid of an active one.
RESTING = ("rest", "post_only", "gtt", "hidden", "iceberg")


async def _run(
    target: Target,
    record_property: Any,
    seed: int,
    *,
    attempts: int,
    kinds: tuple[str, ...] | None = None,
    must_inject: tuple[Fault, ...] = (),
    needs_wire: bool = True,
    **options: Any,
) -> Tally:
    """``attempts`` orders placed through a transport built with ``options``; the run's
    tally, after asserting that no rule was broken."""
    require_trading(target)
    if target.faulty is None:
        skip(target, target.skip_reasons.get("faults", "no HTTP transport to inject faults into"))
    if needs_wire and target.fault_wire is None:
        skip(target, "no FaultWire for this target: its reads cannot be made to lag or fail")
    transports: list[FaultInjectingTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        transport = FaultInjectingTransport(
            inner, seed=seed + len(transports), wire=target.fault_wire, path_contains="order", **options
        )
        transports.append(transport)
        return transport

    faulty, clean = await resolve(target.faulty, wrap)
    symbol = target.symbol
    tally = Tally()
    asked: set[str] = set()
    try:
        market, ticker = await quote_for(clean, symbol)
        placements = Placements(faulty, market, ticker, seed, kinds or KINDS)
        if not placements.kinds:
            skip(target, f"the exchange takes none of the order kinds {', '.join(kinds or KINDS)}")
        sent = 0
        stops: set[str] = set()
        while sent < attempts:
            since = await clean.server_time()
            outcomes: dict[str, Order | ExchangeError] = {}
            while sent < attempts and len(outcomes) < CHUNK:
                requests = placements.next()
                asked.update(str(r.client_order_id) for r in requests)
                stops.update(str(r.client_order_id) for r in requests if r.is_stop)
                tally.kinds["batch" if len(requests) > 1 else "single"] += 1
                outcomes.update(await place_carefully(faulty, clean, requests, tally))
                sent += len(requests)
            venue = await judge(clean, symbol, since)
            record(tally, outcomes, venue, asked)
            await resolve_unknowns(clean, symbol, outcomes, stops, venue, tally)
            await clear(clean, symbol)
            placements.requote(await clean.fetch_ticker(symbol))
    finally:
        await faulty.close()
        await clean.close()
    injected = sum((t.injected for t in transports), Counter())
    record_property("fault_counts", tally.counts())
    record_property(
        "fault_summary", f"{sent} orders, seed {seed}: {tally.summary()}; injected {_named(injected)}"
    )
    record_property("fault_kinds", dict(placements.made))
    seen = Seen(
        lost_answers=frozenset().union(*(t.lost_answers for t in transports)),
        blacked_out=frozenset().union(*(t.blacked_out for t in transports)),
        hidden=frozenset().union(*(t.hidden for t in transports)),
    )
    breaches = tally.breaches(seen)
    assert not breaches, f"{target.name}: " + "; ".join(breaches) + f" ({tally.summary()}; seed {seed})"
    harmful = sum(n for fault, n in injected.items() if fault not in (Fault.NONE, Fault.DELAY))
    assert harmful > attempts * 0.1, f"too few faults were injected to prove anything: {_named(injected)}"
    for fault in must_inject:
        assert injected[fault] > 0, f"no {fault.value} fault was injected: {_named(injected)}"
    unplaced = [kind for kind in placements.kinds if not placements.made[kind]]
    assert not unplaced, f"order kinds the exchange offers that the run never placed: {unplaced}"
    return tally


def _named(injected: Counter[Fault]) -> str:
    return ", ".join(f"{fault.value} {n}" for fault, n in sorted(injected.items(), key=lambda i: i[0].value))


def _focused(target: Target) -> int:
    """Orders per focused test: a tenth of the long run, at least 200."""
    return max(200, target.fault_attempts // 10)


async def test_lost_answers_never_lose_or_double_an_order(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """Answers lost before or after the venue acted: placed once, or not at all and said so."""
    attempts = _focused(conformance_subject)
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=attempts,
        rate=0.3,
        faults=LOST,
        needs_wire=False,
    )


async def test_lagging_reads_never_double_an_order(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """After a lost answer, the read by client order id says "not found" up to three times
    for an order the venue holds: one such answer is no proof of absence."""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject),
        rate=0.4,
        faults=AFTER,
        lag_rate=0.7,
        max_lag=3,
        must_inject=(Fault.LAG,),
    )


async def test_reads_lagging_past_the_lookups_patience_leave_one_resting_order(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """Reads hide a resting order for five to eight lookups, longer than a reconcile that
    concludes absence from four not-found answers waits: the exchange resends, the venue
    refuses the resend's clientOid as a duplicate of an active order, and that refusal
    must end as the order (or an unknown outcome), never as two orders or a duplicate
    error. (An IOC, FOK or market order is done by then, and a venue that refuses
    duplicates only among active orders would take its resend: no client can be safe
    against a lag longer than its patience there.)"""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject) // 5,
        kinds=RESTING,
        rate=0.5,
        faults=AFTER,
        lag_rate=0.8,
        min_lag=5,
        max_lag=8,
        must_inject=(Fault.LAG,),
    )


async def test_orders_done_before_reconcile_asks_are_found(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """IOC, FOK and market orders are done by the time a lost answer is reconciled: a lookup
    that sees only open orders would place them again. (No read lags here: the lookups see
    the venue as it is.)"""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject),
        kinds=DONE_AT_ONCE,
        rate=0.5,
        faults=AFTER,
    )


async def test_lost_stop_placements_leave_one_stop_order_or_an_unknown_outcome(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """Stop orders (limit and market, triggers above and below the market) whose answers are
    lost, and whose lookups lag: each clientOid ends as one waiting stop order at the venue,
    none (refused), or an unknown outcome that its clientOid resolves."""
    tally = await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject) // 5,
        kinds=STOPS,
        rate=0.6,
        faults=AFTER,
        lag_rate=0.3,
        max_lag=3,
        blackout_rate=0.3,
        max_blackout=40,
    )
    assert tally.placed + tally.unknown > 0, "no stop order was placed: the run proved nothing"


async def test_failed_reads_after_placing_are_no_retryable_errors(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """The venue answered the placement, then the reads that follow (an order's fills, a
    reconcile query) time out: an order the venue holds is never reported with a
    retryable error, which would invite a second one."""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject),
        rate=0.2,
        faults=AFTER,
        read_failure_rate=0.5,
        must_inject=(Fault.READ_TIMEOUT,),
    )


async def test_unanswerable_reconciles_report_unknown_outcomes(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """Every read about an order whose answer was lost fails for a while: the outcome is
    unknown, reported as such (not retryable) with the client order id that resolves it."""
    tally = await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject),
        rate=0.4,
        faults=AFTER,
        blackout_rate=0.6,
        max_blackout=40,
        must_inject=(Fault.BLACKOUT,),
    )
    assert tally.unknown > 0, "no outcome was ever unknown: the black-outs proved nothing"


async def test_partly_applied_batches_keep_every_order(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """The venue applies the first orders of a batch, then the answer is lost (and some
    lookups fail): each order of the batch ends placed, refused or unknown on its own."""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=_focused(conformance_subject),
        kinds=("batch",),
        rate=0.5,
        faults=(Fault.PARTIAL_BATCH, Fault.LOSE_RESPONSE),
        read_failure_rate=0.15,
        blackout_rate=0.2,
        max_blackout=40,
        must_inject=(Fault.PARTIAL_BATCH,),
    )


async def test_every_fault_at_once_over_many_placements(
    conformance_subject: Target, record_property: Any, conformance_seed: int
) -> None:
    """All of the above, mixed, over ``Target.fault_attempts`` orders of every kind."""
    await _run(
        conformance_subject,
        record_property,
        conformance_seed,
        attempts=conformance_subject.fault_attempts,
        rate=0.3,
        lag_rate=0.3,
        max_lag=3,
        read_failure_rate=0.1,
        blackout_rate=0.1,
        max_blackout=40,
    )
