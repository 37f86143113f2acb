"""``python -m simulator serve --dialect binance``: the serve command's Binance half (one
account from --api-key/--api-secret and --balance, or the configuration file's)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.binance.config import ApiKey

__all__ = ["run_binance"]

#: Options of the KuCoin dialect that Binance's keys and accounts do not have.
_KUCOIN_ONLY = (
    "api_passphrase",
    "vip_level",
    "tls",
    "tls_cert",
    "tls_key",
)


def run_binance(args: argparse.Namespace) -> int:
    import logging

    import attrs

    from exchanges import ExchangeError
    from simulator.binance import build, config
    from simulator.binance.protocol import BinanceHttpProtocol
    from simulator.cli.serve import DEFAULT_BALANCES, serve_forever

    try:
        given = [name for name in _KUCOIN_ONLY if getattr(args, name, None) is not None]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise config.ConfigError(f"{flags}: KuCoin's options, not for --dialect binance")
        if args.rate_limits not in (None, "binance", "off"):
            raise config.ConfigError("--dialect binance takes --rate-limits binance or off")
        now = int(time.time() * 1000)
        cfg = config.load_toml(args.config, created_at=now) if args.config else config.BinanceConfig()
        if bool(args.api_key) != bool(args.api_secret):
            raise config.ConfigError("--api-key and --api-secret go together")
        generated = None
        if args.api_key:
            key: config.ApiKey | None = config.ApiKey(
                key=args.api_key, secret=args.api_secret, created_at=now
            )
        elif not cfg.accounts:
            key = generated = config.demo_key(created_at=now)
        else:
            key = None
        key, generated = _restricted(args, key, generated)
        balances = dict(config.parse_balance(b) for b in args.balance) if args.balance else DEFAULT_BALANCES
        accounts = list(cfg.accounts)
        if key is not None:
            uid = max((a.uid for a in accounts), default=config.FIRST_UID - 1) + 1
            accounts.append(config.AccountConfig(uid=uid, balances=balances, keys=(key,)))
        cfg = attrs.evolve(
            cfg,
            accounts=tuple(accounts),
            rate_limits=args.rate_limits if args.rate_limits is not None else cfg.rate_limits,
            control=cfg.control or bool(args.control),
            seed=args.seed if args.seed is not None else cfg.seed,
        )
        served = build.build_served(cfg)
    except (config.ConfigError, ValueError, ExchangeError) as err:
        print(f"simulator serve: {err}", file=sys.stderr)
        return 2

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.quiet:
        logging.getLogger("simulator.binance.access").setLevel(logging.WARNING)
    started = time.monotonic()

    def listening(url: str) -> None:
        print(f"listening on {url}", flush=True)
        if generated is not None:
            print(f"api key: {generated.key}", flush=True)
            print(f"api secret: {generated.secret}", flush=True)
        logging.getLogger("simulator.binance").debug("ready in %.2fs", time.monotonic() - started)

    return serve_forever(served.app, args, listening, served.market, BinanceHttpProtocol)


def _restricted(
    args: argparse.Namespace, key: ApiKey | None, generated: ApiKey | None
) -> tuple[ApiKey | None, ApiKey | None]:
    """The command-line key (and the generated one, to print) with what the command line
    says of its permissions, whitelist and age."""
    import attrs

    from simulator.binance.config import ConfigError
    from simulator.cli.serve import key_restrictions

    restrictions = key_restrictions(args)
    if not restrictions:
        return key, generated
    if key is None:
        raise ConfigError(
            "--api-permissions, --api-ip-whitelist and --api-created-at describe the command-line "
            "key: give --api-key (or set them in the configuration file's [[accounts.keys]])"
        )
    key = attrs.evolve(key, **restrictions)
    return key, key if generated is not None else None
