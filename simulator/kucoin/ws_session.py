"""One client connection as the server keeps it: who it is, its topics, the client messages
it sent in the last window, and its outbox, drained by a task of its own so that one slow
client never holds up the others (nor the venue).

The faults of :class:`~.ws_settings.WsFaults` are applied here, to data frames only, as
they leave: dropped, doubled, held back behind the next one, a level-2 frame made to start
one sequence number late, every frame delayed, the socket closed after so many frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import orjson

from exchanges import Clock

from .ws_settings import WsFaults, WsLimits

__all__ = ["CONTROL", "DATA", "LEVEL2", "WsSession"]

log = logging.getLogger("simulator.kucoin.ws")

#: What a queued frame is: the faults leave control frames alone and bend level-2 ones.
CONTROL, DATA, LEVEL2 = 0, 1, 2

Send = Callable[[str], Awaitable[None]]
Close = Callable[[], Awaitable[None]]


def _skip_a_sequence(text: str) -> str:
    frame = orjson.loads(text)
    data = frame.get("data")
    if isinstance(data, dict) and isinstance(data.get("sequenceStart"), int):
        data["sequenceStart"] += 1
    return orjson.dumps(frame).decode()


class WsSession:
    """A connection: ``uid`` is the account of a private token (None for a public one)."""

    def __init__(
        self,
        *,
        session_id: str,
        connect_id: str,
        uid: int | None,
        send: Send,
        close: Close,
        clock: Clock,
        limits: WsLimits,
        faults: WsFaults,
    ) -> None:
        self.id = session_id
        self.connect_id = connect_id
        self.uid = uid
        self.topics: set[str] = set()
        self.faults = faults
        #: Data frames that reached the socket.
        self.sent = 0
        self.closed = False
        self._send = send
        self._close = close
        self._clock = clock
        self._limits = limits
        self._data: deque[tuple[float, str, int]] = deque()
        self._control: deque[str] = deque()
        self._wake = asyncio.Event()
        self._heard: deque[float] = deque()
        self.last_heard = clock.monotonic()
        self._held: str | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def __repr__(self) -> str:
        who = "public" if self.uid is None else f"uid={self.uid}"
        return f"WsSession({self.id!r}, {who}, topics={len(self.topics)}, sent={self.sent})"

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._drain(), name=f"kucoin ws {self.id} out"),
            asyncio.create_task(self._watch_idle(), name=f"kucoin ws {self.id} idle"),
        ]

    # --- what the client sends -------------------------------------------------------------------

    def heard(self) -> bool:
        """Count one client message; False once the window's allowance is spent."""
        now = self._clock.monotonic()
        self.last_heard = now
        heard = self._heard
        cutoff = now - self._limits.window_s
        while heard and heard[0] <= cutoff:
            heard.popleft()
        if len(heard) >= self._limits.messages_per_window:
            return False
        heard.append(now)
        return True

    # --- what the server sends -------------------------------------------------------------------

    def push(self, text: str, kind: int = DATA) -> None:
        """Queue a frame (never waits). Control frames go ahead of data frames still queued
        (a delayed data frame holds no pong back). A client too far behind is disconnected."""
        if self.closed:
            return
        if kind == CONTROL:
            self._control.append(text)
            self._wake.set()
            return
        data = self._data
        if len(data) >= self._limits.outbox_frames:
            log.info("kucoin ws %s: %d frames behind, disconnected", self.id, len(data))
            self.close_soon()
            return
        delay = self.faults.delay_ms
        data.append((self._clock.monotonic() + delay / 1000 if delay else 0.0, text, kind))
        if len(data) == 1:
            self._wake.set()

    def control(self, frame: dict[str, object]) -> None:
        self.push(orjson.dumps(frame).decode(), CONTROL)

    def error(self, frame_id: object, code: int, text: str) -> None:
        self.control({"id": frame_id, "type": "error", "code": code, "data": text})

    def refuse_and_close(self, frame_id: object, code: int, text: str) -> None:
        """KuCoin's error, then the connection ends (once the error has gone out)."""
        self.error(frame_id, code, text)
        self.push("", CONTROL)  # (the end marker)

    @property
    def backlog(self) -> int:
        return len(self._data) + len(self._control)

    async def _drain(self) -> None:
        control = self._control
        data = self._data
        wake = self._wake
        send = self._send
        try:
            while True:
                if control:
                    text = control.popleft()
                    if not text:
                        break
                    await send(text)
                    continue
                if not data:
                    wake.clear()
                    await wake.wait()
                    continue
                due, text, kind = data[0]
                if due and due > self._clock.monotonic():
                    await self._until(due)
                    continue
                data.popleft()
                if self.faults.any or self._held is not None:
                    if await self._faulty(text, kind):
                        break
                    continue
                await send(text)
                self.sent += 1
        except Exception as exc:  # (the socket went away under us)
            log.debug("kucoin ws %s: send failed (%s)", self.id, type(exc).__name__)
        self.close_soon()

    async def _until(self, due: float) -> None:
        """Wait for ``due`` on the clock, or less if a control frame comes meanwhile."""
        self._wake.clear()
        timer = asyncio.ensure_future(self._clock.sleep(due - self._clock.monotonic()))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait((timer, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            woken.cancel()

    async def _faulty(self, text: str, kind: int) -> bool:
        """Send one data frame through the faults; True when the connection is to end."""
        f = self.faults
        if f.drop:
            f.drop -= 1
            return False
        if kind == LEVEL2 and f.skip_sequence:
            f.skip_sequence -= 1
            text = _skip_a_sequence(text)
        if f.reorder and self._held is None:
            f.reorder -= 1
            self._held = text
            return False
        copies = 1
        if f.duplicate:
            f.duplicate -= 1
            copies = 2
        out = [text] * copies
        if self._held is not None:
            out.append(self._held)
            self._held = None
        for frame in out:
            await self._send(frame)
            self.sent += 1
            if f.disconnect_after and self.sent >= f.disconnect_after:
                return True
        return False

    async def _watch_idle(self) -> None:
        """KuCoin drops a client that stopped pinging: silent longer than its ping interval
        plus the pong timeout."""
        idle = self._limits.idle_s
        while not self.closed:
            left = self.last_heard + idle - self._clock.monotonic()
            if left <= 0:
                self.refuse_and_close(self.connect_id, 400, "Ping timeout")
                return
            await self._clock.sleep(left)

    # --- the end ---------------------------------------------------------------------------------

    def close_soon(self) -> None:
        if not self.closed:
            self.closed = True
            task = asyncio.ensure_future(self._close())
            task.add_done_callback(_quiet)

    async def stop(self) -> None:
        """The connection ended: stop its tasks (the caller closes the socket)."""
        self.closed = True
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        for task in self._tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


def _quiet(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # (retrieved: a socket already gone is no error)
