"""Sending to a bridge from the shell or a script: the headers a signed request carries."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from .auth import SIGNATURE, SOURCE, TIMESTAMP, sign

__all__ = ["send", "signed_headers"]


def signed_headers(source: str, secret: str, payload: bytes, *, now_ms: int | None = None) -> dict[str, str]:
    """Headers for a request whose signed payload is ``payload`` (the body of a POST, the
    path of a GET)."""
    stamp = str(int(time.time() * 1000) if now_ms is None else now_ms)
    return {SOURCE: source, TIMESTAMP: stamp, SIGNATURE: sign(secret.encode(), stamp, payload)}


def send(
    url: str, source: str, secret: str, method: str, path: str, body: Any = None, *, timeout: float = 30
) -> httpx.Response:
    """One signed request to the bridge at ``url``."""
    if method == "GET":
        headers = signed_headers(source, secret, path.encode())
        return httpx.get(url.rstrip("/") + path, headers=headers, timeout=timeout)
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = {**signed_headers(source, secret, payload), "Content-Type": "application/json"}
    return httpx.request(method, url.rstrip("/") + path, content=payload, headers=headers, timeout=timeout)
