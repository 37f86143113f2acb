"""A bare KuCoin WebSocket client for the server's tests, written from NOTES 9 (independent of
the adapter): a token from the bullet paths, the socket, and frames read with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx

from .helpers import Signer, call

#: How long a test waits for a frame it expects before it fails (a deadline, not a pause).
DEADLINE_S = 10.0


class WsClient:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, token: dict[str, Any]) -> None:
        self.ws = ws
        self.token = token
        self.ids = itertools.count(1)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def recv(self, deadline: float = DEADLINE_S) -> dict[str, Any]:
        """The next frame; AssertionError when the socket closes first."""
        message = await asyncio.wait_for(self.ws.receive(), deadline)
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise AssertionError(f"the socket ended: {message.type.name} {message.data!r}")
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def until(
        self, kind: str, topic: str | None = None, deadline: float = DEADLINE_S
    ) -> dict[str, Any]:
        """The next frame of ``kind`` (and ``topic``), skipping others."""
        while True:
            frame = await self.recv(deadline)
            if frame.get("type") == kind and (topic is None or frame.get("topic") == topic):
                return frame

    async def closed(self, deadline: float = DEADLINE_S) -> list[dict[str, Any]]:
        """Every frame until the server closes the socket (fails past the deadline)."""
        frames: list[dict[str, Any]] = []
        while True:
            message = await asyncio.wait_for(self.ws.receive(), deadline)
            if message.type is not aiohttp.WSMsgType.TEXT:
                return frames
            frames.append(json.loads(message.data))

    async def request(self, kind: str, topic: str, *, private: bool = False) -> dict[str, Any]:
        """Subscribe or unsubscribe with ``response: true``; the ack or error frame."""
        frame_id = str(next(self.ids))
        message = {"id": frame_id, "type": kind, "topic": topic, "privateChannel": private, "response": True}
        await self.send(message)
        while True:
            frame = await self.recv()
            if frame.get("id") == frame_id and frame.get("type") in ("ack", "error"):
                return frame

    async def subscribe(self, topic: str, *, private: bool = False) -> None:
        answer = await self.request("subscribe", topic, private=private)
        assert answer["type"] == "ack", answer


async def bullet(base_url: str, signer: Signer | None = None) -> dict[str, Any]:
    """A token from ``bullet-private`` (with ``signer``) or ``bullet-public``."""
    path = "/api/v1/bullet-private" if signer is not None else "/api/v1/bullet-public"
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await call(http, "POST", path, signer=signer)
    body = response.json()
    assert body["code"] == "200000", body
    data: dict[str, Any] = body["data"]
    return data


@contextlib.asynccontextmanager
async def connected(
    base_url: str, signer: Signer | None = None, *, connect_id: str = "test-connect", welcome: bool = True
) -> AsyncIterator[WsClient]:
    token = await bullet(base_url, signer)
    server = token["instanceServers"][0]
    url = f"{server['endpoint']}?token={token['token']}&connectId={connect_id}"
    async with aiohttp.ClientSession() as session, session.ws_connect(url, autoping=True) as ws:
        client = WsClient(ws, token)
        if welcome:
            frame = await client.recv()
            assert frame == {"id": connect_id, "type": "welcome"}, frame
        yield client
