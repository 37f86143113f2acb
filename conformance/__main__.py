"""``python -m conformance``: the contract suite from the command line.

    python -m conformance --target paper             run it on a registered target
    python -m conformance mutants [--deep]           run it on every mutant of the catalogue, print the score
    python -m conformance init [--exchange mod:Cls]  write a starter conftest.py for your adapter
    python -m conformance docs [--write PATH]        the page of every contract test and its rule

Arguments it does not know go to pytest (``-x``, ``-k``, ``--conformance-depth 10`` ...).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["main"]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--target", required="--list" not in argv, help="a registered target (see --list)")
    parser.add_argument("--list", action="store_true", help="list the registered targets and exit")
    args, pytest_args = parser.parse_known_args(argv)
    from .targets import TARGETS

    if args.list:
        print("\n".join(TARGETS))
        return 0
    if args.target not in TARGETS:
        parser.error(f"unknown target {args.target!r}; registered: {', '.join(TARGETS) or 'none'}")
    code = pytest.main(
        [
            "--pyargs",
            "conformance",
            f"--conformance-target={args.target}",
            "-q",
            "-rs",
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
            *pytest_args,
        ]
    )
    if int(code) == 5:  # (pytest: nothing collected, e.g. a -k that matches no test)
        print("\nno contract test was selected: nothing was checked", file=sys.stderr)
    return int(code)


def _mutants(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance mutants",
        description="Run the suite on deliberately broken exchanges (the mutant catalogue) and print "
        "which it catches, in the tests named for them, and the score. Exit status 0 when every "
        "mutant is caught there and fails nothing else of the scope.",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target", default="paper", help="the registered target to break (default paper)")
    target.add_argument("--conftest", action="store_true", help="break the target of your own conftest.py")
    parser.add_argument("--only", help="comma-separated mutants (default: all)")
    parser.add_argument(
        "--scope",
        choices=("named", "neighbour", "area", "suite"),
        default="area",
        help="run each mutant on the tests named for it, those and the next test of their area, "
        "their whole areas (default), or the whole suite",
    )
    parser.add_argument(
        "--deep", action="store_true", help="the whole suite for every mutant (--scope suite)"
    )
    parser.add_argument("--list", action="store_true", help="print the catalogue without running it")
    args, pytest_args = parser.parse_known_args(argv)
    from .mutants import MUTANTS

    if args.list:
        for mutant in MUTANTS.values():
            print(f"{mutant.name:<40} {' + '.join(mutant.caught_by)}\n    {mutant.flaw}")
        print(f"\n{len(MUTANTS)} mutants")
        return 0
    scope = "suite" if args.deep else args.scope
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "mutants.json")
        chosen = [] if args.conftest else [f"--conformance-target={args.target}"]
        pytest.main(
            [
                "--pyargs",
                "conformance",
                *chosen,
                f"--conformance-mutant={args.only or 'all'}",
                f"--conformance-mutant-scope={scope}",
                f"--conformance-json={report}",
                "-q",
                "--tb=no",
                "-rN",
                "-p",
                "no:cacheprovider",
                "-W",
                "ignore::pytest.PytestAssertRewriteWarning",
                *pytest_args,
            ]
        )
        if not report.exists():
            print("the run wrote no report: see the errors above", file=sys.stderr)
            return 2
        from .mutants.score import verdicts

        found = verdicts(json.loads(report.read_text()))
    return 0 if found and all(v.exact for v in found) else 1


def _init(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance init", description="Write a starter conftest.py for an adapter's project."
    )
    parser.add_argument(
        "--exchange", default="my_adapter:MyExchange", help="your exchange class, as module:Class"
    )
    parser.add_argument("--name", default="my-venue", help="the target's name in reports")
    parser.add_argument("--path", type=Path, default=Path(), help="the project's root (default: here)")
    parser.add_argument("--force", action="store_true", help="replace an existing conftest.py")
    args = parser.parse_args(argv)
    from .starter import write_starter

    try:
        path = write_starter(args.path, args.exchange, args.name, force=args.force)
    except (FileExistsError, ValueError) as err:
        parser.error(str(err))
    print(f"wrote {path}: fill in how to open your exchange, then run `pytest --pyargs conformance`")
    return 0


def _docs(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance docs",
        description="The page of every contract test and the rule it holds.",
    )
    parser.add_argument("--write", type=Path, help="write the page to this file (else print it)")
    parser.add_argument("--check", type=Path, help="exit 1 if this file is not the page as it is now")
    args = parser.parse_args(argv)
    from .docs import render

    page = render()
    if args.check is not None:
        current = args.check.read_text() if args.check.exists() else ""
        if current != page:
            print(
                f"{args.check} is out of date: python -m conformance docs --write {args.check}",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(page)
        return 0
    sys.stdout.write(page)
    return 0


COMMANDS: dict[str, Callable[[list[str]], int]] = {"mutants": _mutants, "init": _init, "docs": _docs}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in COMMANDS:
        return COMMANDS[args[0]](args[1:])
    return _run(args)


if __name__ == "__main__":
    raise SystemExit(main())
