"""A headless Chromium driven through the DevTools Protocol, for pages a user would click through.

The browser is the distribution's package, talked to over loopback with the websockets client the
simulator already depends on; every wait has a deadline, so a stuck browser fails a test instead
of hanging it.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

__all__ = ["CHROMIUM", "Browser", "Page", "launch"]

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)

#: Seconds any one exchange with the browser may take (a launch, a load, a reply).
DEADLINE = 30.0

Event = dict[str, Any]


class Page:
    """One tab: commands answered in order, and every event kept for the test to read."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._next = 0
        self.events: list[Event] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        reply = self._receive_until(lambda message: message.get("id") == ident, method)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def wait_for(self, method: str) -> Event:
        """The first event named ``method`` not yet waited for (kept events count)."""
        for event in self.events:
            if event.get("method") == method and not event.get("_seen"):
                event["_seen"] = True
                return event
        event = self._receive_until(lambda message: message.get("method") == method, method)
        event["_seen"] = True
        return event

    def evaluate(self, expression: str) -> Any:
        """``expression``'s value in the page; a script error fails here, naming the expression."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression!r}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def navigate(self, url: str) -> None:
        went = self.send("Page.navigate", url=url)
        if "errorText" in went:
            raise RuntimeError(f"{url}: {went['errorText']}")
        self.wait_for("Page.loadEventFired")

    def mouse(self, kind: str, x: float, y: float, **more: Any) -> None:
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **more)

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.mouse(kind, x, y, button="left", clickCount=1)

    def screenshot(self, path: Path) -> Path:
        shot = self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def errors(self) -> list[str]:
        """Uncaught exceptions, console errors and error log entries, as one line each."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                out.append(details.get("exception", {}).get("description") or details.get("text", ""))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
        return out

    def requests(self) -> list[str]:
        """Every URL the page asked for."""
        sent = (e for e in self.events if e.get("method") == "Network.requestWillBeSent")
        return [e["params"]["request"]["url"] for e in sent]

    def _receive_until(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} from chromium within {DEADLINE}s")
            message: dict[str, Any] = json.loads(self._socket.recv(timeout=left))
            if wanted(message):
                return message
            if "method" in message:
                self.events.append(message)


class Browser:
    """A running headless Chromium; ``page()`` opens a fresh tab with the page's events on."""

    def __init__(self, port: int, socket: ClientConnection) -> None:
        self.port = port
        self._control = Page(socket)

    @contextmanager
    def page(self, width: int = 1280, height: int = 1000) -> Iterator[Page]:
        target = self._control.send("Target.createTarget", url="about:blank")["targetId"]
        try:
            with _socket(f"ws://127.0.0.1:{self.port}/devtools/page/{target}") as socket:
                page = Page(socket)
                for domain in ("Page", "Runtime", "Network", "Log"):
                    page.send(f"{domain}.enable")
                page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                          deviceScaleFactor=1, mobile=False)  # fmt: skip
                yield page
        finally:
            self._control.send("Target.closeTarget", targetId=target)

    def close(self) -> None:
        self._control.send("Browser.close")


@contextmanager
def launch(profile: Path) -> Iterator[Browser]:
    """Chromium on a free loopback port (the port it chose is read from its profile)."""
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-background-networking", "--disable-sync",
               "--disable-component-update", "--disable-default-apps", f"--user-data-dir={profile}",
               "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
               "about:blank"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    said = _Stderr(process)
    try:
        port, path = said.wait_for_port(profile / "DevToolsActivePort")
        with _socket(f"ws://127.0.0.1:{port}{path}") as socket:
            browser = Browser(port, socket)
            try:
                yield browser
            finally:
                with suppress(Exception):  # (it may close the socket before it answers)
                    browser.close()
    finally:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=DEADLINE)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE)
        said.join()


class _Stderr:
    """Drains Chromium's stderr (a full pipe would stall it) and wakes a waiter on every line:
    Chromium announces its endpoint there once it has written the port file."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lines: list[bytes] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._lines.append(b"")  # (the end)
            self._changed.notify_all()

    def wait_for_port(self, active: Path) -> tuple[int, str]:
        deadline = time.monotonic() + DEADLINE
        with self._changed:
            while True:
                if active.exists() and len(words := active.read_text().split()) == 2:
                    return int(words[0]), words[1]
                left = deadline - time.monotonic()
                if left <= 0 or (self._lines and self._lines[-1] == b""):
                    raise RuntimeError(f"chromium gave no DevTools port: {b''.join(self._lines)[-2000:]!r}")
                self._changed.wait(timeout=left)

    def join(self) -> None:
        self._thread.join(timeout=DEADLINE)
        assert self._process.stderr is not None
        self._process.stderr.close()


def _socket(url: str) -> ClientConnection:
    return connect(url, proxy=None, max_size=None, open_timeout=DEADLINE, close_timeout=DEADLINE)
