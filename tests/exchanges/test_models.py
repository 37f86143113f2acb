import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest

import exchanges
from exchanges import (
    STP,
    Balance,
    Interval,
    InvalidOrder,
    Liquidity,
    Market,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    TimeInForce,
    to_decimal,
)


def test_to_decimal_refuses_float_and_bool() -> None:
    assert to_decimal("0.1") == Decimal("0.1")
    assert to_decimal(3) == Decimal(3)
    with pytest.raises(TypeError, match="float"):
        to_decimal(0.1)
    with pytest.raises(TypeError):
        to_decimal(True)
    with pytest.raises(ValueError, match="finite"):
        to_decimal("NaN")
    with pytest.raises(ValueError, match="not a decimal"):
        to_decimal("abc")


def test_limit_request_converts_and_is_frozen() -> None:
    req = OrderRequest.limit("BTC/USDT", "buy", "0.5", "30000.1")
    assert req.side is Side.BUY and req.type is OrderType.LIMIT
    assert req.size == Decimal("0.5") and req.price == Decimal("30000.1")
    assert req.time_in_force is TimeInForce.GTC
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        req.size = Decimal(1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "limit", "size": "1"}, "needs both price and size"),
        ({"type": "limit", "size": "1", "price": "1", "funds": "1"}, "funds applies to market"),
        ({"type": "market"}, "exactly one of size or funds"),
        ({"type": "market", "size": "1", "funds": "2"}, "exactly one of size or funds"),
        ({"type": "market", "size": "1", "price": "2"}, "takes no price"),
        ({"type": "limit", "size": "-1", "price": "1"}, "size must be positive"),
        ({"type": "limit", "size": "1", "price": "0"}, "price must be positive"),
        ({"type": "limit", "size": "1", "price": "1", "time_in_force": "GTT"}, "GTT needs cancel_after"),
        ({"type": "limit", "size": "1", "price": "1", "cancel_after": 5}, "GTT orders only"),
        ({"type": "limit", "size": "1", "price": "1", "iceberg": True}, "needs visible_size"),
        ({"type": "limit", "size": "1", "price": "1", "visible_size": "1"}, "iceberg orders only"),
        (
            {"type": "limit", "size": "1", "price": "1", "iceberg": True, "visible_size": "2"},
            "cannot exceed size",
        ),
        ({"type": "limit", "size": "1", "price": "1", "stop": "loss"}, "stop applies to stop orders"),
        ({"type": "market", "size": "1", "post_only": True}, "limit orders only"),
        ({"type": "market", "size": "1", "stp": "DC"}, "DC is not available"),
    ],
)
def test_request_shape_rules(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOrder, match=message):
        OrderRequest(symbol="BTC/USDT", side=Side.BUY, **kwargs)


def test_request_accepts_full_feature_set() -> None:
    req = OrderRequest.limit(
        "BTC/USDT",
        Side.SELL,
        "2",
        "100",
        time_in_force=TimeInForce.GTT,
        cancel_after=60,
        iceberg=True,
        visible_size="0.5",
        stp=STP.CO,
        client_order_id="abc",
        stop=StopKind.LOSS,
        stop_price="90",
    )
    assert req.is_stop and req.stp is STP.CO and req.visible_size == Decimal("0.5")
    market = OrderRequest.market("BTC/USDT", "buy", funds="10")
    assert market.funds == Decimal(10) and market.size is None


def test_a_stop_order_needs_only_its_stop_price() -> None:
    """The direction is optional: a venue that derives it (KuCoin, from its last price)
    needs only the trigger; one given is the caller's expectation."""
    req = OrderRequest.limit("BTC/USDT", "sell", "1", "90", stop_price="95")
    assert req.is_stop and req.stop is None and req.stop_price == Decimal("95")
    assert OrderRequest.market("BTC/USDT", "buy", size="1", stop_price="110").is_stop
    assert not OrderRequest.limit("BTC/USDT", "sell", "1", "90").is_stop


def test_enum_values_come_from_strings() -> None:
    req = OrderRequest(symbol="X/Y", side="sell", type="market", size="1", stp="CN")
    assert req.side is Side.SELL and req.stp is STP.CN
    with pytest.raises(ValueError, match="'nope'"):
        OrderRequest(symbol="X/Y", side="nope", type="market", size="1")


def test_order_derived_values() -> None:
    order = Order(
        id="1",
        symbol="BTC/USDT",
        side=Side.BUY,
        type=OrderType.LIMIT,
        status=OrderStatus.PARTIALLY_FILLED,
        price=Decimal(100),
        size=Decimal(3),
        filled_size=Decimal(2),
        filled_funds=Decimal(199),
    )
    assert order.is_open
    assert order.remaining_size == Decimal(1)
    assert order.average_price == Decimal("99.5")
    done = attrs.evolve(order, status=OrderStatus.CANCELED)
    assert not done.is_open and done.remaining_size == 0


def test_status_ranks_move_forward() -> None:
    assert OrderStatus.PENDING.rank < OrderStatus.NEW.rank < OrderStatus.OPEN.rank
    assert OrderStatus.OPEN.rank < OrderStatus.PARTIALLY_FILLED.rank < OrderStatus.FILLED.rank
    assert {s for s in OrderStatus if s.is_open} == {
        OrderStatus.PENDING,
        OrderStatus.NEW,
        OrderStatus.OPEN,
        OrderStatus.PARTIALLY_FILLED,
    }


