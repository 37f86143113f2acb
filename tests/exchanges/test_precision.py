from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges import (
    AboveMaximumSize,
    BadRequest,
    BelowMinimumFunds,
    BelowMinimumSize,
    InvalidPrecision,
    Market,
    OrderRequest,
    Side,
    ceil_to_increment,
    conform_order,
    floor_to_increment,
    is_multiple,
    round_to_increment,
    validate_order,
)

BTC = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    id="BTC-USDT",
    price_increment="0.1",
    size_increment="0.00001",
    funds_increment="0.000001",
    min_size="0.00001",
    max_size="10000",
    min_funds="0.1",
    max_funds="99999999",
)


def test_rounding_uses_the_increment_not_digits() -> None:
    assert floor_to_increment(Decimal("12.37"), Decimal("0.25")) == Decimal("12.25")
    assert ceil_to_increment(Decimal("12.26"), Decimal("0.25")) == Decimal("12.50")
    assert round_to_increment(Decimal("12.37"), Decimal("0.25")) == Decimal("12.25")
    assert str(round_to_increment(Decimal("12.3"), Decimal("0.01"))) == "12.30"
    assert floor_to_increment(Decimal("1234"), Decimal("5")) == Decimal("1230")
    assert is_multiple(Decimal("0.3"), Decimal("0.1")) and not is_multiple(Decimal("0.35"), Decimal("0.1"))


def test_rounding_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="increment"):
        floor_to_increment(Decimal(1), Decimal(0))
    with pytest.raises(ValueError, match="negative"):
        floor_to_increment(Decimal(-1), Decimal("0.1"))


positive = st.decimals(min_value=Decimal(0), max_value=Decimal(10) ** 9, allow_nan=False, places=9)
increments = st.sampled_from([Decimal(s) for s in ("0.1", "0.25", "0.00001", "5", "0.000001", "1", "0.5")])


@given(positive, increments, st.sampled_from([ROUND_FLOOR, ROUND_CEILING, ROUND_HALF_EVEN]))
def test_rounding_stays_within_one_increment_and_non_negative(
    value: Decimal, increment: Decimal, mode: str
) -> None:
    out = round_to_increment(value, increment, mode)
    assert out >= 0
    assert is_multiple(out, increment)
    assert abs(out - value) < increment
    if mode == ROUND_FLOOR:
        assert out <= value
    if mode == ROUND_CEILING:
        assert out >= value


def test_validate_names_rule_and_values() -> None:
    validate_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "30000.1"), BTC)
    with pytest.raises(InvalidPrecision) as price:
        validate_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "30000.15"), BTC)
    assert (price.value.field, price.value.value, price.value.increment) == (
        "price",
        Decimal("30000.15"),
        Decimal("0.1"),
    )
    with pytest.raises(InvalidPrecision, match="size"):
        validate_order(OrderRequest.limit("BTC/USDT", "buy", "0.000015", "30000"), BTC)
    strict = attrs.evolve(BTC, min_size=Decimal("0.0001"))
    with pytest.raises(BelowMinimumSize) as low:
        validate_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "30000"), strict)
    assert low.value.limit == Decimal("0.0001")
    with pytest.raises(AboveMaximumSize):
        validate_order(OrderRequest.limit("BTC/USDT", "buy", "10001", "1"), BTC)
    with pytest.raises(BelowMinimumFunds) as funds:
        validate_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "100"), BTC)
    assert funds.value.value == Decimal("0.00100") and funds.value.limit == Decimal("0.1")
    with pytest.raises(InvalidPrecision, match="funds"):
        validate_order(OrderRequest.market("BTC/USDT", "buy", funds="1.0000001"), BTC)
    with pytest.raises(BadRequest, match="market is"):
        validate_order(OrderRequest.limit("ETH/USDT", "buy", "1", "1"), BTC)


def test_conform_rounds_on_the_safe_side() -> None:
    buy = conform_order(OrderRequest.limit("BTC/USDT", Side.BUY, "0.123456", "30000.19"), BTC)
    assert buy.price == Decimal("30000.1") and buy.size == Decimal("0.12345")
    sell = conform_order(OrderRequest.limit("BTC/USDT", Side.SELL, "0.123456", "30000.11"), BTC)
    assert sell.price == Decimal("30000.2")
    funds = conform_order(OrderRequest.market("BTC/USDT", "buy", funds="10.1234567"), BTC)
    assert funds.funds == Decimal("10.123456")
    with pytest.raises(BelowMinimumSize, match="rounds to zero"):
        conform_order(OrderRequest.limit("BTC/USDT", Side.BUY, "0.000001", "30000"), BTC)


def test_step_counts_are_exact_beyond_decimals_default_precision() -> None:
    big = Decimal("99999999999999999.999999999999")  # 30 digits of 1e-12 steps
    assert is_multiple(big, Decimal("1e-12"))
    assert not is_multiple(big, Decimal("1e-11"))
    assert round_to_increment(big, Decimal("1e-11")) == Decimal("100000000000000000.00000000000")
    assert floor_to_increment(big, Decimal("1e-11")) == Decimal("99999999999999999.99999999999")


def test_rounding_never_answers_in_exponent_form() -> None:
    assert str(floor_to_increment(Decimal("1200").normalize(), Decimal("1"))) == "1200"
    assert str(floor_to_increment(Decimal("1234"), Decimal("1E+1"))) == "1230"
    assert str(ceil_to_increment(Decimal("12.301"), Decimal("0.10"))) == "12.40"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_amounts_and_increments_are_value_errors(bad: str) -> None:
    for call in (
        lambda: floor_to_increment(Decimal(bad), Decimal(1)),
        lambda: ceil_to_increment(Decimal(1), Decimal(bad)),
        lambda: is_multiple(Decimal(bad), Decimal(1)),
        lambda: is_multiple(Decimal(1), Decimal(bad)),
    ):
        with pytest.raises(ValueError, match="finite"):
            call()
