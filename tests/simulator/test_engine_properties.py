"""Random operation sequences on a bare book: its bookkeeping never drifts."""

from __future__ import annotations

import itertools
from typing import Any

import hypothesis.strategies as st
from hypothesis import given, settings

from simulator.engine import (
    FILLED,
    FLAG_FOK,
    FLAG_GTT,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_IOC,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    STOP_ENTRY,
    STOP_LOSS,
    Book,
    EngineOrder,
    Event,
    Matched,
)

FLAGS = [0, 0, 0, FLAG_IOC, FLAG_FOK, FLAG_POST_ONLY, FLAG_HIDDEN, FLAG_ICEBERG, FLAG_GTT, FLAG_MARKET]
op = st.one_of(
    st.tuples(
        st.just("submit"),
        st.sampled_from("abc"),
        st.booleans(),
        st.integers(95, 105),
        st.integers(1, 20),
        st.sampled_from(FLAGS),
        st.integers(0, 4),
        st.sampled_from([0, 0, 0, STOP_LOSS, STOP_ENTRY]),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 60)),
    st.tuples(st.just("reduce"), st.integers(0, 60), st.integers(1, 10)),
    st.tuples(st.just("amend"), st.integers(0, 60), st.integers(95, 105), st.integers(1, 20)),
    st.tuples(st.just("tick"), st.integers(1, 3000)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=80))
def test_random_operations_keep_the_book_consistent(ops: list[tuple[Any, ...]]) -> None:
    trades: list[Matched] = []

    def listen(event: Event) -> None:
        if isinstance(event, Matched):
            trades.append(event)

    book = Book(band_ppm=50_000, listener=listen)
    ids = itertools.count()
    placed: list[EngineOrder] = []
    now = 0
    for item in ops:
        kind = item[0]
        if kind == "submit":
            _, owner, is_buy, price, size, flags, stp, stop = item
            extra = {"visible": max(1, size // 3)} if flags == FLAG_ICEBERG else {}
            if flags == FLAG_GTT:
                extra["expire_at"] = now + 1000
            o = EngineOrder(
                next(ids),
                owner,
                bool(is_buy),
                0 if flags == FLAG_MARKET else price,
                size,
                flags,
                stp=int(stp),
                stop=int(stop),
                stop_price=price if stop else 0,
                **extra,
            )
            before = len(trades)
            book.submit(o, now)
            placed.append(o)
            mine = [t for t in trades[before:] if t.order is o]
            if flags == FLAG_FOK and not stop:
                assert o.filled in (0, o.size)
            if flags in (FLAG_IOC, FLAG_FOK, FLAG_MARKET) and not stop:
                assert o.status >= FILLED
            if flags == FLAG_POST_ONLY:
                assert all(t.taker_is_maker for t in mine)
        elif kind == "tick":
            now += int(item[1])
            book.expire(now)
        elif placed:
            target = placed[int(item[1]) % len(placed)]
            if kind == "cancel":
                book.cancel(target.id, now)
            elif kind == "reduce":
                book.reduce(target.id, int(item[2]), now)
            else:
                book.amend(target.id, now, price=int(item[2]), size=target.filled + int(item[3]))
        assert book.audit() == []
        bid, ask = book.best()
        assert bid is None or ask is None or bid < ask
        for o in placed:
            assert 0 <= o.filled <= o.size and o.remaining >= 0
            assert o.filled + o.remaining <= o.size
    assert sum(t.size for t in trades) * 2 == sum(o.filled for o in placed)
