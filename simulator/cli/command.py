"""What a subcommand of ``python -m simulator`` is."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import attrs

__all__ = ["Command"]


@attrs.frozen
class Command:
    """One subcommand: its name, one-line help, how to add its options, and how to run it."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
