"""The simulator's KuCoin facade: KuCoin's spot REST API (paths, signatures, JSON shapes, error
codes, rate-limit pools and 429s) over a :class:`~simulator.venue.Venue`.

In-process, hand ``facade.app`` to ``httpx.ASGITransport``; on a socket, use ``serving`` (async)
or ``serve_in_thread`` (sync), or run ``python -m simulator serve``::

    venue = Venue(clock=SystemClock(), rulebook=KUCOIN_RULEBOOK)
    attach_synthetic(venue)
    key = ApiKey(key="k", secret="s", passphrase="p")
    account = AccountConfig(uid=1, balances={"USDT": 1000}, keys=(key,))
    facade = build_facade(venue, FacadeConfig(accounts=(account,)))
    async with serving(facade.app, market=lambda: drive_market(venue)) as base_url:
        ...  # point any KuCoin client at base_url
"""

from typing import TYPE_CHECKING

from simulator.lazy import lazy_names

if TYPE_CHECKING:  # (the names below load on first use: the HTTP facade pulls in Starlette)
    from .app import Ctx, KucoinFacade
    from .auth import Keyring, Principal, sign
    from .build import Served, build_facade, build_served, drive_market, served_routes, venue_from_config
    from .config import (
        ALL_PERMISSIONS,
        AccountConfig,
        ApiKey,
        ConfigError,
        FacadeConfig,
        config_from_mapping,
        demo_key,
        load_toml,
        parse_balance,
    )
    from .errors import ApiError, from_exchange_error
    from .limits import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_TARGET_BYTES
    from .ratelimit import PROFILES, VIP_QUOTAS, RateLimiter, quota
    from .rulebook import KUCOIN_RULEBOOK
    from .server import run, serve_in_thread, serving

#: Where each public name lives: importing the dialect's light parts (its rulebook, its
#: words) does not load the HTTP facade and its server.
_HOMES = {
    "ALL_PERMISSIONS": "config",
    "AccountConfig": "config",
    "ApiError": "errors",
    "ApiKey": "config",
    "ConfigError": "config",
    "Ctx": "app",
    "FacadeConfig": "config",
    "KUCOIN_RULEBOOK": "rulebook",
    "Keyring": "auth",
    "KucoinFacade": "app",
    "MAX_BODY_BYTES": "limits",
    "MAX_HEAD_BYTES": "limits",
    "MAX_TARGET_BYTES": "limits",
    "PROFILES": "ratelimit",
    "Principal": "auth",
    "RateLimiter": "ratelimit",
    "Served": "build",
    "VIP_QUOTAS": "ratelimit",
    "build_facade": "build",
    "build_served": "build",
    "config_from_mapping": "config",
    "demo_key": "config",
    "drive_market": "build",
    "from_exchange_error": "errors",
    "load_toml": "config",
    "parse_balance": "config",
    "quota": "ratelimit",
    "run": "server",
    "serve_in_thread": "server",
    "served_routes": "build",
    "serving": "server",
    "sign": "auth",
    "venue_from_config": "build",
}


__getattr__ = lazy_names(__name__, _HOMES, globals())

__all__ = [
    "ALL_PERMISSIONS",
    "KUCOIN_RULEBOOK",
    "MAX_BODY_BYTES",
    "MAX_HEAD_BYTES",
    "MAX_TARGET_BYTES",
    "PROFILES",
    "VIP_QUOTAS",
    "AccountConfig",
    "ApiError",
    "ApiKey",
    "ConfigError",
    "Ctx",
    "FacadeConfig",
    "Keyring",
    "KucoinFacade",
    "Principal",
    "RateLimiter",
    "Served",
    "build_facade",
    "build_served",
    "config_from_mapping",
    "demo_key",
    "drive_market",
    "from_exchange_error",
    "load_toml",
    "parse_balance",
    "quota",
    "run",
    "serve_in_thread",
    "served_routes",
    "serving",
    "sign",
    "venue_from_config",
]
