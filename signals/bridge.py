"""The bridge itself, without HTTP: a signed delivery in, a decision, an order out.

Each step can refuse, and says why: the sender (401), its rate (429), the body (400), a
replay (409), the signal's fields (422), the pair (403), the venue's market rules (422),
the limits (422), the kill switch (503). A refusal after the signal was read is recorded
as the signal's final state, so a re-delivery gets the same answer; a refusal for a passing
reason (the kill switch, the venue unreachable, a signal left too long unsent) is not: a
re-delivery is judged afresh, and placed if it is valid then.

The checks against the limits and the write that reserves the order happen with no await
between them: two signals arriving together cannot both fit under a cap only one fits under.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    Clock,
    ConfigurationError,
    Exchange,
    ExchangeError,
    InvalidOrder,
    Market,
    OrderNotFound,
    OrderRequest,
    OrderType,
    Side,
    SlidingWindowPool,
    SystemClock,
    conform_order,
    connect_from,
    floor_to_increment,
    unified_symbol,
    validate_order,
)

from .auth import SOURCE, Authenticated, authenticate
from .config import BridgeConfig, SourceConfig
from .errors import Refusal, venue_error
from .executor import Executor, request_json
from .ids import client_order_id
from .risk import Exposure, check_limits, plain
from .schema import SIGNAL_ID, Signal, parse_json, parse_signal
from .store import LIVE, AuditLog, Halt, SignalRecord, State

__all__ = ["Bridge", "Reply"]

log = logging.getLogger("signals")
_DAY_MS = 86_400_000
_AUTH_ERRORS = frozenset(
    c.__name__ for c in [AuthenticationError, *AuthenticationError.__subclasses__()] if isinstance(c, type)
)
_HALT_FIELDS = ("halt", "cancel_open", "reason")


@attrs.frozen(slots=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def refused(cls, refusal: Refusal) -> Reply:
        headers = {"Retry-After": str(max(1, round(refusal.retry_after)))} if refusal.retry_after else {}
        return cls(refusal.status, refusal.body(), headers)


class _KeyLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class _Final(Refusal):
    """A refusal that becomes the signal's recorded state."""


def _final(status: int, code: str, message: str, field: str | None = None) -> _Final:
    return _Final(status, code, message, field=field)


def _status(record: SignalRecord) -> int:
    if record.state in (State.RECEIVED, State.UNKNOWN):
        return 202
    if record.state is not State.REJECTED:
        return 200
    error = record.error or {}
    if "status" in error:
        return int(error["status"])
    if error.get("type") in _AUTH_ERRORS:
        return 502  # the venue refused the bridge's own credentials
    return 503 if error.get("retryable") else 422