def test_raw_payload_is_kept_but_ignored_by_equality_and_repr() -> None:
    a = Balance(currency="USDT", total=Decimal(1), available=Decimal(1), hold=Decimal(0), raw={"k": "v"})
    b = Balance(currency="USDT", total=Decimal(1), available=Decimal(1), hold=Decimal(0))
    assert a == b and a.raw == {"k": "v"}
    assert "raw" not in repr(a)


def test_market_converts_increments() -> None:
    m = Market(
        symbol="BTC/USDT",
        base="BTC",
        quote="USDT",
        id="BTC-USDT",
        price_increment="0.1",
        size_increment="0.00000001",
        funds_increment="0.000001",
        min_size="0.00001",
        min_funds="0.1",
    )
    assert m.price_increment == Decimal("0.1") and m.max_size is None and m.enabled


def test_order_book_helpers() -> None:
    book = OrderBook(
        symbol="BTC/USDT",
        timestamp=1,
        bids=(OrderBookLevel(Decimal(99), Decimal(1)),),
        asks=(OrderBookLevel(Decimal(101), Decimal(2)),),
    )
    assert book.mid == Decimal(100) and book.spread == Decimal(2)
    assert book.best_bid == OrderBookLevel(Decimal(99), Decimal(1))
    empty = OrderBook(symbol="BTC/USDT", timestamp=1, bids=(), asks=())
    assert empty.mid is None and empty.best_ask is None


def test_to_decimal_refuses_absurd_magnitudes() -> None:
    assert to_decimal("999999999999999999.5") == Decimal("999999999999999999.5")
    for value in ("1e18", "-1e30", Decimal("1E+400")):
        with pytest.raises(ValueError, match="amount out of range"):
            to_decimal(value)


def _reported() -> dict[str, Any]:
    """One valid instance's arguments per reported model (amounts as Decimals)."""
    one = Decimal(1)
    return {
        "Order": {"id": "1", "symbol": "BTC/USDT", "side": Side.BUY, "type": OrderType.LIMIT,
                  "status": OrderStatus.OPEN, "price": one, "size": one},
        "Fill": {"id": "1", "order_id": "1", "trade_id": "1", "symbol": "BTC/USDT", "side": Side.BUY,
                 "price": one, "size": one, "funds": one, "fee": one, "fee_currency": "USDT",
                 "liquidity": Liquidity.MAKER, "timestamp": 0},
        "Balance": {"currency": "USDT", "total": one, "available": one, "hold": Decimal(0)},
        "Trade": {"id": "1", "symbol": "BTC/USDT", "price": one, "size": one, "side": Side.BUY,
                  "timestamp": 0},
        "Candle": {"symbol": "BTC/USDT", "interval": Interval.M1, "start": 0, "open": one, "high": one,
                   "low": one, "close": one, "volume": one},
        "Ticker": {"symbol": "BTC/USDT", "timestamp": 0, "bid": one},
        "OrderBookLevel": {"price": one, "size": one},
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(_reported()))
def test_reported_models_refuse_float_amounts_and_take_ints_and_strs_exactly(name: str) -> None:
    """Money is Decimal: an adapter that builds a model from floats fails where it does so,
    not later in some arithmetic far away."""
    cls = getattr(exchanges, name)
    kwargs = _reported()[name]
    amount = "price" if "price" in kwargs else next(k for k, v in kwargs.items() if isinstance(v, Decimal))
    with pytest.raises(TypeError, match="an amount must be a Decimal, int or str, got float"):
        cls(**{**kwargs, amount: 1.1})
    with pytest.raises(TypeError, match="got bool"):
        cls(**{**kwargs, amount: True})
    assert getattr(cls(**{**kwargs, amount: 2}), amount) == Decimal(2)
    assert getattr(cls(**{**kwargs, amount: "0.1"}), amount) == Decimal("0.1")


@pytest.mark.parametrize(
    ("side", "size", "price"),
    [
        ("buy", "0.001", "60000.1"),
        (Side.SELL, Decimal("2"), 3),
        ("sell", "1e-8", Decimal("0.00012")),
        ("buy", "0", "1"),  # (refused: size must be positive)
        ("buy", "1", "-1"),  # (refused: price must be positive)
        ("nope", "1", "1"),  # (refused: no such side)
        ("buy", 1.5, "1"),  # (refused: a float)
        ("buy", None, "1"),  # (refused: no size)
        ("buy", "1", "NaN"),  # (refused: not finite)
    ],
)
def test_a_plain_limit_request_is_the_one_its_constructor_makes(side: Any, size: Any, price: Any) -> None:
    """``OrderRequest.limit`` without options builds the request without ``__init__`` (every
    strategy's common case); it must be that request in every respect, refusals included."""

    def outcome(build: Any) -> object:
        try:
            return build()
        except Exception as err:  # (the refusal itself is compared)
            return (type(err), str(err))

    fast = outcome(lambda: OrderRequest.limit("BTC/USDT", side, size, price))
    general = outcome(
        lambda: OrderRequest(
            symbol="BTC/USDT", side=Side(side), type="limit", size=to_decimal(size), price=to_decimal(price)
        )
    )
    assert fast == general
    if isinstance(fast, OrderRequest):
        assert type(fast) is OrderRequest and repr(fast) == repr(general) and hash(fast) == hash(general)
        assert isinstance(general, OrderRequest) and attrs.asdict(fast) == attrs.asdict(general)
        assert pickle.loads(pickle.dumps(fast)) == fast and attrs.evolve(fast, price=fast.price) == fast
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            fast.price = Decimal(1)  # type: ignore[misc]
