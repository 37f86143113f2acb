"""KuCoin's WebSocket wire (NOTES 9): tokens, topics, client frames, error codes. Pure.

A topic is a prefix and, for the batchable market topics, a comma-separated symbol list
(``/market/ticker:BTC-USDT,ETH-USDT`` counts as two topics); the adapter keeps one topic
per symbol and joins up to :data:`MAX_TOPICS_PER_SUBSCRIBE` of one prefix per message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import attrs
import orjson

from exchanges import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    PermissionDenied,
    RateLimitExceeded,
)

from .errors import VENUE

__all__ = [
    "BALANCE",
    "BATCHABLE",
    "CANDLES",
    "DEPTH5",
    "DEPTH50",
    "LEVEL2",
    "MATCH",
    "MAX_CLIENT_MESSAGES",
    "MAX_TOPICS_PER_CONNECTION",
    "MAX_TOPICS_PER_SUBSCRIBE",
    "MESSAGE_WINDOW_S",
    "ORDERS",
    "STOP_ORDERS",
    "TICKER",
    "WsToken",
    "parse_token",
    "ping_frame",
    "split_topic",
    "subscribe_frames",
    "ws_error",
]

# public topics (prefix; the symbol list follows the colon)
TICKER = "/market/ticker:"
MATCH = "/market/match:"
LEVEL2 = "/market/level2:"
DEPTH5 = "/spotMarket/level2Depth5:"
DEPTH50 = "/spotMarket/level2Depth50:"
CANDLES = "/market/candles:"  # one {symbol}_{type} per topic
# private topics
ORDERS = "/spotMarket/tradeOrdersV2"
BALANCE = "/account/balance"
STOP_ORDERS = "/spotMarket/advancedOrders"

#: Prefixes whose topics KuCoin takes as a comma-separated list in one subscription.
BATCHABLE = frozenset({TICKER, MATCH, LEVEL2, DEPTH5, DEPTH50})

#: NOTES 6, WebSocket limits (current docs).
MAX_TOPICS_PER_SUBSCRIBE = 100
MAX_TOPICS_PER_CONNECTION = 400
MAX_CLIENT_MESSAGES = 100
MESSAGE_WINDOW_S = 10.0

_DEFAULT_PING_INTERVAL_MS = 18_000
_DEFAULT_PING_TIMEOUT_MS = 10_000


@attrs.frozen(slots=True, kw_only=True)
class WsToken:
    """What ``bullet-public``/``bullet-private`` hand out: one connection's credentials.

    The token grants the private channel: it stays out of ``repr``, and :meth:`url` is
    the only place it is spelled (never logged: :attr:`where` names the server).
    """

    token: str = attrs.field(repr=False)
    endpoint: str
    encrypt: bool
    ping_interval: float  # seconds
    ping_timeout: float  # seconds

    def url(self, connect_id: str) -> str:
        joiner = "&" if "?" in self.endpoint else "?"
        token, connect = quote(self.token, safe=""), quote(connect_id, safe="")
        return f"{self.endpoint}{joiner}token={token}&connectId={connect}"

    @property
    def where(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"


def parse_token(data: Any) -> WsToken:
    """The bullet response's ``data``; ``ExchangeError`` when it is not usable."""
    if not isinstance(data, Mapping) or not isinstance(data.get("token"), str) or not data["token"]:
        raise ExchangeError("malformed WebSocket token response: no token", venue=VENUE)
    servers = data.get("instanceServers")
    if not isinstance(servers, Sequence) or not servers:
        raise ExchangeError("malformed WebSocket token response: no instance server", venue=VENUE)
    for server in servers:
        if not isinstance(server, Mapping):
            continue
        endpoint = server.get("endpoint")
        protocol = server.get("protocol", "websocket")
        if isinstance(endpoint, str) and endpoint.startswith(("ws://", "wss://")) and protocol == "websocket":
            return WsToken(
                token=data["token"],
                endpoint=endpoint,
                encrypt=bool(server.get("encrypt", endpoint.startswith("wss://"))),
                ping_interval=_ms(server.get("pingInterval"), _DEFAULT_PING_INTERVAL_MS) / 1000,
                ping_timeout=_ms(server.get("pingTimeout"), _DEFAULT_PING_TIMEOUT_MS) / 1000,
            )
    raise ExchangeError("malformed WebSocket token response: no ws:// or wss:// endpoint", venue=VENUE)


def _ms(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return default
    return int(value)


def split_topic(topic: str) -> tuple[str, str]:
    """``/market/ticker:BTC-USDT`` -> (``/market/ticker:``, ``BTC-USDT``); a private topic
    has no subject."""
    prefix, colon, subject = topic.partition(":")
    return (prefix + colon, subject) if colon else (topic, "")


def subscribe_frames(
    next_id: Callable[[], str], topics: Sequence[str], *, private: bool, unsubscribe: bool = False
) -> list[tuple[str, list[str], bytes]]:
    """Messages for ``topics``: one per ``MAX_TOPICS_PER_SUBSCRIBE`` symbols of a batchable
    prefix, one per other topic. Each is (its id, its topics, the frame)."""
    groups: dict[str, list[str]] = {}
    singles: list[str] = []
    for topic in topics:
        prefix, subject = split_topic(topic)
        if prefix in BATCHABLE and subject:
            groups.setdefault(prefix, []).append(topic)
        else:
            singles.append(topic)
    batches: list[list[str]] = []
    for members in groups.values():
        step = MAX_TOPICS_PER_SUBSCRIBE
        batches.extend(members[i : i + step] for i in range(0, len(members), step))
    batches.extend([t] for t in singles)
    kind = "unsubscribe" if unsubscribe else "subscribe"
    out: list[tuple[str, list[str], bytes]] = []
    for batch in batches:
        frame_id = next_id()
        prefix, _ = split_topic(batch[0])
        topic = prefix + ",".join(split_topic(t)[1] for t in batch) if len(batch) > 1 else batch[0]
        body = {"id": frame_id, "type": kind, "topic": topic, "privateChannel": private, "response": True}
        out.append((frame_id, batch, orjson.dumps(body)))
    return out


def ping_frame(frame_id: str) -> bytes:
    return orjson.dumps({"id": frame_id, "type": "ping"})


#: WebSocket error codes (NOTES 5): subscribe 400 topic invalid, 403 login required, 404
#: topic does not exist, 406 topic required, 509 too many topics; connect 401 token invalid,
#: 509 too many sessions; 415 bad command type, 500 system error, 509 uplink rate.
_WS_ERRORS: Mapping[str, type[ExchangeError]] = {
    "400": BadRequest,
    "401": AuthenticationError,
    "403": PermissionDenied,
    "404": BadSymbol,
    "406": BadRequest,
    "415": BadRequest,
    "500": ExchangeUnavailable,
    "509": RateLimitExceeded,
}


def ws_error(frame: Mapping[str, Any], what: str = "") -> ExchangeError:
    """An ``error`` frame as an ``exchanges`` error carrying KuCoin's code and text."""
    code = str(frame.get("code") or "")
    text = str(frame.get("data") or frame.get("msg") or "WebSocket error")
    message = f"{what}: {text}" if what else text
    return _WS_ERRORS.get(code, ExchangeError)(message, venue=VENUE, code=code or None)
