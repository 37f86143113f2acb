"""Edge inputs and lifecycle: trade limits, option validation, transport failures, close()."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from adapters.kucoin import KucoinExchange, KucoinOptions
from adapters.kucoin.paging import windows
from exchanges import (
    BadRequest,
    ExchangeError,
    ExchangeUnavailable,
    ManualClock,
    NetworkError,
    OrderOutcomeUnknown,
    OrderRequest,
    RateLimitRegistry,
    RequestTimeout,
)

from .conftest import SERVER_TIME, example, make_exchange, mock_markets, ok

HISTORIES = "/api/v1/market/histories"
TRANSPORTS = [pytest.param(True, id="aiohttp"), pytest.param(False, id="httpx")]


# --- fetch_trades(limit=...) ---------------------------------------------------------------------


async def test_trade_limit_keeps_the_newest_oldest_first(ex: KucoinExchange, router: respx.Router) -> None:
    router.get(HISTORIES).mock(return_value=httpx.Response(200, json=example("GET", HISTORIES)))
    everything = [t.id for t in await ex.fetch_trades("BTC/USDT")]
    assert len(everything) == 3
    assert [t.id for t in await ex.fetch_trades("BTC/USDT", limit=2)] == everything[-2:]
    assert [t.id for t in await ex.fetch_trades("BTC/USDT", limit=1)] == everything[-1:]
    assert [t.id for t in await ex.fetch_trades("BTC/USDT", limit=100)] == everything
    assert [t.id for t in await ex.fetch_trades("BTC/USDT", limit=None)] == everything


async def test_trade_limit_zero_is_empty(ex: KucoinExchange, router: respx.Router) -> None:
    route = router.get(HISTORIES).mock(return_value=httpx.Response(200, json=example("GET", HISTORIES)))
    assert await ex.fetch_trades("BTC/USDT", limit=0) == []
    assert route.call_count == 0


@pytest.mark.parametrize("limit", [-1, -100])
async def test_negative_trade_limit_is_refused_before_sending(
    ex: KucoinExchange, router: respx.Router, limit: int
) -> None:
    route = router.get(HISTORIES).mock(return_value=httpx.Response(200, json=example("GET", HISTORIES)))
    with pytest.raises(BadRequest, match="limit must not be negative") as info:
        await ex.fetch_trades("BTC/USDT", limit=limit)
    assert info.value.code == "400100"
    assert route.call_count == 0


async def test_order_book_depth_must_be_positive(ex: KucoinExchange, router: respx.Router) -> None:
    with pytest.raises(BadRequest, match="depth must be positive, got 0"):
        await ex.fetch_order_book("BTC/USDT", depth=0)
    assert len(router.calls) == 0


# --- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_window_ms", 0),
        ("max_window_ms", -1),
        ("batch_size", 0),
        ("batch_size", 21),
        ("timeout", 0),
        ("timeout", -1.5),
        ("timeout", float("nan")),
        ("max_place_attempts", 0),
        ("max_rate_limit_retries", -1),
        ("reconcile_delay", -0.1),
        ("rate_limit_window_s", 0),
        ("rate_limit_window_s", -30.0),
    ],
)
def test_options_out_of_range_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        KucoinOptions(**{field: value})
    with pytest.raises(ValueError, match=field):
        KucoinExchange(**{field: value})


@pytest.mark.parametrize("capacity", [0, -5])
def test_pool_quotas_must_be_positive(capacity: int) -> None:
    with pytest.raises(ValueError, match=r"pool_quotas.*Public"):
        KucoinOptions(pool_quotas={"Public": capacity})


def test_options_at_their_bounds_are_accepted() -> None:
    opts = KucoinOptions(
        max_window_ms=1,
        batch_size=20,
        timeout=0.01,
        max_place_attempts=1,
        max_rate_limit_retries=0,
        reconcile_delay=0,
        rate_limit_window_s=0.5,
        pool_quotas={"Public": 1},
    )
    assert opts.batch_size == 20 and opts.max_window_ms == 1
    assert KucoinOptions(batch_size=1).batch_size == 1


@pytest.mark.parametrize("span", [0, -1])
def test_windows_refuse_a_non_positive_span(span: int) -> None:
    with pytest.raises(ValueError, match="span"):
        windows(0, 10, span, now=10)


# --- transport failures --------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens here any more: connecting is refused


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def _raw_server(handle: Handler) -> AsyncIterator[int]:
    """A TCP server on a loopback port that answers with ``handle`` (not HTTP unless it
    writes HTTP); the connections it left open are closed with it."""
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await handle(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never answers."""

    async def handle(_: asyncio.StreamReader, __: asyncio.StreamWriter) -> None:
        return None

    async with _raw_server(handle) as port:
        yield port


