"""``python -m exchanges keycheck``: is this API key fit for its purpose, and only for it?

Reads the key's information from its venue (through the registry, so any venue whose
adapter reports it), searches the current git repository's tracked files and history and any given
environment dumps for the key's credentials, and prints a table or JSON. Exit status for
CI: 0 nothing failed, 1 a check failed, 2 the key could not be checked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .clock import SystemClock
from .errors import ExchangeError
from .keycheck import DEFAULT_MAX_AGE_DAYS, KeyReport, Purpose, check_key
from .keys import ApiKeyInfo, KeyInfoReading, KeyPermission
from .protocol import Exchange
from .registry import (
    ConfigurationError,
    VenueSpec,
    connect,
    connect_from,
    parse_option_text,
    venue_spec,
    venue_table,
)
from .secret_scan import SecretSearch, search_for
from .times import from_ms

__all__ = ["configure", "run"]

EXIT_OK, EXIT_FAILED, EXIT_UNCHECKED = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--purpose", required=True, choices=[p.value for p in Purpose], help="what the key is for"
    )
    parser.add_argument("--venue", help="a registered venue, e.g. kucoin")
    parser.add_argument("--base-url", help="where the venue is (e.g. http://127.0.0.1:8080, the simulator)")
    parser.add_argument(
        "--option", action="append", default=[], metavar="NAME=VALUE", help="a venue option (repeatable)"
    )
    parser.add_argument(
        "--config", metavar="FILE.toml", help="read the venue and its options from a TOML table"
    )
    parser.add_argument(
        "--table", help="the table of --config holding them (dotted; default: the whole file)"
    )
    parser.add_argument(
        "--max-age-days",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        help="rotate keys older than this (default 90)",
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        choices=[p.value for p in KeyPermission],
        help="a permission the purpose may hold besides its own (repeatable)",
    )
    parser.add_argument(
        "--env-dump",
        action="append",
        default=[],
        metavar="FILE",
        help="an environment dump to search for the credentials (env output, .env, a CI log; repeatable)",
    )
    parser.add_argument(
        "--repo", default=".", help="search this git repository's tracked files (default: here)"
    )
    parser.add_argument("--no-git", action="store_true", help="do not search the git repository")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _open(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[VenueSpec, Exchange]:
    if args.config:
        table = dict(venue_table(args.config, args.table))
        if args.venue:
            table["venue"] = args.venue
        spec = venue_spec(table.get("venue", "paper"))
        for assignment in args.option:
            name, value = parse_option_text(spec, assignment)
            table[name] = value
        if args.base_url:
            table["base_url"] = args.base_url
        return spec, connect_from(table, environ=environ)
    if not args.venue:
        raise ConfigurationError("name the venue: --venue kucoin (or --config FILE.toml)")
    spec = venue_spec(args.venue)
    options: dict[str, Any] = dict(parse_option_text(spec, a) for a in args.option)
    if args.base_url:
        options["base_url"] = args.base_url
    for name in options:
        option = spec.option(name)
        if option is not None and option.secret:
            raise ConfigurationError(
                f"{spec.name} option {name}: a secret is not taken from the command line "
                f"(it would show in the process list); set {', '.join(spec.credential_env)}"
            )
    return spec, connect(spec.name, environ=environ, **options)


async def _read_key(exchange: Exchange) -> ApiKeyInfo:
    try:
        if not isinstance(exchange, KeyInfoReading):
            raise ConfigurationError(f"venue {exchange.venue!r} does not report API key information")
        return await exchange.fetch_api_key_info()
    finally:
        await exchange.close()


def _search(args: argparse.Namespace, spec: VenueSpec, environ: Mapping[str, str]) -> SecretSearch:
    """Where the key's credentials were looked for, what was found, and what could not be."""
    secrets = {name: environ[name] for name in spec.secret_env if environ.get(name)}
    dumps = [Path(p) for p in args.env_dump]
    missing = [str(p) for p in dumps if not p.is_file()]
    if missing:
        raise ConfigurationError(f"no such environment dump: {', '.join(missing)}")
    if not secrets:
        reason = f"no credential of {spec.name} in the environment to look for"
        return SecretSearch(skipped=dict.fromkeys(("git", "git history", "env dump"), reason))
    return search_for(secrets, repo=None if args.no_git else Path(args.repo), dumps=dumps)


def _table(report: KeyReport, out: TextIO) -> None:
    key = report.key
    who = ", ".join(
        part
        for part in (
            f"account {key.account_id}" if key.account_id else "",
            f"sub-account {key.sub_account}" if key.sub_account else "",
            f"label {key.label!r}" if key.label else "",
            f"key version {key.key_version}" if key.key_version else "",
        )
        if part
    )
    venue_names = f" ({', '.join(sorted(key.venue_permissions))})" if key.venue_permissions else ""
    granted = ", ".join(p.value for p in KeyPermission if p in key.permissions) or "none"
    print(f"{report.venue} key for {report.purpose}" + (f": {who}" if who else ""), file=out)
    print(f"  permissions:  {granted}{venue_names}", file=out)
    print(f"  ip whitelist: {', '.join(key.ip_whitelist) or 'none'}", file=out)
    created = from_ms(key.created_at).date().isoformat() if key.created_at else "not reported"
    used = from_ms(key.last_used_at).date().isoformat() if key.last_used_at else "not reported"
    print(f"  created:      {created}; last used: {used}", file=out)
    rows = [("CHECK", "RESULT", "DETAIL")] + [(c.name, c.result.upper(), c.detail) for c in report.checks]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, result, detail in rows:
        print(f"{name:<{widths[0]}}  {result:<{widths[1]}}  {detail}", file=out)
    failed = list(dict.fromkeys(c.name for c in report.checks if c.result == "fail"))
    verdict = "OK" if report.ok else f"FAIL ({len(failed)} check(s) failed: {', '.join(failed)})"
    print(f"verdict: {verdict}", file=out)


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    env = os.environ if environ is None else environ
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        spec, exchange = _open(args, env)
        key = asyncio.run(_read_key(exchange))
        search = _search(args, spec, env)
    except (ConfigurationError, ExchangeError) as problem:
        print(f"keycheck: cannot check the key: {problem}", file=err)
        return EXIT_UNCHECKED
    report = check_key(
        key,
        Purpose(args.purpose),
        now_ms=SystemClock().now_ms(),
        max_age_days=args.max_age_days,
        allow=frozenset(KeyPermission(p) for p in args.allow),
        **search.report_fields(),
    )
    if args.format == "json":
        json.dump(report.to_json(), out, indent=2)
        print(file=out)
    else:
        _table(report, out)
    return EXIT_OK if report.ok else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exchanges keycheck", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))
