from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges import from_ms, ms_from_seconds, to_ms


def test_round_trip_known_value() -> None:
    dt = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert to_ms(dt) == 1704164645678
    assert from_ms(1704164645678) == dt


def test_other_zone_and_naive() -> None:
    east = datetime(2024, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert to_ms(east) == to_ms(datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        to_ms(datetime(2024, 1, 1))  # noqa: DTZ001 (the naive datetime is what is refused)


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_ms_round_trip(ms: int) -> None:
    assert to_ms(from_ms(ms)) == ms


def test_seconds_to_ms() -> None:
    assert ms_from_seconds(1.2345) == 1234
