"""All facade endpoints as one Starlette route, matched by table instead of one regex each.

Starlette tries its routes one by one; with two hundred KuCoin paths that linear scan cost more
than the handlers. Here fixed paths are one dict lookup, and templated ones (``{orderId}``) are
tried only among the few with the same method and number of segments.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from .endpoints import Endpoint

__all__ = ["EndpointTable"]

_PARAM = re.compile(r"\{([^}]*)\}")

Handle = Callable[[Request, Endpoint], Awaitable[Response]]


def _pattern(template: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """A regex for ``template``; path parameters match one segment (or part of one)."""
    names: dict[str, str] = {}
    out = []
    pos = 0
    for i, m in enumerate(_PARAM.finditer(template)):
        out.append(re.escape(template[pos : m.start()]))
        group = f"p{i}"
        names[group] = m.group(1)
        out.append(f"(?P<{group}>[^/]+)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out) + r"\Z"), names


class EndpointTable(BaseRoute):
    def __init__(self, endpoints: Iterable[Endpoint], handle: Handle) -> None:
        self._handle = handle
        self._fixed: dict[tuple[str, str], Endpoint] = {}
        self._templated: dict[tuple[str, int], list[tuple[re.Pattern[str], dict[str, str], Endpoint]]] = {}
        for ep in endpoints:
            key = (ep.method, ep.path)
            if "{" not in ep.path:
                self._fixed.setdefault(key, ep)
                continue
            regex, names = _pattern(ep.path)
            bucket = self._templated.setdefault((ep.method, ep.path.count("/")), [])
            bucket.append((regex, names, ep))
        for bucket in self._templated.values():
            # Fewer parameters first: the more literal template wins a tie.
            bucket.sort(key=lambda item: (len(item[1]), -len(item[2].path)))

    def lookup(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        ep = self._fixed.get((method, path))
        if ep is not None:
            return ep, {}
        for regex, names, candidate in self._templated.get((method, path.count("/")), ()):
            m = regex.match(path)
            if m is not None:
                return candidate, {names[g]: v for g, v in m.groupdict().items()}
        return None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        found = self.lookup(scope["method"], scope["path"])
        if found is None:
            return Match.NONE, {}
        ep, params = found
        return Match.FULL, {"endpoint": ep.handler, "path_params": params, "kucoin.endpoint": ep}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._handle(Request(scope, receive), scope["kucoin.endpoint"])
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)
