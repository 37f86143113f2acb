import contextlib
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from exchanges import (
    AboveMaximumSize,
    BadRequest,
    BelowMinimumFunds,
    BelowMinimumSize,
    InvalidOrder,
    InvalidPrecision,
    Market,
    OrderChecker,
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


# --- the compiled checker against a plain Decimal reading of the same rules -------------------

MARKETS = {
    "BTC/USDT": Market(
        symbol="BTC/USDT", base="BTC", quote="USDT", id="BTC-USDT", price_increment="0.1",
        size_increment="0.00000001", funds_increment="0.000001", min_size="0.00001",
        max_size="10000000000", min_funds="0.1", max_funds="99999999",
    ),
    "ETH/BTC": Market(
        symbol="ETH/BTC", base="ETH", quote="BTC", id="ETH-BTC", price_increment="0.00001",
        size_increment="0.0000001", funds_increment="0.000001", min_size="0.0001",
        max_size="10000000000", min_funds="0.00001", max_funds="99999999",
    ),
    "SOL/USDT": Market(
        symbol="SOL/USDT", base="SOL", quote="USDT", id="SOL-USDT", price_increment="0.25",
        size_increment="0.0001", funds_increment="0.01", min_size="0.01", max_size="1000000",
        min_funds="1", max_funds=None,
    ),
}  # fmt: skip


def reference(request: OrderRequest, market: Market) -> tuple[int, int]:
    """The rules read plainly in Decimal (exact context): the oracle the checker must match."""
    exact = Context(prec=80)

    def steps(value: Decimal, increment: Decimal) -> int | None:
        q, r = exact.divmod(value, increment)
        return None if r else int(q)

    if request.symbol != market.symbol:
        raise BadRequest("symbol")
    ticks = lots = 0
    if request.price is not None:
        found = steps(request.price, market.price_increment)
        if found is None:
            raise InvalidPrecision(field="price")
        ticks = found
    if request.stop_price is not None and steps(request.stop_price, market.price_increment) is None:
        raise InvalidPrecision(field="stop_price")
    if request.size is not None:
        found = steps(request.size, market.size_increment)
        if found is None:
            raise InvalidPrecision(field="size")
        if request.size < market.min_size:
            raise BelowMinimumSize(field="size")
        if market.max_size is not None and request.size > market.max_size:
            raise AboveMaximumSize(field="size")
        lots = found
    if request.visible_size is not None and steps(request.visible_size, market.size_increment) is None:
        raise InvalidPrecision(field="visible_size")
    value = request.funds
    if request.funds is not None:
        if steps(request.funds, market.funds_increment) is None:
            raise InvalidPrecision(field="funds")
        if market.max_funds is not None and request.funds > market.max_funds:
            raise AboveMaximumSize(field="funds")
    elif request.price is not None and request.size is not None:
        value = exact.multiply(request.price, request.size)
    if value is not None and market.min_funds is not None and value < market.min_funds:
        raise BelowMinimumFunds(field="funds")
    return ticks, lots


amounts = st.one_of(  # on the increments (mostly) and anywhere
    st.integers(1, 10**9).map(lambda n: Decimal(n).scaleb(-8)),
    st.integers(1, 10**6).map(lambda n: Decimal(n).scaleb(-2)),
    st.integers(1, 10**5).map(Decimal),
    st.decimals(min_value=Decimal("1E-10"), max_value=Decimal("1E+7"), places=10),
)


def outcome(check: Callable[[], tuple[int, int]]) -> tuple[int, int] | tuple[str, str]:
    try:
        return check()
    except InvalidOrder as err:
        return type(err).__name__, getattr(err, "field", "")


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(sorted(MARKETS)),
    st.sampled_from(["limit", "market_size", "market_funds"]),
    amounts,
    amounts,
)
def test_the_checker_reads_the_rules_as_plain_decimals_do(
    symbol: str, kind: str, price: Decimal, size: Decimal
) -> None:
    """Same verdict, same error (type and field), same ticks and lots, as the plain reading;
    and ``check_limit`` says yes exactly when ``check`` does (twice: the remembered size)."""
    market = MARKETS[symbol]
    checker = OrderChecker(market)
    if kind == "limit":
        request = OrderRequest.limit(symbol, "buy", size, price)
    elif kind == "market_size":
        request = OrderRequest.market(symbol, "sell", size=size)
    else:
        request = OrderRequest.market(symbol, "buy", funds=price)
    expected = outcome(lambda: reference(request, market))
    event("valid" if isinstance(expected[0], int) else "refused")
    assert outcome(lambda: checker.check(request)) == expected
    with pytest.raises(InvalidOrder) if not isinstance(expected[0], int) else contextlib.nullcontext():
        validate_order(request, market)
    if kind == "limit":
        quick = expected if isinstance(expected[0], int) else None
        assert checker.check_limit(price, size) == quick
        assert checker.check_limit(price, size) == quick


@pytest.mark.parametrize("symbol", sorted(MARKETS))
def test_the_checker_agrees_at_every_limit(symbol: str) -> None:
    """At each limit and one increment past it (size, and price x size against the minimum
    funds), ``check_limit`` and ``check`` agree with the plain reading."""
    market = MARKETS[symbol]
    checker = OrderChecker(market)
    tick, lot = market.price_increment, market.size_increment
    assert market.min_funds is not None and market.max_size is not None
    price = (2 * market.min_funds / market.min_size).quantize(tick) + tick  # (any size's funds will do)
    sizes = (market.min_size - lot, market.min_size, market.max_size, market.max_size + lot)
    cases = [(price, size) for size in sizes]
    # a size and a price on their increments whose product is the minimum funds exactly
    exact = next(
        (market.min_funds / (market.min_size * k), market.min_size * k)
        for k in range(1, 10_000)
        if not (market.min_funds / (market.min_size * k)) % tick
    )
    cases += [exact, (exact[0], exact[1] - lot), (exact[0] - tick, exact[1]), (exact[0], exact[1] + lot)]
    for p, s in cases:
        request = OrderRequest.limit(symbol, "buy", s, p)
        expected = outcome(lambda r=request: reference(r, market))  # type: ignore[misc]
        assert outcome(lambda r=request: checker.check(r)) == expected, (p, s)  # type: ignore[misc]
        assert checker.check_limit(p, s) == (expected if isinstance(expected[0], int) else None), (p, s)
