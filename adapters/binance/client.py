"""The HTTP layer: one transport, signing, clock offset, weight and order budgets, 429s and
418 bans, errors.

Everything above it calls :meth:`BinanceClient.call` with an endpoint from the table and its
parameters, and gets the decoded JSON back, or an ``exchanges`` error. GET and DELETE send
their parameters in the query string, POST and PUT in a form body (as CCXT and
python-binance do); either way the signature is over exactly the bytes sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx

from adapters.common.http import decode_json, fast_transport, send_within
from exchanges import (
    AuthenticationError,
    Clock,
    ExchangeError,
    ExchangeUnavailable,
    InvalidTimestamp,
    NetworkError,
    RateLimitExceeded,
    RateLimitRegistry,
    RequestTimeout,
    SystemClock,
    default_registry,
)

from .credentials import BinanceCredentials
from .endpoints import Endpoint, endpoint, weight_for
from .errors import VENUE, error_from_response
from .limits import BanBook, Budgets, bans_for
from .options import BinanceOptions
from .signing import encode_params, with_signature

__all__ = ["BinanceClient"]

log = logging.getLogger("adapters.binance")

TIME = endpoint("GET", "/api/v3/time")
_DEFAULT_429_WAIT = 1.0
_BANNED_UNTIL = re.compile(r"banned until (\d{12,14})")
_HEADERS = (("Accept", "application/json"), ("User-Agent", "exchanges-binance/0.1"))
_FORM = ("Content-Type", "application/x-www-form-urlencoded")
_BODY_METHODS = frozenset({"POST", "PUT"})


@attrs.define
class _Tries:
    """What one call has spent of its retries so far."""

    may_retry_429: bool
    reads: int
    rate: int = 0
    resynced: bool = False


class BinanceClient:
    """Signed, rate-limited Binance requests over one httpx transport."""

    def __init__(
        self,
        options: BinanceOptions,
        credentials: BinanceCredentials | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        registry: RateLimitRegistry | None = None,
    ) -> None:
        self.options = options
        self.credentials = credentials
        self.clock: Clock = clock or SystemClock()
        registry = registry if registry is not None else default_registry
        if transport is None:
            transport = (fast_transport() if options.fast_transport else None) or httpx.AsyncHTTPTransport()
        self._transport = transport
        self._base_url = options.base_url
        self._extensions = {"timeout": httpx.Timeout(options.timeout).as_dict()}
        self._urls: dict[str, httpx.URL] = {}
        self.host = urlsplit(options.base_url).netloc
        self.budgets = Budgets(
            registry,
            self.clock,
            host=self.host,
            account=credentials.fingerprint if credentials is not None else None,
            limits={
                ("REQUEST_WEIGHT", "1M"): options.weight_per_minute,
                ("ORDERS", "10S"): options.orders_per_10s,
                ("ORDERS", "1D"): options.orders_per_day,
            },
        )
        self.bans: BanBook = bans_for(registry)
        self.offset_ms: int | None = None
        self._offset_lock = asyncio.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"BinanceClient(base_url={self.options.base_url!r}, credentials={self.credentials!r})"

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """Release the connections; harmless twice. Any call afterwards raises ``ExchangeError``."""
        if self._closed:
            return
        self._closed = True
        await self._transport.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise ExchangeError("exchange is closed", venue=VENUE)

    # --- clock -----------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms() + (self.offset_ms or 0)

    async def server_time(self) -> int:
        data = await self.call(TIME)
        return int(data["serverTime"])

    async def sync_clock(self) -> int:
        """Measure the offset to Binance's clock (half the round trip assumed each way),
        timed around the HTTP exchange alone, not a wait for budget before it."""
        span: list[int] = []
        data = await self.call(TIME, timing=span)
        before, after = span
        self.offset_ms = int(data["serverTime"]) - (before + after) // 2
        log.debug("binance clock offset %d ms", self.offset_ms)
        return self.offset_ms

    async def ensure_offset(self) -> None:
        """Measure the clock offset unless it is known (before the first signed call)."""
        if self.offset_ms is None:
            async with self._offset_lock:
                if self.offset_ms is None:
                    await self.sync_clock()

    # --- requests --------------------------------------------------------------------------------

    def _encoded(self, ep: Endpoint, params: Mapping[str, object] | None) -> str:
        """The parameters as sent, signed (the signature last) when the endpoint is."""
        if not ep.signed:
            return encode_params(params) if params else ""
        assert self.credentials is not None
        signed = {**(params or {}), "recvWindow": self.options.recv_window, "timestamp": self.now_ms()}
        payload = encode_params(signed)
        return with_signature(payload, self.credentials.sign(payload))

    async def call(
        self,
        ep: Endpoint,
        params: Mapping[str, object] | None = None,
        *,
        retry_rate_limit: bool | None = None,
        timing: list[int] | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON.

        A 429 is waited out (``Retry-After``) and retried when ``retry_rate_limit`` (default:
        the endpoint is a read); a 418 bans the host until it ends; a ``-1021`` re-measures
        the clock offset and retries once; a read that fails in transit or answers 5xx is
        retried (``max_read_retries``). After :meth:`aclose` every call raises
        ``ExchangeError("exchange is closed")``. ``timing``, when given, receives the local
        times (ms) the answered exchange was sent and received.
        """
        self._check_open()
        if ep.needs_key and self.credentials is None:
            raise AuthenticationError(
                f"{ep.method} {ep.path} needs API credentials (BinanceCredentials)", venue=VENUE
            )
        if ep.signed:
            await self.ensure_offset()
        limited = self.options.rate_limit
        weight = weight_for(ep, params)
        tries = _Tries(
            may_retry_429=ep.safe_to_retry if retry_rate_limit is None else retry_rate_limit,
            reads=0 if ep.safe_to_retry else self.options.max_read_retries,  # (none for writes)
        )
        while True:
            self.bans.check(self.host, self.clock.now_ms())
            if limited:
                await self.budgets.charge(ep, weight)
            self._check_open()
            sent_ms = self.clock.now_ms() if timing is not None else 0
            try:
                response = await self._send(ep, self._encoded(ep, params))
            except NetworkError:
                if tries.reads >= self.options.max_read_retries:
                    raise
                tries.reads = await self._pause_before_read_retry(tries.reads)
                continue
            if limited:
                self.budgets.observe(response.headers, self.now_ms())
            payload = decode_json(response.content)
            if response.status_code == 200:
                if payload is None and response.content.strip() not in (b"", b"null"):
                    raise ExchangeError("malformed response: not JSON", venue=VENUE, http_status=200)
                if timing is not None:
                    timing[:] = (sent_ms, self.clock.now_ms())
                return payload
            error = self._error(response.status_code, payload, response.headers)
            log.debug("binance %s %s -> HTTP %d %s", ep.method, ep.path, response.status_code, error)
            if not await self._worth_retrying(ep, error, tries):
                raise error

    async def _worth_retrying(self, ep: Endpoint, error: ExchangeError, tries: _Tries) -> bool:
        """Whether a refused call goes out again, after whatever wait the refusal asks for: a
        stale clock is re-measured once; a 429 blocks its budget (and is resent when the call
        may be); a 418 never is; a 5xx or timeout is retried with backoff while read retries
        remain."""
        if isinstance(error, InvalidTimestamp) and ep.signed and not tries.resynced:
            tries.resynced = True
            await self.sync_clock()
            return True
        if isinstance(error, RateLimitExceeded):
            if error.http_status == 418:
                return False
            wait = error.retry_after if error.retry_after is not None else _DEFAULT_429_WAIT
            self.budgets.block("ORDERS" if error.code == "-1015" else "REQUEST_WEIGHT", wait)
            if (
                self.options.rate_limit
                and tries.may_retry_429
                and tries.rate < self.options.max_rate_limit_retries
            ):
                tries.rate += 1
                return True
            return False
        if (
            isinstance(error, (ExchangeUnavailable, RequestTimeout))
            and tries.reads < self.options.max_read_retries
        ):
            tries.reads = await self._pause_before_read_retry(tries.reads)
            return True
        return False

    async def _pause_before_read_retry(self, done: int) -> int:
        if self.options.read_retry_delay > 0:
            await self.clock.sleep(self.options.read_retry_delay * 2**done)
        return done + 1

    async def _send(self, ep: Endpoint, encoded: str) -> httpx.Response:
        """POST and PUT carry the parameters as a form body (the URL stays the same, and is
        parsed once); GET and DELETE in the query string. What is signed is what is sent."""
        headers: tuple[tuple[str, str], ...] = _HEADERS
        if ep.needs_key and self.credentials is not None:
            # (no local list holding it: a traceback printing locals would show the key)
            headers = (*headers, ("X-MBX-APIKEY", self.credentials.api_key))
        if ep.method in _BODY_METHODS:
            url = self._urls.get(ep.path)
            if url is None:
                url = self._urls[ep.path] = httpx.URL(self._base_url + ep.path)
            headers = (*headers, _FORM)
            content: bytes | None = encoded.encode()
        else:
            url = httpx.URL(f"{self._base_url}{ep.path}?{encoded}" if encoded else self._base_url + ep.path)
            content = None
        request = httpx.Request(ep.method, url, headers=headers, content=content, extensions=self._extensions)
        timeout = self.options.timeout
        return await send_within(self._transport, request, timeout, venue=VENUE, closed=self._closed)

    def _error(self, status: int, payload: Any, headers: httpx.Headers) -> ExchangeError:
        code: str | None = None
        message = ""
        if isinstance(payload, Mapping):
            raw_code = payload.get("code")
            code = str(raw_code) if raw_code is not None else None
            message = str(payload.get("msg") or "")
        retry_after = _seconds(headers.get("Retry-After"))
        if status == 418:
            found = _BANNED_UNTIL.search(message)
            now = self.clock.now_ms()
            until = int(found.group(1)) - (self.offset_ms or 0) if found else None
            if until is None or until <= now:
                until = now + round((retry_after if retry_after is not None else 120.0) * 1000)
            self.bans.ban(self.host, until)
            retry_after = (until - now) / 1000
        error = error_from_response(code, message, status, retry_after=retry_after)
        if isinstance(payload, Mapping) and payload.get("data") is not None:
            error.details = MappingProxyType({"data": payload["data"]})
        return error


def _seconds(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None
