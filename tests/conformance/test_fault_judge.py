"""The fault runs' judge: an unknown outcome must be resolvable by the client order id it
carries, and the judge says so when the exchange's lookup by that id disagrees with what the
venue holds; a rule broken for different causes names each."""

from __future__ import annotations

from collections import Counter

from conformance.fault_run import (
    DOUBLED_AFTER_LAG,
    DOUBLED_UNHIDDEN,
    RETRYABLE_AFTER_LOSS,
    RETRYABLE_ANSWERED,
    RETRYABLE_UNREADABLE,
    Judged,
    Seen,
    Tally,
    resolve_unknowns,
)
from exchanges import ExchangeError, Order, OrderOutcomeUnknown, OrderRequest
from simulator import PaperExchange

SYMBOL = "BTC/USDT"


def _unknown(cid: str) -> OrderOutcomeUnknown:
    return OrderOutcomeUnknown("lost", symbol=SYMBOL, client_order_id=cid)


async def _venue_with(cid: str) -> tuple[PaperExchange, Order]:
    paper = PaperExchange({"USDT": "100000"}, seed=3)
    order = await paper.place_order(OrderRequest.limit(SYMBOL, "buy", "0.001", "1000", client_order_id=cid))
    return paper, order


async def test_unknown_outcomes_that_the_lookup_resolves_as_the_venue_holds_them_pass() -> None:
    paper, order = await _venue_with("held")
    outcomes: dict[str, Order | ExchangeError] = {"held": _unknown("held"), "absent": _unknown("absent")}
    tally = Tally()
    await resolve_unknowns(paper, SYMBOL, outcomes, (), Judged(Counter(held=1), {"held": order}), tally)
    assert tally.misresolved == [] and tally.breaches() == []


async def test_a_lookup_that_disagrees_with_the_venue_is_a_breach() -> None:
    """The judge's reading of the venue says ``absent`` is held and ``held`` is not: a
    lookup by client order id that finds the opposite fails the run, naming both."""
    paper, order = await _venue_with("held")
    outcomes: dict[str, Order | ExchangeError] = {"held": _unknown("held"), "absent": _unknown("absent")}
    tally = Tally()
    wrong = Judged(Counter(absent=1), {"absent": order})
    await resolve_unknowns(paper, SYMBOL, outcomes, (), wrong, tally)
    assert sorted(tally.misresolved) == ["absent", "held"]
    (breach,) = tally.breaches()
    assert "does not find what the venue holds" in breach


def test_breaches_of_one_rule_with_different_causes_say_which() -> None:
    tally = Tally(doubled=["a", "b"], retryable_but_placed=["c", "d", "e"])
    seen = Seen(lost_answers=frozenset({"d", "e"}), hidden=frozenset({"a", "d"}))
    assert tally.breaches(seen) == [
        f"1 {DOUBLED_AFTER_LAG}: ['a']",
        f"1 {DOUBLED_UNHIDDEN}: ['b']",
        f"1 {RETRYABLE_ANSWERED}: ['c']",
        f"1 {RETRYABLE_UNREADABLE}: ['d']",
        f"1 {RETRYABLE_AFTER_LOSS}: ['e']",
    ]
