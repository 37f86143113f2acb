"""The WebSocket server's state: tokens, connections, who is subscribed to what, and the
venue's events turned into frames for them (NOTES 9).

A client message is handled at once: ``ping`` (a ``pong`` with its id), ``subscribe`` and
``unsubscribe`` (an ``ack`` when ``response`` is true, or KuCoin's error: 400 topic invalid,
403 private topic on a public connection, 404 unknown topic or symbol, 406 no topic, 509
too many topics per request or per connection); anything else is a 415. More than
``messages_per_window`` messages in ``window_s`` is KuCoin's 509, then the connection ends.

Feeds (:mod:`.ws_market`, :mod:`.ws_private`) are started by a topic's first subscriber and
stopped with its last, and the venue is listened to only while anything is subscribed.
Work that must wait until the venue call that caused it has returned (publishing a book's
changes, reading new ledger lines) runs soon after, from the event loop; periodic topics
are pushed by a ticker task on the facade's clock.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterable

import orjson

from exchanges import Clock
from simulator.venue import Venue, VenueEvent

from .ws_market import MarketFeeds
from .ws_private import PrivateFeeds
from .ws_session import DATA, Close, Send, WsSession
from .ws_settings import WsFaults, WsLimits
from .ws_tokens import Grant, Tokens
from .ws_topics import TopicError, TopicKind, parse_topic

__all__ = ["WsHub"]

log = logging.getLogger("simulator.kucoin.ws")

#: How often periodic topics are looked at (KuCoin's fastest, level 1, pushes every 10 ms).
TICK_S = 0.01


class WsHub:
    def __init__(self, venue: Venue, clock: Clock, limits: WsLimits, faults: WsFaults | None = None) -> None:
        self.venue = venue
        self.clock = clock
        self.limits = limits
        #: The faults every new connection starts with (see :meth:`set_faults`).
        self.faults = faults if faults is not None else WsFaults()
        self.tokens = Tokens(clock, limits.token_ttl_s)
        self.sessions: dict[str, WsSession] = {}
        self._subscribers: dict[str, dict[WsSession, None]] = {}
        self._ids = itertools.count(1)
        self.market = MarketFeeds(self)
        self.private = PrivateFeeds(self)
        self._stop_listening: Callable[[], None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._soon: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"WsHub(connections={len(self.sessions)}, topics={self.topic_count()})"

    # --- connections -----------------------------------------------------------------------------

    def open(self, *, connect_id: str, grant: Grant, send: Send, close: Close) -> WsSession:
        """A new connection (the caller checked its token); TopicError 509 past the limit of
        connections per user."""
        if grant.uid is not None:
            mine = sum(1 for s in self.sessions.values() if s.uid == grant.uid)
            if mine >= self.limits.connections_per_user:
                limit = self.limits.connections_per_user
                raise TopicError(509, f"exceed max session count limitation of {limit} per user")
        session = WsSession(
            session_id=f"{next(self._ids)}-{connect_id}"[:80],
            connect_id=connect_id,
            uid=grant.uid,
            send=send,
            close=close,
            clock=self.clock,
            limits=self.limits,
            faults=self.faults.copy(),
        )
        self.sessions[session.id] = session
        session.start()
        return session

    async def close(self, session: WsSession) -> None:
        """The connection ended: its topics go, then its tasks."""
        self.sessions.pop(session.id, None)
        for key in list(session.topics):
            self._leave(session, key)
        await session.stop()

    def set_faults(self, faults: WsFaults, session_id: str | None = None) -> int:
        """``faults`` for one connection, or (``None``) for every open one and every one to
        come; returns how many connections it reached."""
        if session_id is not None:
            session = self.sessions.get(session_id)
            if session is None:
                return 0
            session.faults = faults.copy()
            return 1
        self.faults = faults.copy()
        for session in self.sessions.values():
            session.faults = faults.copy()
        return len(self.sessions)

    def disconnect(self, session_id: str | None = None) -> int:
        """Close one connection (or every one) from the server's side, as a network failure
        would; returns how many."""
        chosen = list(self.sessions.values()) if session_id is None else [self.sessions.get(session_id)]
        count = 0
        for session in chosen:
            if session is not None and not session.closed:
                session.close_soon()
                count += 1
        return count

    def topic_count(self) -> int:
        return sum(len(s.topics) for s in self.sessions.values())

    # --- client messages -------------------------------------------------------------------------

    def on_text(self, session: WsSession, text: str) -> None:
        if not session.heard():
            session.refuse_and_close(session.connect_id, 509, "exceed max permits per second")
            return
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            session.error(None, 400, "the message is not valid JSON")
            return
        if not isinstance(message, dict):
            session.error(None, 400, "the message is not a JSON object")
            return
        frame_id = message.get("id")
        kind = message.get("type")
        if kind == "ping":
            if not session.faults.stall_pongs:
                session.control({"id": frame_id, "type": "pong"})
            return
        if kind not in ("subscribe", "unsubscribe"):
            session.error(frame_id, 415, f"type {kind} is not supported")
            return
        try:
            most = self.limits.topics_per_subscribe
            parsed, subjects = parse_topic(message.get("topic"), max_subjects=most)
            if kind == "subscribe":
                self._subscribe(session, parsed, subjects)
            else:
                for subject in subjects:
                    self._leave(session, self._key(session, parsed, subject))
        except TopicError as err:
            session.error(frame_id, err.code, err.text)
            return
        if message.get("response") is True:
            session.control({"id": frame_id, "type": "ack"})

    # --- subscriptions ---------------------------------------------------------------------------

    def _key(self, session: WsSession, kind: TopicKind, subject: str) -> str:
        """A private topic is kept per account (each hears its own events)."""
        if kind.private:
            return f"{kind.prefix}#{session.uid}"
        return kind.prefix + subject

    def _subscribe(self, session: WsSession, kind: TopicKind, subjects: list[str]) -> None:
        if kind.private and session.uid is None:
            raise TopicError(403, "login required: a private topic needs a private token")
        for subject in subjects:
            self.market.check(kind, subject)
        keys = [self._key(session, kind, subject) for subject in subjects]
        new = [key for key in keys if key not in session.topics]
        if len(session.topics) + len(new) > self.limits.topics_per_connection:
            limit = self.limits.topics_per_connection
            raise TopicError(509, f"exceed max subscription count limitation of {limit} per session")
        for key, subject in zip(keys, subjects, strict=True):
            if key in session.topics:
                continue
            session.topics.add(key)
            subscribers = self._subscribers.get(key)
            first = subscribers is None
            if first:
                subscribers = self._subscribers[key] = {}
                self._listen()
            assert subscribers is not None
            subscribers[session] = None
            if kind.private:
                assert session.uid is not None
                self.private.joined(kind, session.uid, first)
            else:
                self.market.joined(kind, subject, session, first)

    def _leave(self, session: WsSession, key: str) -> None:
        if key not in session.topics:
            return
        session.topics.discard(key)
        subscribers = self._subscribers.get(key)
        if subscribers is None:
            return
        subscribers.pop(session, None)
        if subscribers:
            return
        del self._subscribers[key]
        prefix, _, uid = key.partition("#")
        if uid:
            self.private.left(prefix, int(uid))
        else:
            self.market.left(key)
        if not self._subscribers:
            self._quiet()

    def subscribed(self, key: str) -> bool:
        return key in self._subscribers

    # --- pushing ---------------------------------------------------------------------------------

    def publish(self, key: str, text: str, kind: int = DATA, only: Iterable[WsSession] | None = None) -> None:
        subscribers = self._subscribers.get(key)
        if not subscribers:
            return
        for session in only if only is not None else subscribers:
            if session in subscribers:
                session.push(text, kind)

    # --- the venue and the clock -----------------------------------------------------------------

    def _listen(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        if self._stop_listening is None:
            self._stop_listening = self.venue.subscribe(self._on_event)
        if self._ticker is None:
            self._ticker = self._loop.create_task(self._tick(), name="kucoin ws ticker")

    def _quiet(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _on_event(self, event: VenueEvent) -> None:
        """Inside a venue call: frames that need nothing more are queued now; the rest waits
        until the call has returned. Nothing raised here may reach the venue (it would stop
        a settlement half-way)."""
        try:
            if event.uid is not None:
                self.private.on_event(event)
            else:
                self.market.on_event(event)
            self.soon()
        except Exception:
            log.exception("kucoin ws: an event could not be published")

    def soon(self) -> None:
        loop = self._loop
        if self._soon is None and loop is not None and not loop.is_closed():
            self._soon = loop.call_soon(self._after_events)

    def _after_events(self) -> None:
        self._soon = None
        try:
            self.market.flush()
            self.private.flush()
        except Exception:  # (a bug of ours must not stop the server)
            log.exception("kucoin ws: publishing failed")

    async def _tick(self) -> None:
        while True:
            await self.clock.sleep(TICK_S)
            try:
                now = self.clock.monotonic()
                self.market.tick(now)
                self.private.tick(now)
                self.market.flush()
                self.private.flush()
            except Exception:
                log.exception("kucoin ws: a periodic push failed")
