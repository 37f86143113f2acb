"""``python -m exchanges <command>``: ``keycheck`` (is an API key fit for its purpose?)."""

from __future__ import annotations

import argparse
import sys

from . import cli_keycheck


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m exchanges", description="The exchanges core's tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    keycheck = sub.add_parser(
        "keycheck",
        help="check an API key against its purpose (permissions, IP whitelist, age, leaked secrets)",
        description=cli_keycheck.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli_keycheck.configure(keycheck)
    args = parser.parse_args()
    return cli_keycheck.run(args)


if __name__ == "__main__":
    sys.exit(main())
