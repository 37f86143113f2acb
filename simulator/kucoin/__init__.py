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
