"""The ``binance`` venue of ``exchanges.connect``: real Binance, its testnet, or anything that
speaks Binance (a local simulator at ``base_url=http://127.0.0.1:PORT``).

Registered through the ``exchanges.venues`` entry point; every :class:`BinanceOptions` field
is an option. Credentials come from ``BINANCE_API_KEY`` with ``BINANCE_API_SECRET`` (an HMAC
key) or ``BINANCE_PRIVATE_KEY_FILE`` (an Ed25519 or RSA key, ``BINANCE_PRIVATE_KEY_PASSWORD``
if it is encrypted), or from code; ``public=true`` opens it without any, for market data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from exchanges import Clock, Exchange, ExchangeError, VenueOption, VenueSpec

from .credentials import ENV_KEY, ENV_KEY_FILE, ENV_KEY_PASSWORD, ENV_SECRET, BinanceCredentials
from .exchange import BinanceExchange
from .options import BinanceOptions

__all__ = ["BINANCE"]

_SIMPLE: tuple[type, ...] = (bool, int, float, str)


def _option_fields() -> tuple[VenueOption, ...]:
    """One option per ``BinanceOptions`` field that text can set (not the TLS context)."""
    attrs.resolve_types(BinanceOptions)
    out = []
    for field in attrs.fields(BinanceOptions):
        kind = field.type
        if kind in _SIMPLE:
            out.append(VenueOption(name=field.name, kind=kind))
        elif field.name in ("ws_api_url", "stream_url"):
            out.append(VenueOption(name=field.name, kind=str))
    return tuple(out)


def _credentials(options: Mapping[str, Any], environ: Mapping[str, str]) -> BinanceCredentials | None:
    if "api_key" in options:
        if "api_secret" not in options and "private_key" not in options:
            raise ValueError("credentials passed in part: api_secret (or private_key) missing")
        return BinanceCredentials(
            options["api_key"],
            options.get("api_secret"),
            private_key=options.get("private_key"),
            private_key_password=options.get("private_key_password"),
        )
    if options.get("public", False):
        return None
    try:
        return BinanceCredentials.from_env(environ)
    except ExchangeError as err:  # (the message names variables, never their values)
        raise ValueError(f"{err.message}; or pass public=true for market data only") from None


def _open(options: Mapping[str, Any], environ: Mapping[str, str]) -> Exchange:
    settings = {k: v for k, v in options.items() if k in attrs.fields_dict(BinanceOptions)}
    return BinanceExchange(
        _credentials(options, environ),
        options=BinanceOptions(**settings),
        transport=options.get("transport"),
        clock=options.get("clock"),
    )


BINANCE = VenueSpec(
    name="binance",
    factory=_open,
    summary="Binance spot (https://api.binance.com, the testnet, or base_url such as a local simulator)",
    credential_env=(ENV_KEY, ENV_SECRET, ENV_KEY_FILE, ENV_KEY_PASSWORD),
    secret_env=(ENV_SECRET, ENV_KEY_PASSWORD),
    options=(
        *_option_fields(),
        VenueOption(name="public", kind=bool, help="no credentials: market data only"),
        VenueOption(name="api_key", kind=str, secret=True),
        VenueOption(name="api_secret", kind=str, secret=True),
        VenueOption(name="private_key", kind=str, secret=True, help="PEM text of an Ed25519 or RSA key"),
        VenueOption(name="private_key_password", kind=str, secret=True),
        VenueOption(name="transport", kind=httpx.AsyncBaseTransport, help="an httpx transport"),
        VenueOption(name="clock", kind=Clock, help="the clock to run on"),
    ),
)
