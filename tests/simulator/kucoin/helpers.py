"""Hand-made KuCoin signing for the facade's tests (independent of the adapter)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

import httpx

from exchanges import Clock

KEY = "test-key"
SECRET = "test-secret"
PASSPHRASE = "test-pass"


def hmac_b64(secret: str, message: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


class Signer:
    """KuCoin's request signing, written from NOTES section 3."""

    def __init__(
        self,
        clock: Clock,
        key: str = KEY,
        secret: str = SECRET,
        passphrase: str = PASSPHRASE,
        version: str | None = "2",
    ) -> None:
        self.clock = clock
        self.key = key
        self.secret = secret
        self.passphrase = passphrase
        self.version = version

    def headers(
        self, method: str, target: str, body: str = "", *, timestamp: int | None = None
    ) -> dict[str, str]:
        ts = str(self.clock.now_ms() if timestamp is None else timestamp)
        headers = {
            "KC-API-KEY": self.key,
            "KC-API-SIGN": hmac_b64(self.secret, ts + method.upper() + target + body),
            "KC-API-TIMESTAMP": ts,
            "KC-API-PASSPHRASE": (
                self.passphrase if self.version in (None, "1") else hmac_b64(self.secret, self.passphrase)
            ),
        }
        if self.version is not None:
            headers["KC-API-KEY-VERSION"] = self.version
        if body:
            headers["Content-Type"] = "application/json"
        return headers


def target(path: str, params: dict[str, Any] | None = None) -> str:
    return path + ("?" + urlencode(params) if params else "")


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: Any = None,
    signer: Signer | None = None,
) -> httpx.Response:
    """Send one request; signed when ``signer`` is given. Returns the raw response."""
    url = target(path, params)
    text = "" if body is None else json.dumps(body, separators=(",", ":"))
    headers = (
        signer.headers(method, url, text)
        if signer
        else ({"Content-Type": "application/json"} if text else {})
    )
    return await client.request(method, url, content=text.encode() if text else None, headers=headers)


async def ok(client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> Any:
    """``call`` and return ``data``, failing loudly on anything but 200000."""
    response = await call(client, method, path, **kw)
    payload = response.json()
    assert response.status_code == 200 and payload.get("code") == "200000", (method, path, response.text)
    return payload["data"]
