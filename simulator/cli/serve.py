"""``python -m simulator serve``: the local exchange server (a dialect's facade under uvicorn),
KuCoin's by default, Binance's with ``--dialect binance``.

Options kept stable for scripts: --dialect, --host, --port, --seed, --api-key/--api-secret
(KuCoin: --api-passphrase and --api-key-version too), --balance CUR=AMT (repeatable),
--rate-limits, --config, --control; KuCoin's: --tls (or --tls-cert/--tls-key). Prints
``listening on http://HOST:PORT`` (``https://`` over TLS) once it accepts connections (then
the throw-away certificate to trust, and the demo credentials, if it made them), logs one line
per request on stderr, and stops cleanly on SIGINT and SIGTERM. KuCoin's WebSocket clients
connect on the same port (``ws://``, or ``wss://``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from simulator.cli.command import Command

if TYPE_CHECKING:
    from simulator.kucoin.config import ApiKey, FacadeConfig

__all__ = ["COMMAND", "DEFAULT_BALANCES"]

#: What the command-line account holds when no --balance is given.
DEFAULT_BALANCES: dict[str, Decimal] = {
    "USDT": Decimal(100000),
    "BTC": Decimal(2),
    "ETH": Decimal(20),
    "SOL": Decimal(200),
}


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0-65535)")
    return port


def _created_at(text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither YYYY-MM-DD nor epoch milliseconds") from None
    return int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp() * 1000)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialect",
        choices=("kucoin", "binance"),
        default="kucoin",
        help="whose API the server speaks (default kucoin)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the synthetic market (default 0)")
    parser.add_argument("--api-key", help="API key of the command-line account")
    parser.add_argument("--api-secret", help="its secret")
    parser.add_argument("--api-passphrase", help="its passphrase")
    parser.add_argument(
        "--api-key-version",
        type=int,
        choices=(1, 2, 3),
        default=3,
        help="its version: 1 takes the passphrase in clear (python-kucoin), 2 and 3 signed (default 3)",
    )
    parser.add_argument(
        "--api-permissions",
        metavar="NAMES",
        help="the key's permissions, comma-separated, in the dialect's words: KuCoin's (default: all; "
        "General is always held), e.g. General,Spot; Binance's apiRestrictions flags (default: "
        "enableReading,enableSpotAndMarginTrading), e.g. enableReading",
    )
    parser.add_argument(
        "--api-ip-whitelist",
        metavar="ADDRESSES",
        help="addresses or networks the key may be used from, comma-separated (default: any)",
    )
    parser.add_argument(
        "--api-created-at",
        type=_created_at,
        metavar="DATE",
        help="when the key was made: YYYY-MM-DD (UTC) or epoch ms (default: when the server starts)",
    )
    parser.add_argument(
        "--balance",
        action="append",
        default=[],
        metavar="CURRENCY=AMOUNT",
        help="starting balance of the command-line account (repeatable; default "
        + ", ".join(f"{c}={a}" for c, a in DEFAULT_BALANCES.items())
        + ")",
    )
    parser.add_argument(
        "--rate-limits",
        choices=("kucoin", "legacy", "binance", "off"),
        default=None,
        help="kucoin: 30 s resource pools by VIP level (KuCoin's default); legacy: per-3 s table; "
        "binance: request weight per minute and orders per 10 s and day (Binance's default); off",
    )
    parser.add_argument(
        "--vip-level", type=int, default=None, help="VIP level of the command-line account (0-12)"
    )
    parser.add_argument(
        "--config", metavar="FILE.toml", help="accounts, keys, symbols, fees, market settings"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--tls",
        action="store_true",
        default=None,
        help="serve https:// and wss:// with a throw-away certificate (its authority's path is printed)",
    )
    parser.add_argument(
        "--tls-cert", metavar="FILE.pem", help="serve https:// and wss:// with this certificate (chain)"
    )
    parser.add_argument("--tls-key", metavar="FILE.pem", help="the certificate's private key")
    parser.add_argument(
        "--control",
        action="store_true",
        default=None,
        help="serve the /sim/ws control paths (WebSocket connections, faults, disconnects)",
    )


def run(args: argparse.Namespace) -> int:
    if args.dialect == "binance":
        from simulator.cli.serve_binance import run_binance

        return run_binance(args)
    if args.rate_limits == "binance":
        print("simulator serve: --rate-limits binance is for --dialect binance", file=sys.stderr)
        return 2
    return _run_kucoin(args)


def _run_kucoin(args: argparse.Namespace) -> int:
    # Imported here so that `python -m simulator --help` stays quick.
    import logging

    import attrs

    from exchanges import ExchangeError
    from simulator.kucoin import build, config

    now = int(time.time() * 1000)
    try:
        cfg = config.load_toml(args.config, created_at=now) if args.config else config.FacadeConfig()
        key, generated = _command_line_key(args, cfg, now)
        restrictions = key_restrictions(args)
        if restrictions and key is None:
            raise config.ConfigError(
                "--api-permissions, --api-ip-whitelist and --api-created-at describe the command-line "
                "key: give --api-key (or set them in the configuration file's [[accounts.keys]])"
            )
        if key is not None and restrictions:
            key = attrs.evolve(key, **restrictions)
            generated = key if generated is not None else None
        balances = dict(config.parse_balance(b) for b in args.balance) if args.balance else DEFAULT_BALANCES
        accounts = list(cfg.accounts)
        if key is not None:
            uid = max((a.uid for a in accounts), default=config.FIRST_UID - 1) + 1
            vip = args.vip_level if args.vip_level is not None else 0
            accounts.append(
                config.AccountConfig(uid=uid, name="cli", balances=balances, keys=(key,), vip_level=vip)
            )
        tls = _tls(args)
        cfg = attrs.evolve(
            cfg,
            control=cfg.control or bool(args.control),
            accounts=tuple(accounts),
            rate_limits=args.rate_limits if args.rate_limits is not None else cfg.rate_limits,
            seed=args.seed if args.seed is not None else cfg.seed,
        )
        served = build.build_served(cfg)
    except (config.ConfigError, ValueError, ExchangeError, OSError) as err:  # (the venue refusing a balance)
        print(f"simulator serve: {err}", file=sys.stderr)
        return 2

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.quiet:
        logging.getLogger("simulator.kucoin.access").setLevel(logging.WARNING)

    def listening(url: str) -> None:
        print(f"listening on {url}", flush=True)
        if tls is not None and tls.ca is not None:
            print(f"tls: trust this throw-away certificate authority: {tls.ca}", flush=True)
        if generated is not None:
            print(f"api key: {generated.key}", flush=True)
            print(f"api secret: {generated.secret}", flush=True)
            print(f"api passphrase: {generated.passphrase}", flush=True)

    return serve_forever(served.app, args, listening, served.market, tls=tls)


def _command_line_key(
    args: argparse.Namespace, cfg: FacadeConfig, now: int
) -> tuple[ApiKey | None, ApiKey | None]:
    """The key the command line declares (or a generated demo key when nothing declares one),
    and the generated one, to print."""
    from simulator.kucoin import config

    given = [args.api_key, args.api_secret, args.api_passphrase]
    if any(given) and not all(given):
        raise config.ConfigError("--api-key, --api-secret and --api-passphrase go together")
    if all(given):
        key = config.ApiKey(
            key=args.api_key,
            secret=args.api_secret,
            passphrase=args.api_passphrase,
            version=args.api_key_version,
            created_at=now,
        )
        return key, None
    if not cfg.accounts:
        generated = config.demo_key(created_at=now)
        return generated, generated
    return None, None


def serve_forever(
    app: Any,
    args: argparse.Namespace,
    listening: Callable[[str], None],
    market: Any,
    http: Any = None,
    *,
    tls: Any = None,
) -> int:
    """Run the server in the foreground until a signal stops it."""
    from simulator.kucoin import server

    extra = {} if http is None else {"http": http}
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(
                server.run(app, args.host, args.port, on_listening=listening, market=market, tls=tls, **extra)
            )
    except OSError as err:
        print(f"simulator serve: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    return 0


def _tls(args: argparse.Namespace) -> Any:
    """The certificate to serve with (None: plain HTTP)."""
    from pathlib import Path

    from simulator.kucoin.tls import Tls, throwaway_tls

    if (args.tls_cert is None) != (args.tls_key is None):
        raise ValueError("--tls-cert and --tls-key go together")
    if args.tls_cert is not None:
        if args.tls:
            raise ValueError("--tls makes a certificate; --tls-cert brings one: choose one")
        cert, key = Path(args.tls_cert), Path(args.tls_key)
        for path in (cert, key):
            if not path.is_file():
                raise ValueError(f"no such file: {path}")
        return Tls(cert=cert, key=key)
    return throwaway_tls([args.host]) if args.tls else None


def key_restrictions(args: argparse.Namespace) -> dict[str, Any]:
    """What the command line says of its key's permissions, whitelist and age."""
    out: dict[str, Any] = {}
    permissions = _names(args.api_permissions)
    if permissions is not None:
        out["permissions"] = frozenset(permissions)
    whitelist = _names(args.api_ip_whitelist)
    if whitelist is not None:
        out["ip_whitelist"] = tuple(whitelist)
    if args.api_created_at is not None:
        out["created_at"] = args.api_created_at
    return out


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (a faster event loop for the server), else asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


COMMAND = Command(
    "serve", "Serve the simulator over KuCoin's REST API (a local KuCoin), or Binance's.", configure, run
)
