"""The ``kucoin`` venue of ``exchanges.connect``: real KuCoin, or anything that speaks it.

Registered through the ``exchanges.venues`` entry point. ``base_url`` points it elsewhere
(``http://127.0.0.1:8080`` is the local simulator); every :class:`KucoinOptions` field is an
option. Credentials come from ``KUCOIN_API_KEY``, ``KUCOIN_API_SECRET`` and
``KUCOIN_API_PASSPHRASE`` (or from code); ``public=true`` opens it without any, for market
data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from exchanges import Clock, Exchange, ExchangeError, VenueOption, VenueSpec

from .credentials import ENV_KEY, ENV_KEY_VERSION, ENV_PASSPHRASE, ENV_SECRET, KucoinCredentials
from .exchange import KucoinExchange
from .options import KucoinOptions

__all__ = ["KUCOIN"]

_SECRETS = ("api_key", "api_secret", "api_passphrase")


def _option_fields() -> tuple[VenueOption, ...]:
    """One option per ``KucoinOptions`` field, of the field's type."""
    attrs.resolve_types(KucoinOptions)
    simple: tuple[type, ...] = (bool, int, float, str)
    out = []
    for field in attrs.fields(KucoinOptions):
        kind = field.type if field.type in simple else dict  # (pool_quotas is a table)
        out.append(VenueOption(name=field.name, kind=kind))
    return tuple(out)


def _credentials(options: Mapping[str, Any], environ: Mapping[str, str]) -> KucoinCredentials | None:
    given = [name for name in _SECRETS if name in options]
    if given:
        if len(given) < len(_SECRETS):
            missing = ", ".join(n for n in _SECRETS if n not in options)
            raise ValueError(f"credentials passed in part: {missing} missing")
        version = options.get("key_version", 2)
        return KucoinCredentials(
            options["api_key"], options["api_secret"], options["api_passphrase"], version
        )
    if options.get("public", False):
        return None
    try:
        return KucoinCredentials.from_env(environ)
    except ExchangeError as err:  # (the message names variables, never their values)
        raise ValueError(f"{err.message}; or pass public=true for market data only") from None


def _open(options: Mapping[str, Any], environ: Mapping[str, str]) -> Exchange:
    settings = {k: v for k, v in options.items() if k in attrs.fields_dict(KucoinOptions)}
    if "pool_quotas" in settings:  # (from text, a quota arrives as digits)
        settings["pool_quotas"] = {
            pool: int(n) if isinstance(n, str) and n.strip().isdigit() else n
            for pool, n in settings["pool_quotas"].items()
        }
    return KucoinExchange(
        _credentials(options, environ),
        options=KucoinOptions(**settings),
        transport=options.get("transport"),
        clock=options.get("clock"),
    )


KUCOIN = VenueSpec(
    name="kucoin",
    factory=_open,
    summary="KuCoin spot (https://api.kucoin.com, or base_url such as the local simulator)",
    credential_env=(ENV_KEY, ENV_SECRET, ENV_PASSPHRASE),
    secret_env=(ENV_SECRET, ENV_PASSPHRASE),
    options=(
        *_option_fields(),
        VenueOption(name="public", kind=bool, help="no credentials: market data only"),
        VenueOption(name="api_key", kind=str, secret=True),
        VenueOption(name="api_secret", kind=str, secret=True),
        VenueOption(name="api_passphrase", kind=str, secret=True),
        VenueOption(name="key_version", kind=int, help=f"1, 2 or 3 (or {ENV_KEY_VERSION})"),
        VenueOption(name="transport", kind=httpx.AsyncBaseTransport, help="an httpx transport"),
        VenueOption(name="clock", kind=Clock, help="the clock to run on"),
    ),
)
