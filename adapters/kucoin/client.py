"""The HTTP layer: one ``httpx.AsyncClient``, signing, clock offset, pools, 429s, errors.

Everything above it (``KucoinExchange``) calls :meth:`KucoinClient.call` with an endpoint
from the table and gets the envelope's ``data`` back, or an ``exchanges`` error. The
transport is injectable (respx, an ASGI app, fault injection); by default it is httpx's
own, or the aiohttp transport under httpx where installed (cheaper per call).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from attrs import define

from adapters.common.http import decode_json, fast_transport, send_within
from exchanges import (
    AuthenticationError,
    Clock,
    ExchangeError,
    ExchangeUnavailable,
    FixedWindowPool,
    InvalidTimestamp,
    NetworkError,
    RateLimitExceeded,
    RateLimitRegistry,
    RatePool,
    RequestTimeout,
    SystemClock,
    default_registry,
)

from .credentials import KucoinCredentials
from .endpoints import POOL_WINDOW_SECONDS, Endpoint, quota
from .errors import VENUE, error_from_response
from .options import KucoinOptions
from .routes import TIMESTAMP
from .signing import compact_json, encode_query

__all__ = ["KucoinClient"]

log = logging.getLogger("adapters.kucoin")

_SUCCESS = "200000"
_DEFAULT_429_WAIT = 1.0
_BASE_HEADERS = (
    ("Content-Type", "application/json"),
    ("Accept", "application/json"),
    ("User-Agent", "exchanges-kucoin/0.1"),
)
_URL_CACHE = 512


@define
class _Tries:
    """What one call has spent of its retries so far."""

    may_retry_429: bool
    reads: int
    rate: int = 0
    resynced: bool = False


def _make_transport(options: KucoinOptions) -> httpx.AsyncBaseTransport | None:
    return fast_transport() if options.fast_transport else None


class KucoinClient:
    """Signed, rate-limited KuCoin requests over one ``httpx.AsyncClient``."""

    def __init__(
        self,
        options: KucoinOptions,
        credentials: KucoinCredentials | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        registry: RateLimitRegistry | None = None,
    ) -> None:
        self.options = options
        self.credentials = credentials
        self.clock: Clock = clock or SystemClock()
        self._registry = registry if registry is not None else default_registry
        if transport is None:
            transport = _make_transport(options) or httpx.AsyncHTTPTransport()
        self._transport = transport
        self._http = httpx.AsyncClient(
            base_url=options.base_url,
            transport=transport,
            timeout=options.timeout,
            headers=dict(_BASE_HEADERS),
        )
        self._base_url = options.base_url
        self._urls: dict[str, httpx.URL] = {}
        self._extensions = {"timeout": httpx.Timeout(options.timeout).as_dict()}
        self._host = urlsplit(options.base_url).netloc
        self._pools: dict[str, RatePool] = {}
        self.offset_ms: int | None = None
        self._offset_lock = asyncio.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"KucoinClient(base_url={self.options.base_url!r}, credentials={self.credentials!r})"

    @property
    def http(self) -> httpx.AsyncClient:
        """The exchange's ``httpx.AsyncClient`` (same transport), for calls the adapter lacks."""
        return self._http

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """Release the connections; harmless twice. Any call afterwards raises ``ExchangeError``."""
        if self._closed:
            return
        self._closed = True
        await self._http.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise ExchangeError("exchange is closed", venue=VENUE)

    # --- rate-limit pools ------------------------------------------------------------------------

    def pool(self, name: str) -> RatePool:
        """The pool an endpoint is charged to: Public per host (IP), the others per API key."""
        found = self._pools.get(name)
        if found is None:
            if name == "Public" or self.credentials is None:
                key = self._host
            else:
                key = f"{self.credentials.fingerprint}@{self._host}"
            capacity = self.options.pool_quotas.get(name) or quota(self.options.vip_level, name)
            window = self.options.rate_limit_window_s or POOL_WINDOW_SECONDS
            clock = self.clock
            found = self._registry.pool(
                VENUE,
                name,
                key,
                lambda: FixedWindowPool(capacity, window, clock, name=f"kucoin {name} {key}"),
            )
            self._pools[name] = found
        return found

    def _update_pool(self, pool: RatePool, headers: httpx.Headers) -> None:
        remaining = headers.get("gw-ratelimit-remaining")
        reset = headers.get("gw-ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            limit_text = headers.get("gw-ratelimit-limit")
            pool.update(
                remaining=int(remaining),
                reset_ms=int(reset),
                limit=int(limit_text) if limit_text else None,
            )
        except ValueError:
            log.debug("ignoring malformed rate-limit headers")

    # --- clock -----------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms() + (self.offset_ms or 0)

    async def server_time(self) -> int:
        data = await self.call(TIMESTAMP, TIMESTAMP.path)
        return int(data)

    async def sync_clock(self) -> int:
        """Measure the offset to KuCoin's clock (half the round trip assumed each way), timed
        around the HTTP exchange alone: a wait for rate-limit budget before it is no part of
        the round trip and would skew the offset by half of its length."""
        span: list[int] = []
        server = int(await self.call(TIMESTAMP, TIMESTAMP.path, timing=span))
        before, after = span
        self.offset_ms = server - (before + after) // 2
        log.debug("kucoin clock offset %d ms", self.offset_ms)
        return self.offset_ms

    async def _ensure_offset(self) -> None:
        if self.offset_ms is None:
            async with self._offset_lock:
                if self.offset_ms is None:
                    await self.sync_clock()

    # --- requests --------------------------------------------------------------------------------

    async def call(
        self,
        ep: Endpoint,
        path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        retry_rate_limit: bool | None = None,
        timing: list[int] | None = None,
    ) -> Any:
        """Send one request and return the envelope's ``data``.

        ``path`` is ``ep.path`` with its placeholders filled in. A 429 is waited out and
        retried when ``retry_rate_limit`` (default: the endpoint is a read) and the limiter
        is on; a ``400002`` re-measures the clock offset and retries once. After
        :meth:`aclose` every call raises ``ExchangeError("exchange is closed")``. ``timing``,
        when given, receives the local times (ms) the answered exchange was sent and received.
        """
        self._check_open()
        if ep.private:
            if self.credentials is None:
                raise AuthenticationError(
                    f"{ep.method} {ep.path} needs API credentials (KucoinCredentials)", venue=VENUE
                )
            await self._ensure_offset()
        query_text = encode_query(query) if query else ""
        target = f"{path}?{query_text}" if query_text else path
        content = compact_json(body) if body is not None else ""
        pool = self.pool(ep.pool) if self.options.rate_limit else None
        tries = _Tries(
            may_retry_429=ep.safe_to_retry if retry_rate_limit is None else retry_rate_limit,
            reads=0 if ep.safe_to_retry else self.options.max_read_retries,  # (none left)
        )
        while True:
            if pool is not None and pool.try_acquire(ep.weight) > 0:
                await pool.acquire(ep.weight)  # over budget: queue (first come, first served)
            self._check_open()
            headers: dict[str, str] | None = None
            if ep.private:
                assert self.credentials is not None
                stamp = str(self.now_ms())
                headers = self.credentials.headers(stamp, stamp + ep.method + target + content)
            sent_ms = self.clock.now_ms() if timing is not None else 0
            try:
                response = await self._send(ep.method, target, headers, content)
            except NetworkError:
                if tries.reads >= self.options.max_read_retries:
                    raise
                tries.reads = await self._pause_before_read_retry(tries.reads)
                continue
            if pool is not None:
                self._update_pool(pool, response.headers)
            status = response.status_code
            payload = decode_json(response.content)
            code = payload.get("code") if isinstance(payload, dict) else None
            if status == 200 and (code == _SUCCESS or code == 200000):  # a string on KuCoin; tolerate an int
                if timing is not None:
                    timing[:] = (sent_ms, self.clock.now_ms())
                return payload.get("data")
            error = self._error(status, payload, response.headers)
            log.debug("kucoin %s %s -> HTTP %d %s", ep.method, path, status, error)
            if not await self._worth_retrying(ep, error, pool, tries):
                raise error

    async def _worth_retrying(
        self, ep: Endpoint, error: ExchangeError, pool: RatePool | None, tries: _Tries
    ) -> bool:
        """Whether a refused call goes out again, after whatever wait the refusal asks for:
        a stale clock is re-measured once, a 429 blocks the pool (and is resent when the call
        may be), a 5xx or timeout is retried with backoff while read retries remain."""
        if isinstance(error, InvalidTimestamp) and ep.private and not tries.resynced:
            tries.resynced = True
            await self.sync_clock()
            return True
        if isinstance(error, RateLimitExceeded) and pool is not None:
            pool.block(error.retry_after if error.retry_after is not None else _DEFAULT_429_WAIT)
            if tries.may_retry_429 and tries.rate < self.options.max_rate_limit_retries:
                tries.rate += 1
                return True
            return False
        if (
            isinstance(error, (ExchangeUnavailable, RequestTimeout))  # 5xx, and 504 / 408
            and tries.reads < self.options.max_read_retries
        ):
            tries.reads = await self._pause_before_read_retry(tries.reads)
            return True
        return False

    async def _pause_before_read_retry(self, done: int) -> int:
        """Wait before retry number ``done + 1`` of a read (``read_retry_delay``, doubling);
        the new count."""
        if self.options.read_retry_delay > 0:
            await self.clock.sleep(self.options.read_retry_delay * 2**done)
        return done + 1

    async def _send(
        self, method: str, target: str, headers: dict[str, str] | None, content: str
    ) -> httpx.Response:
        """Hand an ``httpx.Request`` straight to the transport.

        ``AsyncClient.send`` would add cookie, redirect, auth-flow and URL-merging work that
        KuCoin never needs (about half of the client CPU per call); the transport seam, and
        with it respx, ASGI apps and fault injection, stays exactly the same.
        """
        url = self._urls.get(target)
        if url is None:
            url = httpx.URL(self._base_url + target)
            if len(self._urls) >= _URL_CACHE:
                self._urls.clear()
            self._urls[target] = url
        request = httpx.Request(
            method,
            url,
            # (no local list of them: a traceback printing locals would show the key)
            headers=[*_BASE_HEADERS, *headers.items()] if headers else _BASE_HEADERS,
            content=content.encode() if content else None,
            extensions=self._extensions,
        )
        return await send_within(
            self._transport, request, self.options.timeout, venue=VENUE, closed=self._closed
        )

    @staticmethod
    def _error(status: int, payload: Any, headers: httpx.Headers) -> ExchangeError:
        code: str | None = None
        message = ""
        if isinstance(payload, dict):
            raw_code = payload.get("code")
            code = str(raw_code) if raw_code is not None else None
            message = str(payload.get("msg") or "")
        retry_after: float | None = None
        reset = headers.get("gw-ratelimit-reset")
        if reset is not None and reset.isdigit():
            retry_after = int(reset) / 1000
        if status == 200 and code is None:
            return ExchangeError("malformed response: the envelope has no code", venue=VENUE, http_status=200)
        return error_from_response(code, message, status, retry_after=retry_after)