@pytest.fixture
async def hanging_up_server() -> AsyncIterator[int]:
    """Reads the request and closes the connection without a response."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    async with _raw_server(handle) as port:
        yield port


@pytest.fixture
async def garbage_server() -> AsyncIterator[int]:
    """Answers every request with bytes that are not HTTP."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HELLO THERE\r\nthis is not http\r\n\r\n")
        await writer.drain()
        writer.close()

    async with _raw_server(handle) as port:
        yield port


def _local(port: int, fast: bool, **options: Any) -> KucoinExchange:
    return KucoinExchange(
        base_url=f"http://127.0.0.1:{port}", fast_transport=fast, registry=RateLimitRegistry(), **options
    )


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_refused_connection_is_unavailable_on_both_transports(fast: bool) -> None:
    async with _local(_closed_port(), fast) as ex:
        with pytest.raises(ExchangeUnavailable, match="cannot connect") as info:
            await ex.fetch_ticker("BTC/USDT")
    assert info.value.retryable
    assert info.value.__cause__ is None  # the transport's exception is not chained into ours


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_no_answer_is_a_timeout_on_both_transports(fast: bool, silent_server: int) -> None:
    async with _local(silent_server, fast, timeout=0.2) as ex:
        with pytest.raises(RequestTimeout, match="timed out"):
            await ex.fetch_ticker("BTC/USDT")


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_a_trickling_answer_times_out_as_a_whole(fast: bool) -> None:
    """``timeout`` bounds the whole request: a server that sends a byte every 0.1 s never
    trips a per-read timeout, and must not hold the call."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(200):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.1)

    async with _raw_server(handle) as port, _local(port, fast, timeout=0.5) as ex:
        started = asyncio.get_running_loop().time()
        with pytest.raises(RequestTimeout, match="timed out"):
            await asyncio.wait_for(ex.server_time(), 10)
    assert asyncio.get_running_loop().time() - started < 5


async def test_a_transport_that_never_answers_times_out() -> None:
    class Never(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    async with KucoinExchange(transport=Never(), registry=RateLimitRegistry(), timeout=0.2) as ex:
        with pytest.raises(RequestTimeout):
            await asyncio.wait_for(ex.server_time(), 10)


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_hang_up_is_a_network_error_not_a_timeout(fast: bool, hanging_up_server: int) -> None:
    async with _local(hanging_up_server, fast) as ex:
        with pytest.raises(NetworkError) as info:
            await ex.fetch_ticker("BTC/USDT")
    assert not isinstance(info.value, RequestTimeout | ExchangeUnavailable)
    assert "Timeout" not in info.value.message


# --- close() -------------------------------------------------------------------------------------


async def test_calls_after_close_raise_exchange_error(router: respx.Router) -> None:
    ex = make_exchange(router, clock=ManualClock(SERVER_TIME))
    await ex.close()
    await ex.close()  # twice is harmless
    with pytest.raises(ExchangeError, match="exchange is closed") as info:
        await ex.fetch_trades("BTC/USDT")
    assert type(info.value) is ExchangeError and not info.value.retryable
    with pytest.raises(ExchangeError, match="exchange is closed"):
        await ex.fetch_balances()
    assert len(router.calls) == 0


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_calls_after_close_on_real_transports(fast: bool, silent_server: int) -> None:
    ex = _local(silent_server, fast)
    await ex.close()
    await ex.close()
    with pytest.raises(ExchangeError, match="exchange is closed"):
        await ex.fetch_ticker("BTC/USDT")
    async with ex:  # leaving the context after close() is harmless too
        pass


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_close_while_a_request_is_in_flight(fast: bool, silent_server: int) -> None:
    ex = _local(silent_server, fast, timeout=5.0)
    pending = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
    await asyncio.sleep(0.1)
    await ex.close()
    with pytest.raises(ExchangeError, match="exchange is closed") as info:
        await asyncio.wait_for(pending, 2.0)
    assert not info.value.retryable


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_a_malformed_http_answer_is_a_network_error(fast: bool, garbage_server: int) -> None:
    async with _local(garbage_server, fast) as ex:
        with pytest.raises(NetworkError):
            await ex.fetch_ticker("BTC/USDT")


# --- reads retried on transient failures -----------------------------------------------------------


async def test_a_read_answered_5xx_is_retried_after_a_pause(router: respx.Router) -> None:
    route = router.get("/api/v1/status").mock(
        side_effect=[
            httpx.Response(502, text="Bad Gateway"),
            httpx.Response(503, text="busy"),
            httpx.Response(200, json={"code": "200000", "data": {"status": "open", "msg": ""}}),
        ]
    )
    clock = ManualClock(SERVER_TIME)
    async with make_exchange(router, clock=clock, max_read_retries=2) as ex:
        task = asyncio.create_task(ex.service_status())
        await clock.run_until(SERVER_TIME + 200)
        assert route.call_count == 1 and not task.done()  # waiting 0.25 s
        await clock.run_until(SERVER_TIME + 300)
        assert route.call_count == 2 and not task.done()  # then 0.5 s
        await clock.run_until(SERVER_TIME + 800)
        assert (await task).status == "open"
    assert route.call_count == 3


@pytest.mark.parametrize("status", [504, 408])
async def test_a_read_answered_504_or_408_is_retried_like_a_5xx(router: respx.Router, status: int) -> None:
    route = router.get("/api/v1/status").mock(
        side_effect=[
            httpx.Response(status, text="timeout"),
            httpx.Response(200, json={"code": "200000", "data": {"status": "open", "msg": ""}}),
        ]
    )
    clock = ManualClock(SERVER_TIME)
    async with make_exchange(router, clock=clock, max_read_retries=2) as ex:
        task = asyncio.create_task(ex.service_status())
        await clock.run_until(SERVER_TIME + 1000)
        assert (await task).status == "open"
    assert route.call_count == 2


async def test_read_retries_are_bounded(router: respx.Router) -> None:
    route = router.get("/api/v1/status").mock(return_value=httpx.Response(503, text="busy"))
    clock = ManualClock(SERVER_TIME)
    async with make_exchange(router, clock=clock, max_read_retries=2) as ex:
        task = asyncio.create_task(ex.service_status())
        await clock.run_until(SERVER_TIME + 10_000)
        with pytest.raises(ExchangeUnavailable):
            await task
    assert route.call_count == 3


async def test_a_write_answered_5xx_is_not_resent(router: respx.Router) -> None:
    route = router.delete(url__regex=r"/api/v1/hf/orders/sync/.*").mock(
        return_value=httpx.Response(503, text="busy")
    )
    async with make_exchange(router, clock=ManualClock(SERVER_TIME), max_read_retries=2) as ex:
        with pytest.raises(ExchangeUnavailable):
            await ex.cancel_order("BTC/USDT", order_id="abc")
    assert route.call_count == 1


@pytest.mark.parametrize("fast", TRANSPORTS)
async def test_a_refused_read_still_says_cannot_connect_after_its_retries(fast: bool) -> None:
    async with _local(_closed_port(), fast, max_read_retries=1) as ex:
        with pytest.raises(ExchangeUnavailable, match="cannot connect"):
            await ex.fetch_ticker("BTC/USDT")  # (one pause of 0.25 s on the system clock)


# --- success envelopes whose data has the wrong shape ----------------------------------------------

MALFORMED: list[Any] = [None, "oops", [], {}]


@pytest.mark.parametrize("data", MALFORMED)
async def test_a_placement_answered_without_an_order_is_looked_up_never_resent(
    router: respx.Router, data: Any
) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync").mock(return_value=ok(data))
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/").mock(
        return_value=httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
    )
    async with make_exchange(router, clock=ManualClock(SERVER_TIME)) as ex:
        with pytest.raises(OrderOutcomeUnknown, match="malformed response") as info:
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    assert not info.value.retryable and info.value.client_order_id and place.call_count == 1


async def test_reads_answered_with_the_wrong_shape_raise_typed_errors(router: respx.Router) -> None:
    """``data`` a string where the spec has an object: ``ExchangeError``, not the ``TypeError``
    or ``AttributeError`` parsing meets."""
    mock_markets(router)
    book = "/api/v1/market/orderbook"
    for path in (f"{book}/level1", "/api/v1/market/stats", f"{book}/level2_20"):
        router.get(path).mock(return_value=ok("oops"))
    router.get("/api/v1/timestamp", name="timestamp").mock(return_value=ok("oops"))
    async with make_exchange(router, clock=ManualClock(SERVER_TIME)) as ex:
        for call in (ex.fetch_ticker("BTC/USDT"), ex.fetch_order_book("BTC/USDT"), ex.server_time()):
            with pytest.raises(ExchangeError, match="malformed response"):
                await call


async def test_an_empty_symbol_list_is_an_error_and_is_not_cached(router: respx.Router) -> None:
    route = router.get("/api/v2/symbols").mock(side_effect=[ok(None), ok([])])
    async with make_exchange(router, clock=ManualClock(SERVER_TIME)) as ex:
        for _ in range(2):
            with pytest.raises(ExchangeError, match="malformed response: the symbol list"):
                await ex.load_markets()
        mock_markets(router)
        assert "BTC/USDT" in await ex.load_markets()
    assert route.call_count == 3  # two refused answers, then the good one
