"""The ``python -m simulator`` command line: subcommands plug in, options parse as documented."""

from __future__ import annotations

import argparse

import pytest

from simulator.cli import COMMAND_MODULES, Command, build_parser, main


def test_commands_plug_in_by_module() -> None:
    ran: list[str] = []

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--since")

    def run(args: argparse.Namespace) -> int:
        ran.append(args.since)
        return 3

    parser = build_parser([Command("download", "Fetch history.", configure, run)])
    args = parser.parse_args(["download", "--since", "2024-01-01"])
    assert args._run(args) == 3 and ran == ["2024-01-01"]
    assert "simulator.cli_serve" in COMMAND_MODULES


def test_serve_options_and_defaults() -> None:
    args = build_parser().parse_args(
        ["serve", "--balance", "USDT=5", "--balance", "BTC=1", "--rate-limits", "off"]
    )
    assert (args.host, args.port, args.seed, args.rate_limits) == ("127.0.0.1", 8080, None, "off")
    assert args.balance == ["USDT=5", "BTC=1"]
    assert args.api_key_version == 3  # what KuCoin issues today
    assert build_parser().parse_args(["serve", "--api-key-version", "1"]).api_key_version == 1
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--rate-limits", "fast"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--api-key-version", "4"])


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and "COMMAND" in capsys.readouterr().err


def test_bad_balance_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--balance", "USDT"]) == 2
    assert "CURRENCY=AMOUNT" in capsys.readouterr().err