class Bridge:
    """Signals to orders on one exchange. ``opener`` makes the exchange (default:
    ``exchanges.connect_from(config.venue)``, paper unless the configuration says otherwise)."""

    def __init__(
        self,
        config: BridgeConfig,
        *,
        opener: Callable[[], Exchange] | None = None,
        clock: Clock | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self._opener = opener or (lambda: connect_from(config.venue, environ=environ))
        self._pools = {
            s.name: SlidingWindowPool(s.rate_limit, s.rate_window_s, self.clock, name=s.name)
            for s in config.sources
        }
        self._audit: AuditLog | None = None
        self._executor: Executor | None = None
        self._markets: dict[str, Market] | None = None
        self._markets_at = 0  # (ms: when they were last read)
        self._markets_lock = asyncio.Lock()
        self._locks: dict[tuple[str, str], _KeyLock] = {}
        self._work: dict[tuple[str, str], asyncio.Task[SignalRecord | None]] = {}
        self._sync_task: asyncio.Task[None] | None = None

    # --- life -----------------------------------------------------------------------------------

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            raise RuntimeError("the bridge is not started")
        return self._audit

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            raise RuntimeError("the bridge is not started")
        return self._executor

    async def start(self) -> None:
        """Open the log and the venue, then take up whatever a previous run left unfinished
        (once: a second call does nothing)."""
        if self._audit is not None:
            return
        exchange = self._opener()
        try:
            client_order_id(exchange.venue, "check", "check")
        except ValueError as err:
            await exchange.close()
            raise ConfigurationError(f"venue {exchange.venue!r}: {err}") from None
        self._audit = AuditLog(self.config.database)
        self._executor = Executor(exchange, self._audit, self.config, self.clock, lambda: self.audit.halt())
        self._audit.forget_deliveries(self.clock.now_ms() - 2 * int(self.config.replay_window_s * 1000))
        with contextlib.suppress(Refusal):  # (unreachable now: the first signal tries again)
            await self._load_markets()
        for record in self.audit.in_states(State.RECEIVED, State.UNKNOWN):
            self._spawn(record, self.executor.resolve)
        if self.config.sync_interval_s > 0:
            self._sync_task = asyncio.create_task(self._sync_forever())
        log.info(
            "bridge on %s: %d source(s), audit log %s",
            exchange.venue,
            len(self.config.sources),
            self.config.database,
        )

    async def stop(self) -> None:
        """Stop work in flight (it is taken up again at the next start) and close."""
        tasks = [t for t in (self._sync_task, *self._work.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._work.clear()
        if self._executor is not None:
            await self._executor.exchange.close()
        if self._audit is not None:
            self._audit.close()
        self._audit = self._executor = None

    async def _sync_forever(self) -> None:
        while True:
            await self.clock.sleep(self.config.sync_interval_s)
            try:
                await self.sync()
            except Exception:
                log.exception("sync failed")

    async def sync(self) -> None:
        """Read back live orders and their fills; take up unknown and unfinished ones."""
        reads = [self._spawn(r, self.executor.refresh) for r in self.audit.in_states(State.PLACED)]
        await asyncio.gather(*reads)
        for record in self.audit.in_states(State.RECEIVED, State.UNKNOWN):
            self._spawn(record, self.executor.resolve)
        self.audit.forget_deliveries(self.clock.now_ms() - 2 * int(self.config.replay_window_s * 1000))

    # --- background work, one task per signal ---------------------------------------------------

    def _busy(self, record: SignalRecord) -> bool:
        task = self._work.get((record.source, record.signal_id))
        return task is not None and not task.done()

    def _spawn(
        self, record: SignalRecord, step: Callable[[SignalRecord], Coroutine[Any, Any, SignalRecord]]
    ) -> asyncio.Task[SignalRecord | None]:
        key = (record.source, record.signal_id)
        running = self._work.get(key)
        if running is not None and not running.done():
            return running
        task = asyncio.create_task(self._guarded(record, step))
        self._work[key] = task
        task.add_done_callback(lambda done: self._work.pop(key) if self._work.get(key) is done else None)
        return task

    async def _guarded(
        self, record: SignalRecord, step: Callable[[SignalRecord], Coroutine[Any, Any, SignalRecord]]
    ) -> SignalRecord | None:
        try:
            return await step(record)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not take the bridge down; the state stays as recorded
            log.exception("signal %s/%s: work failed", record.source, record.signal_id)
            return None

    async def _place(self, record: SignalRecord) -> SignalRecord:
        """Send; an unknown outcome is resolved at once (the sender may still be waiting)."""
        record = await self.executor.place(record)
        if record.state is State.UNKNOWN:
            record = await self.executor.resolve(record)
        return record

    async def _place_again(self, record: SignalRecord) -> SignalRecord:
        """A signal judged afresh: looked for first, then sent as any other."""
        record = await self.executor.place_after_look(record)
        if record.state is State.UNKNOWN:
            record = await self.executor.resolve(record)
        return record

    # --- admission ------------------------------------------------------------------------------

    def _admit(self, source: SourceConfig) -> None:
        wait = self._pools[source.name].try_acquire()
        if wait > 0:
            raise Refusal(
                429,
                "rate_limited",
                f"source {source.name} sent more than {source.rate_limit} requests "
                f"in {source.rate_window_s:g} s",
                retry_after=wait,
            )

    def _authenticated(self, headers: Mapping[str, str], payload: bytes, path: str) -> Authenticated:
        try:
            auth = authenticate(self.config, headers, payload, now_ms=self.clock.now_ms())
            self._admit(auth.source)
        except Refusal as refusal:
            self._refused_at_door(refusal, headers, payload, path)
            raise
        return auth

    def _parsed(self, headers: Mapping[str, str], body: bytes, path: str) -> dict[str, Any]:
        try:
            return parse_json(body)
        except Refusal as refusal:
            self._refused_at_door(refusal, headers, body, path)
            raise

    def _refused_at_door(
        self, refusal: Refusal, headers: Mapping[str, str], payload: bytes, path: str
    ) -> None:
        """A request turned away before any signal was read (401, 429, 400), in the audit log:
        the source it claimed, the path, the refusal and the body's size; never the body, the
        signature or a secret. The source column is set only for a source that proved itself."""
        claimed = headers.get(SOURCE, "")[:32]
        proved = refusal.status != 401 and self.config.source(claimed) is not None
        data = {
            "status": refusal.status,
            "error": refusal.body()["error"],
            "claimed_source": claimed or None,
            "path": path[:100],
            "bytes": len(payload),
        }
        self.audit.log(self.clock.now_ms(), "refused", data, source=claimed if proved else None)

    def _claim(self, auth: Authenticated, signal_id: Any) -> None:
        now = self.clock.now_ms()
        if not self.audit.claim_delivery(auth.source.name, auth.delivery, now):
            shown = signal_id if isinstance(signal_id, str) and SIGNAL_ID.fullmatch(signal_id) else None
            self.audit.log(
                now, "replayed", {"delivery": auth.delivery}, source=auth.source.name, signal_id=shown
            )
            raise Refusal(
                409, "replayed", "this delivery (its signature) was received before: a replay is refused"
            )

    # --- signals --------------------------------------------------------------------------------

    async def submit(self, headers: Mapping[str, str], body: bytes) -> Reply:
        """One ``POST /signal``."""
        try:
            auth = self._authenticated(headers, body, "/signal")
            data = self._parsed(headers, body, "/signal")
            self._claim(auth, data.get("signal_id"))
            given = data.get("signal_id")
            async with self._one_at_a_time((auth.source.name, given if isinstance(given, str) else "")):
                return await self._submit(auth.source, data)
        except Refusal as refusal:
            return Reply.refused(refusal)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, key: tuple[str, str]) -> AsyncIterator[None]:
        """Deliveries of one signal id are decided in turn: the second sees the first's record."""
        entry = self._locks.setdefault(key, _KeyLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if not entry.users:
                del self._locks[key]

    async def _submit(self, source: SourceConfig, data: dict[str, Any]) -> Reply:
        now = self.clock.now_ms()
        try:
            signal = parse_signal(data, source=source.name)
        except Refusal as refusal:
            self.audit.log(
                now, "invalid", {"body": data, "error": refusal.body()["error"]}, source=source.name
            )
            raise
        existing = self.audit.signal(source.name, signal.signal_id)
        afresh = existing is not None and existing.passing and existing.digest == signal.digest()
        if existing is not None and not afresh:
            return self._again(existing, signal)
        try:
            request, notional, size = await self._decide(source, signal)
            return await self._accept(source, signal, request, notional, size, data, replace=afresh)
        except _Final as refusal:
            record = self._reject(source, signal, refusal, data, replace=afresh)
            reply = Reply.refused(refusal)
            return Reply(reply.status, {**reply.body, "duplicate": False, "signal": record.to_json()})
        except Refusal as refusal:  # for now: the signal stays as it was, a re-delivery is judged again
            error = refusal.body()["error"]
            self.audit.log(now, "refused", {"error": error}, source=source.name, signal_id=signal.signal_id)
            log.info("signal %s/%s: refused for now (%s)", source.name, signal.signal_id, refusal.message)
            raise

    def _again(self, existing: SignalRecord, signal: Signal) -> Reply:
        """A signal id seen before: the same signal gets its state; another is refused."""
        if existing.digest != signal.digest():
            raise Refusal(
                409,
                "signal_id_reused",
                f"signal_id {signal.signal_id} was used for a different signal",
                field="signal_id",
            )
        self.audit.log(
            self.clock.now_ms(), "duplicate", {}, source=existing.source, signal_id=existing.signal_id
        )
        return Reply(_status(existing), {"duplicate": True, "signal": existing.to_json()})

    def _reject(
        self,
        source: SourceConfig,
        signal: Signal,
        refusal: Refusal,
        data: dict[str, Any],
        *,
        replace: bool = False,
    ) -> SignalRecord:
        now = self.clock.now_ms()
        error = {**refusal.body()["error"], "status": refusal.status}
        record = SignalRecord(
            source=source.name,
            signal_id=signal.signal_id,
            digest=signal.digest(),
            client_order_id=self._client_order_id(source, signal),
            symbol=self._unified(signal.symbol),
            side=str(signal.side),
            state=State.REJECTED,
            reason=refusal.message,
            error=error,
            received_at=now,
            updated_at=now,
        )
        self.audit.add_signal(record, "rejected", {"body": data, "error": error}, replace=replace)
        log.info("signal %s/%s: rejected (%s)", source.name, signal.signal_id, refusal.message)
        return record

    def _market(self, symbol: str) -> Market | None:
        markets = self._markets or {}
        return markets.get(symbol) or markets.get(symbol.upper())

    def _unified(self, symbol: str) -> str:
        """``symbol`` as the unified ``BASE/QUOTE`` when it can be told: the venue's market
        of that name, or a pair written with a separator; otherwise as sent."""
        market = self._market(symbol)
        if market is not None:
            return market.symbol
        for separator in ("-", "_", "/"):
            base, found, quote = symbol.upper().partition(separator)
            if found:
                try:
                    return unified_symbol(base, quote)
                except BadSymbol:
                    return symbol
        return symbol

    def _client_order_id(self, source: SourceConfig, signal: Signal) -> str:
        return client_order_id(
            self.executor.exchange.venue, source.name, signal.signal_id, self.config.namespace
        )

    async def _load_markets(self, *, reload: bool = False) -> dict[str, Market]:
        """The venue's markets by unified name and by its own, read once and again on
        ``reload``."""
        async with self._markets_lock:
            if self._markets is None or reload:
                exchange = self.executor.exchange
                try:
                    markets = await self.executor.call(lambda: exchange.load_markets(reload=reload))
                except (ExchangeError, TimeoutError) as err:
                    log.warning("markets not loaded: %s", err)
                    raise Refusal(
                        503, "venue_unavailable", f"the venue's markets cannot be read now: {err}"
                    ) from None
                by_name: dict[str, Market] = {}
                for market in markets.values():
                    by_name[market.symbol] = by_name[market.id] = market
                self._markets = by_name
                self._markets_at = self.clock.now_ms()
            return self._markets

    async def _find_market(self, symbol: str) -> Market | None:
        """The market ``symbol`` names; an unknown one reloads the markets first (a pair may
        have been listed since), at most once per ``markets_refresh_s``."""
        await self._load_markets()
        market = self._market(symbol)
        due = self._markets_at + int(self.config.markets_refresh_s * 1000) <= self.clock.now_ms()
        if market is None and due:
            log.info("unknown pair %s: reloading the venue's markets", symbol[:40])
            await self._load_markets(reload=True)
            market = self._market(symbol)
        return market

    async def _decide(self, source: SourceConfig, signal: Signal) -> tuple[OrderRequest, Decimal, Decimal]:
        if self.audit.halt() is not None:
            raise Refusal(503, "halted", "the bridge is halted: no new orders")
        market = await self._find_market(signal.symbol)
        if market is None:
            raise _final(422, "unknown_pair", f"{signal.symbol} is not a pair of the venue", "symbol")
        if market.symbol not in source.pairs:
            raise _final(
                403,
                "pair_not_allowed",
                f"{market.symbol} is not on source {source.name}'s allowlist",
                "symbol",
            )
        request = self._order(source, signal, market)
        return request, *await self._valuation(request)

    def _order(self, source: SourceConfig, signal: Signal, market: Market) -> OrderRequest:
        """The order the signal asks for, on the market's grid (rounded on the safe side, or
        refused, as configured)."""
        size = signal.size
        funds = signal.funds
        if signal.type is OrderType.LIMIT and funds is not None:
            assert signal.price is not None
            size = floor_to_increment(funds / signal.price, market.size_increment)
            funds = None
            if size <= 0:
                raise _final(
                    422, "invalid_order", f"funds {signal.funds} buy less than one size increment", "funds"
                )
        try:
            request = OrderRequest(
                symbol=market.symbol,
                side=signal.side,
                type=signal.type,
                price=signal.price,
                size=size,
                funds=funds,
                time_in_force=signal.time_in_force,
                client_order_id=self._client_order_id(source, signal),
                remark=signal.client_tag,
            )
            if self.config.precision == "round":
                return conform_order(request, market)
            validate_order(request, market)
        except (InvalidOrder, BadRequest) as err:
            field = getattr(err, "field", None) or None
            raise _final(
                422, "invalid_order", err.message, "size" if field == "visible_size" else field
            ) from None
        return request

    async def _valuation(self, request: OrderRequest) -> tuple[Decimal, Decimal]:
        """What the order is worth in the limits' currency, and its size in base currency,
        each at most what it can come to: a market buy can fill above the ask (valued at the
        ask plus ``market_margin``), a market sell not above the bid (but it may need more
        size than the bid says to raise its funds)."""
        if request.price is not None and request.size is not None:
            return request.price * request.size, request.size
        price = await self._reference_price(request)
        margin = self.config.limits.market_margin
        if request.funds is not None:
            worst = price if request.side is Side.BUY else price * (1 - margin)
            return request.funds, request.funds / worst
        assert request.size is not None
        worst = price * (1 + margin) if request.side is Side.BUY else price
        return worst * request.size, request.size

    async def _reference_price(self, request: OrderRequest) -> Decimal:
        """What a market order is valued at: the side of the book it takes from."""
        try:
            ticker = await self.executor.call(lambda: self.executor.exchange.fetch_ticker(request.symbol))
        except (ExchangeError, TimeoutError) as err:
            raise Refusal(503, "venue_unavailable", f"no price to value a market order with: {err}") from None
        price = (ticker.ask if request.side is Side.BUY else ticker.bid) or ticker.last
        if price is None:
            raise Refusal(
                503, "venue_unavailable", f"no price on {request.symbol} to value a market order with"
            )
        return price

    def _exposure(self, source: SourceConfig, symbol: str) -> Exposure:
        now = self.clock.now_ms()
        today = now - now % _DAY_MS
        live = self.audit.in_states(*LIVE)
        open_buys = open_sells = Decimal(0)
        for record in live:
            if record.symbol != symbol or record.request is None or "size" not in record.request:
                continue
            left = Decimal(record.request["size"]) - record.filled_size
            if record.side == "buy":
                open_buys += left
            else:
                open_sells += left
        return Exposure(
            spent_today=self.audit.notional_since(today),
            spent_today_by_source=self.audit.notional_since(today, source.name),
            open_orders=len(live),
            position=self.audit.position(symbol),
            open_buys=open_buys,
            open_sells=open_sells,
        )

    async def _accept(
        self,
        source: SourceConfig,
        signal: Signal,
        request: OrderRequest,
        notional: Decimal,
        size: Decimal,
        data: dict[str, Any],
        *,
        replace: bool = False,
    ) -> Reply:
        # From here to the spawn: no await, so the limits see every earlier decision.
        if self.audit.halt() is not None:
            raise Refusal(503, "halted", "the bridge is halted: no new orders")
        try:
            check_limits(
                symbol=request.symbol,
                side=request.side,
                size=size,
                notional=notional,
                limits=self.config.limits,
                source=source,
                exposure=self._exposure(source, request.symbol),
            )
        except Refusal as refusal:
            raise _final(refusal.status, refusal.code, refusal.message) from None
        now = self.clock.now_ms()
        record = SignalRecord(
            source=source.name,
            signal_id=signal.signal_id,
            digest=signal.digest(),
            client_order_id=request.client_order_id or "",
            symbol=request.symbol,
            side=str(request.side),
            state=State.RECEIVED,
            request=request_json(request),
            notional=notional,
            received_at=now,
            updated_at=now,
        )
        self.audit.add_signal(
            record, "accepted", {"body": data, "order": record.request, "notional": notional}, replace=replace
        )
        log.info(
            "signal %s/%s: accepted, %s %s %s",
            source.name,
            signal.signal_id,
            request.side,
            request.symbol,
            notional,
        )
        task = self._spawn(record, self._place_again if replace else self._place)
        done, _ = await asyncio.wait({task}, timeout=self.config.respond_within_s)
        current = self.audit.signal(source.name, signal.signal_id) or record
        body: dict[str, Any] = {"duplicate": False, "signal": current.to_json()}
        if not done:
            body["message"] = (
                "the venue has not answered yet: the order is being placed; see GET /signals/{id}"
            )
        return Reply(_status(current), body)

    async def status(self, headers: Mapping[str, str], path: str, signal_id: str) -> Reply:
        """One ``GET /signals/{id}`` (signed over the path): the signal's state, read back from
        the venue first when its order is live."""
        try:
            auth = self._authenticated(headers, path.encode(), path)
            record = self.audit.signal(auth.source.name, signal_id)
            if record is None:
                raise Refusal(404, "not_found", f"no signal {signal_id!r} from source {auth.source.name}")
            if record.state is State.PLACED and not self._busy(record):
                task = self._spawn(record, self.executor.refresh)
                await asyncio.wait({task}, timeout=self.config.respond_within_s)
                record = self.audit.signal(auth.source.name, signal_id) or record
            return Reply(200, {"signal": record.to_json()})
        except Refusal as refusal:
            return Reply.refused(refusal)

    async def positions(self, headers: Mapping[str, str], path: str) -> Reply:
        """``GET /positions``: positions from fills, today's spending, what is live."""
        try:
            self._authenticated(headers, path.encode(), path)
            now = self.clock.now_ms()
            halt = self.audit.halt()
            return Reply(
                200,
                {
                    "positions": {s: plain(p) for s, p in self.audit.positions().items()},
                    "spent_today": plain(self.audit.notional_since(now - now % _DAY_MS)),
                    "currency": self.config.limits.currency,
                    "open_orders": len(self.audit.in_states(*LIVE)),
                    "halted": halt is not None,
                },
            )
        except Refusal as refusal:
            return Reply.refused(refusal)

    # --- the kill switch ------------------------------------------------------------------------

    async def halt(self, headers: Mapping[str, str], body: bytes) -> Reply:
        """``POST /halt``: ``{"halt": true, "cancel_open": true, "reason": "..."}`` stops new
        orders (and cancels the bridge's open ones); ``{"halt": false}`` resumes."""
        try:
            auth = self._authenticated(headers, body, "/halt")
            data = self._parsed(headers, body, "/halt")
            self._claim(auth, None)
            if not auth.source.can_halt:
                raise Refusal(403, "not_allowed", f"source {auth.source.name} may not halt the bridge")
            halt, cancel_open, reason = _halt_request(data)
            now = self.clock.now_ms()
            if not halt:
                self.audit.set_halt(None, now, auth.source.name)
                log.warning("resumed by %s", auth.source.name)
                return Reply(200, {"halted": False})
            halt_state = Halt(by=auth.source.name, at_ms=now, reason=reason, cancel_open=cancel_open)
            self.audit.set_halt(halt_state, now, auth.source.name)
            log.warning("halted by %s: %s", auth.source.name, reason)
            cancelled, failed = await self._cancel_open() if cancel_open else ([], [])
            return Reply(200, {"halted": True, "cancelled": cancelled, "failed": failed})
        except Refusal as refusal:
            return Reply.refused(refusal)

    async def _cancel_open(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        cancelled: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for record in self.audit.in_states(State.PLACED):
            entry = {"source": record.source, "signal_id": record.signal_id}
            try:
                done = await self.executor.cancel(record)
            except OrderNotFound:  # done meanwhile (filled): read it back
                done = await self.executor.refresh(record)
            except (ExchangeError, TimeoutError) as err:
                failed.append(
                    {**entry, "error": venue_error(err) if isinstance(err, ExchangeError) else str(err)}
                )
                continue
            cancelled.append({**entry, "state": str(done.state)})
        return cancelled, failed

    def health(self) -> Reply:
        halted = self._audit is not None and self._audit.halt() is not None
        venue = self._executor.exchange.venue if self._executor is not None else None
        return Reply(
            200, {"status": "ok", "venue": venue, "halted": halted, "markets": self._markets is not None}
        )


def _halt_request(data: dict[str, Any]) -> tuple[bool, bool, str]:
    unknown = sorted(k for k in data if k not in _HALT_FIELDS)
    if unknown:
        raise Refusal(422, "invalid_request", f"{unknown[0][:40]}: unknown field", field=unknown[0][:40])
    halt = data.get("halt")
    if not isinstance(halt, bool):
        raise Refusal(422, "invalid_request", "halt: expected true or false", field="halt")
    cancel_open = data.get("cancel_open", False)
    if not isinstance(cancel_open, bool):
        raise Refusal(422, "invalid_request", "cancel_open: expected true or false", field="cancel_open")
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 200:
        raise Refusal(
            422, "invalid_request", "reason: expected a string of at most 200 characters", field="reason"
        )
    return halt, cancel_open, reason
