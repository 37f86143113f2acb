"""The audit log, in SQLite: every signal, decision, order and fill, append-only, and the
few tables derived from it that the bridge reads while deciding.

``events`` and ``fills`` refuse updates and deletes (triggers), so history cannot be
rewritten by the bridge or by a hand with a SQL shell. ``signals`` holds each signal's
current state (a projection of its events, written in the same transaction), ``deliveries``
the signatures seen within the replay window, ``flags`` the kill switch.

Calls are synchronous and short (WAL journal): the bridge runs them on its event loop
between awaits, so a check and the write that follows it cannot interleave with another
request's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs

from exchanges import Fill

__all__ = ["LIVE", "PASSING", "AuditLog", "Event", "Halt", "SignalRecord", "State"]

ZERO = Decimal(0)


class State(StrEnum):
    RECEIVED = "received"  # accepted, not yet (known to be) on the venue
    REJECTED = "rejected"
    PLACED = "placed"  # on the venue, open (possibly partly filled)
    FILLED = "filled"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # sent, outcome unknown: being resolved by client order id

    @property
    def is_final(self) -> bool:
        return self in (State.REJECTED, State.FILLED, State.CANCELLED)


#: Why a signal may be refused for now but not for good: the kill switch, an age past which
#: it is not sent unattended, a venue that could not be reached. A re-delivery is judged afresh.
PASSING = frozenset({"halted", "expired", "venue_unavailable"})

#: States in which an order may be (or become) live on the venue.
LIVE = (State.RECEIVED, State.PLACED, State.UNKNOWN)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source TEXT,
    signal_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_signal ON events (source, signal_id);
CREATE TRIGGER IF NOT EXISTS events_append_only_u BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_d BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE IF NOT EXISTS fills (
    fill_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    signal_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    price TEXT NOT NULL,
    size TEXT NOT NULL,
    funds TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_currency TEXT,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_by_symbol ON fills (symbol);
CREATE TRIGGER IF NOT EXISTS fills_append_only_u BEFORE UPDATE ON fills
    BEGIN SELECT RAISE(ABORT, 'fills are append-only'); END;
CREATE TRIGGER IF NOT EXISTS fills_append_only_d BEFORE DELETE ON fills
    BEGIN SELECT RAISE(ABORT, 'fills are append-only'); END;

CREATE TABLE IF NOT EXISTS signals (
    source TEXT NOT NULL,
    signal_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    request TEXT,
    notional TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    error TEXT,
    order_id TEXT,
    filled_size TEXT NOT NULL DEFAULT '0',
    filled_funds TEXT NOT NULL DEFAULT '0',
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source, signal_id)
);
CREATE INDEX IF NOT EXISTS signals_by_state ON signals (state);

CREATE TABLE IF NOT EXISTS deliveries (
    source TEXT NOT NULL,
    delivery TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (source, delivery)
);

CREATE TABLE IF NOT EXISTS flags (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _dumps(value: Any) -> str:
    """JSON for the log: amounts as strings, any text escaped to ASCII (a lone surrogate in
    a sender's string is stored, not choked on)."""
    return json.dumps(value, default=str, ensure_ascii=True, sort_keys=True)


def _plain(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@attrs.frozen(slots=True, kw_only=True)
class SignalRecord:
    """A signal's current state. ``request`` is the order as decided (to resend it after a
    restart), ``None`` for a signal rejected before that."""

    source: str
    signal_id: str
    digest: str
    client_order_id: str
    symbol: str
    side: str
    state: State
    received_at: int
    updated_at: int
    request: Mapping[str, Any] | None = None
    notional: Decimal | None = None
    reason: str | None = None
    error: Mapping[str, Any] | None = None
    order_id: str | None = None
    filled_size: Decimal = ZERO
    filled_funds: Decimal = ZERO

    @property
    def own_error(self) -> dict[str, Any] | None:
        """The bridge's own refusal (code, message, field), if it refused the signal."""
        if self.error is None or "status" not in self.error:
            return None
        return {k: v for k, v in self.error.items() if k not in ("status", "venue_error")}

    @property
    def venue_error(self) -> dict[str, Any] | None:
        """What the venue said when it refused the order (or last failed to take it)."""
        if self.error is None:
            return None
        if "status" in self.error:  # the bridge's refusal, with the venue's failure behind it
            behind = self.error.get("venue_error")
            return dict(behind) if behind is not None else None
        return dict(self.error)

    @property
    def passing(self) -> bool:
        """Refused for a reason that passes (:data:`PASSING`): not a final answer."""
        return self.state is State.REJECTED and (self.error or {}).get("code") in PASSING

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "signal_id": self.signal_id,
            "state": str(self.state),
            "reason": self.reason,
            "symbol": self.symbol,
            "side": self.side,
            "client_order_id": self.client_order_id,
            "order_id": self.order_id,
            "order": dict(self.request) if self.request is not None else None,
            "notional": None if self.notional is None else _plain(self.notional),
            "filled_size": _plain(self.filled_size),
            "filled_funds": _plain(self.filled_funds),
            "error": self.own_error,
            "venue_error": self.venue_error,
            "received_at": self.received_at,
            "updated_at": self.updated_at,
        }


@attrs.frozen(slots=True, kw_only=True)
class Event:
    seq: int
    at_ms: int
    kind: str
    source: str | None
    signal_id: str | None
    data: Mapping[str, Any]


@attrs.frozen(slots=True, kw_only=True)
class Halt:
    by: str
    at_ms: int
    reason: str
    #: Open orders are cancelled, and so is any order that lands while halted.
    cancel_open: bool = False


_COLUMNS = (
    "source, signal_id, digest, client_order_id, symbol, side, request, notional, state, reason, error, "
    "order_id, filled_size, filled_funds, received_at, updated_at"
)


def _committed(
    state: State, request: str | None, notional: Decimal, filled_size: Decimal, filled_funds: Decimal
) -> Decimal:
    if state.is_final:
        return filled_funds
    order = json.loads(request) if request is not None else {}
    if "price" in order and "size" in order:
        return filled_funds + Decimal(order["price"]) * max(Decimal(order["size"]) - filled_size, ZERO)
    return max(notional, filled_funds)


def _record(row: Sequence[Any]) -> SignalRecord:
    return SignalRecord(
        source=row[0],
        signal_id=row[1],
        digest=row[2],
        client_order_id=row[3],
        symbol=row[4],
        side=row[5],
        request=json.loads(row[6]) if row[6] is not None else None,
        notional=_dec(row[7]),
        state=State(row[8]),
        reason=row[9],
        error=json.loads(row[10]) if row[10] is not None else None,
        order_id=row[11],
        filled_size=Decimal(row[12]),
        filled_funds=Decimal(row[13]),
        received_at=row[14],
        updated_at=row[15],
    )


class AuditLog:
    """The bridge's memory. One per process; it survives restarts by being a file."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _event(
        self,
        db: sqlite3.Connection,
        at_ms: int,
        kind: str,
        source: str | None,
        signal_id: str | None,
        data: Any,
    ) -> None:
        db.execute(
            "INSERT INTO events (at_ms, kind, source, signal_id, data) VALUES (?, ?, ?, ?, ?)",
            (at_ms, kind, source, signal_id, _dumps(data)),
        )

    # --- events ---------------------------------------------------------------------------------

    def log(
        self, at_ms: int, kind: str, data: Any, *, source: str | None = None, signal_id: str | None = None
    ) -> None:
        with self._tx() as db:
            self._event(db, at_ms, kind, source, signal_id, data)

    def events(self, source: str | None = None, signal_id: str | None = None) -> list[Event]:
        query = "SELECT seq, at_ms, kind, source, signal_id, data FROM events"
        args: tuple[Any, ...] = ()
        if source is not None:
            query += " WHERE source = ? AND signal_id IS ?"
            args = (source, signal_id)
        rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [
            Event(seq=r[0], at_ms=r[1], kind=r[2], source=r[3], signal_id=r[4], data=json.loads(r[5]))
            for r in rows
        ]

    # --- replay store ---------------------------------------------------------------------------

    def claim_delivery(self, source: str, delivery: str, at_ms: int) -> bool:
        """True the first time a delivery is seen; False for a replay."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO deliveries (source, delivery, at_ms) VALUES (?, ?, ?)",
                (source, delivery, at_ms),
            )
            return cursor.rowcount == 1

    def forget_deliveries(self, before_ms: int) -> None:
        """Deliveries older than the replay window are refused by their timestamp anyway."""
        with self._tx() as db:
            db.execute("DELETE FROM deliveries WHERE at_ms < ?", (before_ms,))

    # --- signals --------------------------------------------------------------------------------

    def signal(self, source: str, signal_id: str) -> SignalRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM signals WHERE source = ? AND signal_id = ?", (source, signal_id)
        ).fetchone()
        return None if row is None else _record(row)

    def in_states(self, *states: State) -> list[SignalRecord]:
        marks = ", ".join("?" for _ in states)
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM signals WHERE state IN ({marks}) ORDER BY received_at",
            [str(s) for s in states],
        ).fetchall()
        return [_record(r) for r in rows]

    def add_signal(
        self, record: SignalRecord, kind: str, data: Mapping[str, Any], *, replace: bool = False
    ) -> SignalRecord:
        """A new signal (accepted or rejected) and its event, together. ``replace`` writes over
        a signal refused for a passing reason, now judged afresh."""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        with self._tx() as db:
            db.execute(
                f"{verb} INTO signals ({_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                (
                    record.source,
                    record.signal_id,
                    record.digest,
                    record.client_order_id,
                    record.symbol,
                    record.side,
                    None if record.request is None else _dumps(record.request),
                    None if record.notional is None else str(record.notional),
                    str(record.state),
                    record.reason,
                    None if record.error is None else _dumps(record.error),
                    record.order_id,
                    str(record.filled_size),
                    str(record.filled_funds),
                    record.received_at,
                    record.updated_at,
                ),
            )
            self._event(db, record.updated_at, kind, record.source, record.signal_id, data)
        return record

    def update(
        self, record: SignalRecord, at_ms: int, kind: str, data: Mapping[str, Any], **changes: Any
    ) -> SignalRecord:
        """``record`` with ``changes`` (state, reason, error, order_id, filled amounts), and
        the event saying why, together."""
        new = attrs.evolve(record, updated_at=at_ms, **changes)
        with self._tx() as db:
            db.execute(
                "UPDATE signals SET state = ?, reason = ?, error = ?, order_id = ?, filled_size = ?, "
                "filled_funds = ?, updated_at = ? WHERE source = ? AND signal_id = ?",
                (
                    str(new.state),
                    new.reason,
                    None if new.error is None else _dumps(new.error),
                    new.order_id,
                    str(new.filled_size),
                    str(new.filled_funds),
                    new.updated_at,
                    new.source,
                    new.signal_id,
                ),
            )
            self._event(db, at_ms, kind, new.source, new.signal_id, {"state": str(new.state), **data})
        return new

    def notional_since(self, since_ms: int, source: str | None = None) -> Decimal:
        """What signals received since ``since_ms`` have committed: what filled, plus what a
        live order may still fill (a limit's unfilled size at its price, a market order's
        valuation less what filled). A cancelled or expired order's unfilled part is released;
        refused signals commit nothing."""
        query = (
            "SELECT state, request, notional, filled_size, filled_funds FROM signals "
            "WHERE received_at >= ? AND state != ? AND notional IS NOT NULL"
        )
        args: list[Any] = [since_ms, str(State.REJECTED)]
        if source is not None:
            query += " AND source = ?"
            args.append(source)
        total = ZERO
        for state, request, notional, filled_size, filled_funds in self._db.execute(query, args):
            total += _committed(
                State(state), request, Decimal(notional), Decimal(filled_size), Decimal(filled_funds)
            )
        return total

    # --- fills and positions --------------------------------------------------------------------

    def add_fills(self, record: SignalRecord, fills: Sequence[Fill]) -> int:
        """Record fills not seen before (by fill id); how many were new."""
        new = 0
        with self._tx() as db:
            for fill in fills:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO fills (fill_id, source, signal_id, order_id, symbol, side, price, "
                    "size, funds, fee, fee_currency, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        fill.id,
                        record.source,
                        record.signal_id,
                        fill.order_id,
                        fill.symbol,
                        str(fill.side),
                        str(fill.price),
                        str(fill.size),
                        str(fill.funds),
                        str(fill.fee),
                        fill.fee_currency,
                        fill.timestamp,
                    ),
                )
                if cursor.rowcount == 1:
                    new += 1
                    data = {
                        "fill_id": fill.id,
                        "order_id": fill.order_id,
                        "symbol": fill.symbol,
                        "side": str(fill.side),
                        "price": fill.price,
                        "size": fill.size,
                        "funds": fill.funds,
                        "fee": fill.fee,
                        "fee_currency": fill.fee_currency,
                    }
                    self._event(db, fill.timestamp, "fill", record.source, record.signal_id, data)
        return new

    def position(self, symbol: str) -> Decimal:
        """Base currency bought less sold on ``symbol``, from the fills."""
        total = ZERO
        for side, size in self._db.execute("SELECT side, size FROM fills WHERE symbol = ?", (symbol,)):
            total += Decimal(size) if side == "buy" else -Decimal(size)
        return total

    def positions(self) -> dict[str, Decimal]:
        symbols = [r[0] for r in self._db.execute("SELECT DISTINCT symbol FROM fills ORDER BY symbol")]
        return {s: self.position(s) for s in symbols}

    # --- the kill switch ------------------------------------------------------------------------

    def halt(self) -> Halt | None:
        row = self._db.execute("SELECT value FROM flags WHERE name = 'halt'").fetchone()
        return None if row is None else Halt(**json.loads(row[0]))

    def set_halt(self, halt: Halt | None, at_ms: int, by: str) -> None:
        with self._tx() as db:
            if halt is None:
                db.execute("DELETE FROM flags WHERE name = 'halt'")
                self._event(db, at_ms, "resume", by, None, {})
            else:
                value = attrs.asdict(halt)
                db.execute("INSERT OR REPLACE INTO flags (name, value) VALUES ('halt', ?)", (_dumps(value),))
                self._event(db, at_ms, "halt", by, None, value)
