"""``python -m simulator <command>``: the simulator's command line.

Each command lives in its own ``simulator/cli/<name>.py`` module exposing ``COMMAND``; adding a
command means adding its module name to ``COMMAND_MODULES``. Modules are imported only to
build the parser, and each imports its heavy dependencies inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from simulator.cli.command import Command

__all__ = ["COMMAND_MODULES", "Command", "build_parser", "main"]

#: Modules that each define ``COMMAND``, in the order ``--help`` lists them.
COMMAND_MODULES: list[str] = [
    "simulator.cli.serve",
    "simulator.cli.backtest",
    "simulator.cli.sweep",
    "simulator.cli.download",
    "simulator.cli.data",
]


def _commands() -> list[Command]:
    return [importlib.import_module(name).COMMAND for name in COMMAND_MODULES]


def build_parser(commands: Sequence[Command] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="The KuCoin-imitating simulator."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in commands if commands is not None else _commands():
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(child)
        child.set_defaults(command_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    run: Callable[[argparse.Namespace], int] = args.command_run
    return run(args)
