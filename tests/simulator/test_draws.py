"""The synthetic market's normal draws: seeded, standard, and the same on any install."""

from __future__ import annotations

import statistics

from simulator.market.draws import Normals


def test_the_same_key_gives_the_same_draws_and_another_key_others() -> None:
    a, b, c = Normals("k"), Normals("k"), Normals("other")
    first = [a.next() for _ in range(10_000)]
    assert first == [b.next() for _ in range(10_000)]
    assert first != [c.next() for _ in range(10_000)]


def test_the_draws_are_standard_normal() -> None:
    normals = Normals("moments")
    draws = [normals.next() for _ in range(200_000)]
    assert abs(statistics.fmean(draws)) < 0.01
    assert abs(statistics.pstdev(draws) - 1) < 0.01
    inside = sum(1 for x in draws if abs(x) < 1.959964) / len(draws)
    assert abs(inside - 0.95) < 0.003
    assert max(map(abs, draws)) > 3.5, "the tails are there"
