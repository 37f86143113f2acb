"""``python -m signals``: ``serve`` the bridge, or ``send`` it a signed request."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence

from exchanges import ConfigurationError, ExchangeError

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    from .app import build_app
    from .bridge import Bridge
    from .config import ConfigError, load_config
    from .server import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config, environ=os.environ)
    except ConfigError as err:
        print(f"signals serve: {err}", file=sys.stderr)
        return 2
    host = args.host or config.host
    port = config.port if args.port is None else args.port
    bridge = Bridge(config)

    async def main() -> None:
        await bridge.start()  # (configuration and venue errors surface here, before listening)
        await run(
            build_app(bridge), host, port, on_listening=lambda url: print(f"listening on {url}", flush=True)
        )

    try:
        asyncio.run(main())
    except (ConfigurationError, ExchangeError) as err:
        print(f"signals serve: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"signals serve: cannot listen on {host}:{port}: {err}", file=sys.stderr)
        return 1
    return 0


def _send(args: argparse.Namespace) -> int:
    import httpx

    from .client import send

    variable = args.secret_env or f"SIGNALS_SECRET_{args.source.upper().replace('-', '_').replace('.', '_')}"
    secret = os.environ.get(variable)
    if not secret:
        print(
            f"signals send: set the source's secret in {variable} (or name the variable with --secret-env)",
            file=sys.stderr,
        )
        return 2
    body = None
    if args.method == "POST":
        try:
            body = json.loads(args.body or "{}")
        except ValueError as err:
            print(f"signals send: the body is not JSON: {err}", file=sys.stderr)
            return 2
        if args.path == "/signal" and isinstance(body, dict):
            body.setdefault("source", args.source)
    try:
        response = send(args.url, args.source, secret, args.method, args.path, body)
    except httpx.HTTPError as err:
        print(f"signals send: {args.url}: {err}", file=sys.stderr)
        return 1
    print(response.status_code, response.text)
    return 0 if response.is_success else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m signals", description="The signal bridge: webhooks to orders."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = sub.add_parser(
        "serve", help="run the bridge", description="Run the bridge until Ctrl-C or SIGTERM."
    )
    serve.add_argument("--config", required=True, metavar="bridge.toml")
    serve.add_argument("--host", help="address to bind (default: the configuration's, 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help="port to bind; 0 picks a free one (default: the configuration's)"
    )
    serve.set_defaults(run=_serve)
    send = sub.add_parser(
        "send", help="send the bridge a signed request", description="Sign and send one request."
    )
    send.add_argument(
        "--url", default="http://127.0.0.1:8000", help="the bridge (default http://127.0.0.1:8000)"
    )
    send.add_argument("--source", required=True, help="the source to sign as")
    send.add_argument(
        "--secret-env", help="the variable holding its secret (default SIGNALS_SECRET_<SOURCE>)"
    )
    send.add_argument("method", choices=("GET", "POST"))
    send.add_argument("path", help="/signal, /halt, /signals/ID, /positions")
    send.add_argument("body", nargs="?", help="the JSON body of a POST")
    send.set_defaults(run=_send)
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
