"""Driving many placements through a faulty network as a careful bot does, and judging the
result against what the venue really holds.

The bot retries a retryable error with the same client order id, resolves an unknown
outcome by that id afterwards, and takes a refusal as final. The judge reads the venue
through a clean client (no faults) and holds every outcome to one rule: one order per
client order id, or none, and never an answer that disagrees with the venue.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence
from decimal import Decimal

import attrs

from exchanges import (
    BatchPlacing,
    DuplicateClientOrderId,
    Exchange,
    ExchangeError,
    Market,
    NetworkError,
    Order,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    Side,
    StopOrderBook,
    Ticker,
    TimeInForce,
    ceil_to_increment,
    floor_to_increment,
)

from .helpers import client_id_for, cross_price, far_price, min_size

__all__ = [
    "DOUBLED_AFTER_LAG",
    "DOUBLED_UNHIDDEN",
    "KINDS",
    "RETRYABLE_AFTER_LOSS",
    "RETRYABLE_ANSWERED",
    "RETRYABLE_UNREADABLE",
    "STOPS",
    "Judged",
    "Placements",
    "Seen",
    "Tally",
]

#: Stop orders, limit and market, in both directions (a trigger above the market is an entry,
#: one below it a loss), on either side.
STOPS = ("stop_limit", "stop_market")
#: Every order kind a faulty run mixes (each skipped where the venue's capabilities lack it).
KINDS = (
    "rest",
    "post_only",
    "gtt",
    "hidden",
    "iceberg",
    "ioc",
    "fok",
    "market",
    "market_funds",
    *STOPS,
    "unaffordable",
    "batch",
)
_HUGE = Decimal(10) ** 12
#: Retries of one placement after retryable errors before the run gives up on it.
RETRIES = 25


DOUBLED_AFTER_LAG = "orders placed twice under one client order id after a lagging read hid them"
DOUBLED_UNHIDDEN = "orders placed twice under one client order id though no read hid them"
RETRYABLE_ANSWERED = "retryable errors raised for placed orders whose placement the venue answered"
RETRYABLE_UNREADABLE = (
    "retryable errors (not unknown outcomes) raised for placed orders whose lost answers no lookup "
    "could read (failing or lagging reads)"
)
RETRYABLE_AFTER_LOSS = "retryable errors raised for placed orders whose lost answers lookups could read"


@attrs.frozen
class Seen:
    """What the faults did to orders, by client id (from :class:`~.faults.FaultInjectingTransport`)."""

    lost_answers: frozenset[str] = frozenset()
    blacked_out: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()


@attrs.define
class Tally:
    """What happened to every placement of a run, and every breach of the contract."""

    placed: int = 0
    refused: int = 0
    unknown: int = 0
    unknown_placed: int = 0
    retried: int = 0
    doubled: list[str] = attrs.field(factory=list)
    lost: list[str] = attrs.field(factory=list)
    strays: list[str] = attrs.field(factory=list)
    wrong: list[str] = attrs.field(factory=list)  # an answer naming another order
    retryable_but_placed: list[str] = attrs.field(factory=list)
    refused_but_placed: list[str] = attrs.field(factory=list)
    unresolvable: list[str] = attrs.field(factory=list)
    misresolved: list[str] = attrs.field(factory=list)  # its client order id finds otherwise
    duplicate_refusals: list[str] = attrs.field(factory=list)
    kinds: Counter[str] = attrs.field(factory=Counter)

    def counts(self) -> dict[str, int]:
        return {
            "placed": self.placed,
            "refused": self.refused,
            "unknown": self.unknown,
            "doubled": len(self.doubled),
            "lost": len(self.lost),
        }

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts().items())
        return (
            f"{counts} (unknown then found placed: {self.unknown_placed}; "
            f"retried after retryable errors: {self.retried})"
        )

    def breaches(self, seen: Seen | None = None) -> list[str]:
        """The contract's rules a run broke, each in words with a few client ids; what the
        faults ``seen`` did to each order tells apart breaches of one rule with different
        causes."""
        seen = seen or Seen()
        doubled_hidden = [cid for cid in self.doubled if cid in seen.hidden]
        answered = [cid for cid in self.retryable_but_placed if cid not in seen.lost_answers]
        unseen = seen.blacked_out | seen.hidden
        unreadable = [cid for cid in self.retryable_but_placed if cid not in answered and cid in unseen]
        after_loss = [cid for cid in self.retryable_but_placed if cid not in answered and cid not in unseen]
        rules = (
            (doubled_hidden, DOUBLED_AFTER_LAG),
            ([cid for cid in self.doubled if cid not in doubled_hidden], DOUBLED_UNHIDDEN),
            (self.lost, "placements reported placed that the venue does not hold"),
            (self.strays, "orders at the venue that no placement asked for"),
            (self.wrong, "placements answered with another order than the one asked for"),
            (answered, RETRYABLE_ANSWERED),
            (unreadable, RETRYABLE_UNREADABLE),
            (after_loss, RETRYABLE_AFTER_LOSS),
            (self.refused_but_placed, "refusals raised for orders the venue had placed"),
            (self.unresolvable, "unknown outcomes that do not carry the client order id to resolve them"),
            (
                self.misresolved,
                "unknown outcomes whose client order id, looked up, does not find what the venue holds",
            ),
            (self.duplicate_refusals, "fresh client order ids refused as duplicates"),
        )
        return [f"{len(ids)} {what}: {ids[:5]}" for ids, what in rules if ids]


@attrs.frozen
class Judged:
    """Orders at the venue by client order id, read through a clean client."""

    counts: Counter[str]
    orders: dict[str, Order]


class Placements:
    """Seeded placements of every kind on one symbol, sized near the minimum and alternating
    sides so that a long run neither drains the account nor rests too many orders."""

    def __init__(
        self,
        faulty: Exchange,
        market: Market,
        ticker: Ticker,
        seed: int,
        kinds: Sequence[str] = KINDS,
    ) -> None:
        self._faulty = faulty
        self._market = market
        self._ticker = ticker
        self._rng = random.Random(seed)
        self._kinds = [k for k in kinds if self._offered(k)]
        #: Placements made so far, by kind.
        self.made: Counter[str] = Counter()

    def requote(self, ticker: Ticker) -> None:
        """Price the next placements from a fresher ticker (the market moves during a run)."""
        self._ticker = ticker

    def _offered(self, kind: str) -> bool:
        caps = self._faulty.capabilities
        if kind == "batch":
            return isinstance(self._faulty, BatchPlacing)
        probe = self._request(kind, Side.BUY)
        return caps.missing(probe) is None

    @property
    def kinds(self) -> list[str]:
        return list(self._kinds)

    def _cid(self) -> str:
        return client_id_for(self._faulty, "flt")

    def _request(self, kind: str, side: Side) -> OrderRequest:
        m, t, cid = self._market, self._ticker, self._cid()
        if kind in ("rest", "post_only", "gtt", "hidden", "iceberg"):
            price = far_price(m, t, side, Decimal("0.05") + Decimal(self._rng.randint(0, 40)) / 1000)
            size = min_size(m, price) * (2 if kind == "iceberg" else 1)
            flags = _resting(kind, size)
            return OrderRequest.limit(m.symbol, side, size, price, client_order_id=cid, **flags)
        if kind in STOPS:
            return self._stop(kind, side, cid)
        if kind in ("ioc", "fok"):
            price = cross_price(m, t, side)
            tif = TimeInForce.IOC if kind == "ioc" else TimeInForce.FOK
            return OrderRequest.limit(
                m.symbol, side, min_size(m, price), price, time_in_force=tif, client_order_id=cid
            )
        if kind == "unaffordable":  # refused by the venue (no test account holds that much)
            price = far_price(m, t, Side.BUY)
            most = min(m.max_size or _HUGE, (m.max_funds or _HUGE) / price)
            size = floor_to_increment(most, m.size_increment)
            return OrderRequest.limit(m.symbol, Side.BUY, size, price, client_order_id=cid)
        reference = t.last or t.ask or t.bid or Decimal(1)
        if kind == "market_funds":
            least = max(m.min_funds or Decimal(0), min_size(m, reference) * reference)
            funds = ceil_to_increment(least, m.funds_increment)
            return OrderRequest.market(m.symbol, Side.BUY, funds=funds, client_order_id=cid)
        return OrderRequest.market(m.symbol, side, size=min_size(m, reference), client_order_id=cid)

    def _stop(self, kind: str, side: Side, cid: str) -> OrderRequest:
        """A stop order far from its trigger (it waits), the trigger above the market (an
        entry) or below it (a loss) at random, whatever the side."""
        m, t = self._market, self._ticker
        above = self._rng.random() < 0.5
        trigger = far_price(m, t, Side.SELL if above else Side.BUY)
        size = min_size(m, trigger)
        if kind == "stop_market":
            return OrderRequest.market(m.symbol, side, size=size, stop_price=trigger, client_order_id=cid)
        return OrderRequest.limit(m.symbol, side, size, trigger, stop_price=trigger, client_order_id=cid)

    def next(self) -> list[OrderRequest]:
        """One placement: a single order, or a batch of two to five limit orders."""
        kind = self._rng.choice(self._kinds)
        side = self._rng.choice((Side.BUY, Side.SELL))
        self.made[kind] += 1
        if kind != "batch":
            return [self._request(kind, side)]
        count = self._rng.randint(2, 5)
        return [self._request(self._rng.choice(("rest", "rest", "ioc")), side) for _ in range(count)]


def _resting(kind: str, size: Decimal) -> dict[str, object]:
    """The flags of a resting limit order of ``kind``."""
    if kind == "post_only":
        return {"post_only": True}
    if kind == "gtt":
        return {"time_in_force": TimeInForce.GTT, "cancel_after": 3600}
    if kind == "hidden":
        return {"hidden": True}
    if kind == "iceberg":
        return {"iceberg": True, "visible_size": size / 2}
    return {}


async def place_carefully(
    faulty: Exchange, clean: Exchange, requests: Sequence[OrderRequest], tally: Tally
) -> dict[str, Order | ExchangeError]:
    """Place ``requests`` (one, or a batch where ``faulty`` takes batches) as a careful bot:
    retry retryable errors with the same client order id, and check at once that the venue
    does not hold an order a retryable error was raised for. Each request's final outcome
    by its client order id."""
    pending = list(requests)
    outcome: dict[str, Order | ExchangeError] = {}
    for _ in range(RETRIES):
        results = await _send(faulty, pending)
        retry = []
        for request, result in zip(pending, results, strict=True):
            cid = str(request.client_order_id)
            if isinstance(result, NetworkError):
                if await holds(clean, request.symbol, cid):
                    tally.retryable_but_placed.append(cid)
                    outcome[cid] = result
                    continue
                tally.retried += 1
                retry.append(request)
                continue
            outcome[cid] = result
        pending = retry
        if not pending:
            return outcome
    raise AssertionError(
        f"still failing after {RETRIES} tries with retryable errors: {[r.client_order_id for r in pending]}"
    )


async def _send(faulty: Exchange, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
    if len(requests) > 1 and isinstance(faulty, BatchPlacing):
        return await faulty.place_orders(requests)
    out: list[Order | ExchangeError] = []
    for request in requests:
        try:
            out.append(await faulty.place_order(request))
        except ExchangeError as exc:
            out.append(exc)
    return out


async def holds(clean: Exchange, symbol: str, cid: str) -> bool:
    """Whether the venue holds an order with client id ``cid`` (open, waiting for its
    trigger, or done lately)."""
    if any(o.client_order_id == cid for o in await _waiting(clean, symbol)):
        return True
    return any(o.client_order_id == cid for o in await clean.fetch_closed_orders(symbol, limit=200))


async def _waiting(clean: Exchange, symbol: str) -> list[Order]:
    """Open orders, and untriggered stop orders where the venue keeps them apart."""
    orders = list(await clean.fetch_open_orders(symbol))
    if isinstance(clean, StopOrderBook):
        orders += await clean.fetch_stop_orders(symbol)
    return orders


async def clear(clean: Exchange, symbol: str) -> None:
    """Cancel every open order of ``symbol``, untriggered stop orders included."""
    await clean.cancel_all_orders(symbol)
    if isinstance(clean, StopOrderBook):
        await clean.cancel_stop_orders(symbol)


async def judge(clean: Exchange, symbol: str, since: int) -> Judged:
    """Every order of ``symbol`` the venue holds that was created from ``since`` (venue
    time) on, by client order id."""
    orders = await _waiting(clean, symbol)
    orders += await clean.fetch_closed_orders(symbol, start=max(since, 0))
    counts: Counter[str] = Counter()
    by_cid: dict[str, Order] = {}
    seen: set[str] = set()
    for order in orders:  # (orders of earlier runs on the same account may end in the window)
        if order.id in seen or order.client_order_id is None or order.created_at < since:
            continue
        seen.add(order.id)
        counts[order.client_order_id] += 1
        by_cid[order.client_order_id] = order
    return Judged(counts, by_cid)


def record(
    tally: Tally, outcomes: dict[str, Order | ExchangeError], venue: Judged, asked: Collection[str]
) -> None:
    """Hold each final outcome to what the venue holds; an order there that no placement
    of the run (``asked``) named is a stray."""
    for cid, result in outcomes.items():
        held = venue.counts.get(cid, 0)
        if held > 1:
            tally.doubled.append(cid)
        if isinstance(result, Order):
            tally.placed += 1
            if held == 0:
                tally.lost.append(cid)
            elif result.client_order_id != cid or result.id != venue.orders[cid].id:
                tally.wrong.append(cid)
        elif isinstance(result, OrderOutcomeUnknown):
            tally.unknown += 1
            if result.client_order_id != cid:
                tally.unresolvable.append(cid)
            elif held:
                tally.unknown_placed += 1
        elif isinstance(result, DuplicateClientOrderId):
            tally.duplicate_refusals.append(cid)
        elif isinstance(result, NetworkError):
            pass  # (checked against the venue when it was raised)
        else:
            tally.refused += 1
            if held:
                tally.refused_but_placed.append(cid)
    tally.strays += [cid for cid in venue.counts if cid not in asked and cid not in tally.strays]


async def resolve_unknowns(
    clean: Exchange,
    symbol: str,
    outcomes: dict[str, Order | ExchangeError],
    stops: Collection[str],
    venue: Judged,
    tally: Tally,
) -> None:
    """Resolve every unknown outcome as a bot would, by the client order id it carries
    (``stops``: the ids of stop orders, looked up among untriggered stops where the venue
    keeps them apart): the lookup must find the order if and only if the venue holds it,
    and find that order."""
    if not clean.capabilities.fetch_by_client_order_id:
        return
    for cid, result in outcomes.items():
        if not isinstance(result, OrderOutcomeUnknown) or result.client_order_id != cid:
            continue  # (one without its id is unresolvable, counted by ``record``)
        found = await _by_client_id(clean, symbol, cid, stop=cid in stops)
        held = venue.orders.get(cid)
        if (found.id if found is not None else None) != (held.id if held is not None else None):
            tally.misresolved.append(cid)


async def _by_client_id(clean: Exchange, symbol: str, cid: str, *, stop: bool) -> Order | None:
    try:
        if stop and isinstance(clean, StopOrderBook):
            return await clean.fetch_stop_order(symbol, client_order_id=cid)
        return await clean.fetch_order(symbol, client_order_id=cid)
    except OrderNotFound:
        return None
