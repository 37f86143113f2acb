"""``python -m simulator serve --dialect binance``: the serve command's Binance half (one
account from --api-key/--api-secret and --balance, or the configuration file's)."""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["run_binance"]

#: Options of the KuCoin dialect that Binance's keys and accounts do not have.
_KUCOIN_ONLY = ("api_passphrase", "api_permissions", "api_ip_whitelist", "api_created_at", "vip_level")


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
            raise config.ConfigError(f"{flags}: not for --dialect binance (its keys have a key and a secret)")
        if args.rate_limits not in (None, "binance", "off"):
            raise config.ConfigError("--dialect binance takes --rate-limits binance or off")
        cfg = config.load_toml(args.config) if args.config else config.BinanceConfig()
        if bool(args.api_key) != bool(args.api_secret):
            raise config.ConfigError("--api-key and --api-secret go together")
        generated = None
        if args.api_key:
            key: config.ApiKey | None = config.ApiKey(key=args.api_key, secret=args.api_secret)
        elif not cfg.accounts:
            key = generated = config.demo_key()
        else:
            key = None
        balances = dict(config.parse_balance(b) for b in args.balance) if args.balance else DEFAULT_BALANCES
        accounts = list(cfg.accounts)
        if key is not None:
            uid = max((a.uid for a in accounts), default=config.FIRST_UID - 1) + 1
            accounts.append(config.AccountConfig(uid=uid, balances=balances, keys=(key,)))
        cfg = attrs.evolve(
            cfg,
            accounts=tuple(accounts),
            rate_limits=args.rate_limits if args.rate_limits is not None else cfg.rate_limits,
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
