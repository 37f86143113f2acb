from collections.abc import Mapping
from decimal import Decimal
from types import TracebackType
from typing import Self

import pytest

from exchanges import (
    STP,
    BadRequest,
    Balance,
    Candle,
    Capabilities,
    Exchange,
    Fill,
    Interval,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Ticker,
    TimeInForce,
    Trade,
    check_depth,
    check_history_args,
    parse_interval,
    require_one_ref,
)


class Minimal:
    """The smallest object with the protocol's shape; proves the protocol is checkable."""

    venue = "minimal"
    capabilities = Capabilities()

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        return {}

    async def fetch_ticker(self, symbol: str) -> Ticker:
        raise NotImplementedError

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        raise NotImplementedError

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        return []

    async def fetch_candles(
        self, symbol: str, interval: Interval | str, start: int | None = None, end: int | None = None
    ) -> list[Candle]:
        return []

    async def fetch_balances(self) -> dict[str, Balance]:
        return {}

    async def place_order(self, request: OrderRequest) -> Order:
        raise NotImplementedError

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        raise NotImplementedError

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        return None

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        raise NotImplementedError

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return []

    async def fetch_closed_orders(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Order]:
        return []

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        return []

    async def server_time(self) -> int:
        return 0

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def test_runtime_checkable() -> None:
    assert isinstance(Minimal(), Exchange)
    assert not isinstance(object(), Exchange)
    exchange: Exchange = Minimal()  # and statically: mypy checks this assignment
    assert exchange.venue == "minimal"


def test_capabilities_explain_what_is_missing() -> None:
    caps = Capabilities(
        order_types=frozenset({OrderType.LIMIT}),
        time_in_force=frozenset({TimeInForce.GTC}),
    )
    assert caps.missing(OrderRequest.limit("A/B", "buy", "1", "1")) is None
    assert "order type market" in (caps.missing(OrderRequest.market("A/B", "buy", size="1")) or "")
    ioc = OrderRequest.limit("A/B", "buy", "1", "1", time_in_force=TimeInForce.IOC)
    assert "time in force IOC" in (caps.missing(ioc) or "")
    assert "post-only" in (caps.missing(OrderRequest.limit("A/B", "buy", "1", "1", post_only=True)) or "")
    assert "STP CN" in (caps.missing(OrderRequest.limit("A/B", "buy", "1", "1", stp=STP.CN)) or "")
    full = Capabilities(market_by_funds=True)
    assert full.missing(OrderRequest.market("A/B", "buy", funds=Decimal(1))) is None
    stop = OrderRequest.limit("A/B", "buy", "1", "1", stop_price="2")  # (its direction left to the venue)
    assert "stop orders" in (caps.missing(stop) or "")
    assert Capabilities(stop_orders=True).missing(stop) is None


def test_require_one_ref() -> None:
    require_one_ref("1", None)
    require_one_ref(None, "c")
    with pytest.raises(BadRequest):
        require_one_ref(None, None)
    with pytest.raises(BadRequest):
        require_one_ref("1", "c")


def test_everything_offers_every_option_the_protocol_knows() -> None:
    from exchanges import STP, OrderType, TimeInForce

    full = Capabilities.everything(max_candles_per_request=1500)
    assert full.order_types == frozenset(OrderType) and full.time_in_force == frozenset(TimeInForce)
    assert full.stp == frozenset(STP) and full.max_candles_per_request == 1500
    assert all(
        [full.post_only, full.hidden, full.iceberg, full.market_by_funds, full.stop_orders, full.amend]
    )
    assert full.cancel_all_without_symbol and full.fetch_by_client_order_id and full.cancel_by_client_order_id


def test_history_arguments_are_checked_alike_everywhere() -> None:
    check_history_args(limit=0, start=0, end=1)
    check_history_args()
    cases: list[tuple[dict[str, object], str]] = [
        ({"limit": -1}, "limit must not be negative"),
        ({"start": -5}, "start must be an epoch time"),
        ({"end": -1}, "end must be an epoch time"),
        ({"limit": 2.5}, "limit must be a whole number"),
        ({"limit": True}, "limit must be a whole number"),
        ({"start": "0"}, "start must be a whole number"),
    ]
    for kwargs, message in cases:
        with pytest.raises(BadRequest, match=message) as info:
            check_history_args(venue="v", code="400100", **kwargs)  # type: ignore[arg-type]
        assert (info.value.venue, info.value.code) == ("v", "400100")


def test_depth_is_none_or_a_positive_whole_number() -> None:
    check_depth(None)
    check_depth(1)
    bad: list[tuple[object, str]] = [(0, "positive"), (-3, "positive"), (2.5, "whole"), ("5", "whole")]
    for depth, message in [*bad, (True, "whole")]:
        with pytest.raises(BadRequest, match=message) as info:
            check_depth(depth, venue="v", code="400100")  # type: ignore[arg-type]
        assert info.value.code == "400100"


def test_unknown_intervals_are_bad_requests() -> None:
    assert parse_interval("1hour") is Interval.H1
    assert parse_interval(Interval.M5) is Interval.M5
    with pytest.raises(BadRequest, match="unknown candle interval '7m'") as info:
        parse_interval("7m", venue="paper", code="400100")
    assert info.value.code == "400100"



def test_an_interval_of_the_wrong_type_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="a candle interval is a str"):
        parse_interval(["1m"], venue="paper", code="400100")  # type: ignore[arg-type]
