"""``python -m conformance init``: a starter ``conftest.py`` for an adapter's project, with
every optional part of a :class:`~conformance.Target` written out as a comment."""

from __future__ import annotations

from pathlib import Path

__all__ = ["STARTER", "starter", "write_starter"]

STARTER = '''\
# conftest.py, at your project's root: `pytest --pyargs conformance` runs the contract on it
import pytest

from conformance import Target
from {module} import {name}


def open_exchange() -> {name}:
    """A fresh client on the test account (the suite opens one per test)."""
    return {name}()  # with your test account's credentials


@pytest.fixture(scope="session")
def conformance_target() -> Target:
    return Target(
        name="{venue}",
        exchange=open_exchange,
        symbol="BTC/USDT",  # a liquid market
        other_symbol="ETH/USDT",  # a second market, to check that cancel-all keeps to its own
        # What the account holds at least (the balance tests hold it to that):
        # balances={{"USDT": Decimal(1000), "BTC": Decimal("0.01")}},  # (from decimal import Decimal)
        # A client whose key is wrong (the errors area expects an AuthenticationError):
        # bad_credentials=lambda: {name}(key="wrong", secret="wrong"),
        # Another client on the same account, as after a restart of the bot:
        # second_client=lambda exchange: open_exchange(),
        # Faults: two clients on one account, the first with its HTTP transport wrapped by the
        # suite's fault injector, the second clean (the judge); a conformance.FaultWire tells
        # the injector which requests place and read orders, so reads can lag and fail too:
        # faulty=lambda wrap: ({name}(transport=wrap(httpx.AsyncHTTPTransport())), open_exchange()),
        # fault_wire=MyFaultWire(),
        # fault_attempts=1000,
        # Rate limits: a client on a venue with a small budget, with or without its limiter:
        # rate_limited=lambda limiter_on: {name}(rate_limit=limiter_on),
        # rate_limit_burst=100,
        # A live account: read-only areas only.
        # trading=False,
    )
'''


def starter(exchange: str = "my_adapter:MyExchange", venue: str = "my-venue") -> str:
    """The starter for ``exchange``, given as ``module:Class``."""
    module, sep, name = exchange.partition(":")
    if not sep or not module or not name.isidentifier():
        raise ValueError(f"give the exchange as module:Class (e.g. my_adapter:MyExchange), got {exchange!r}")
    return STARTER.format(module=module, name=name, venue=venue)


def write_starter(directory: Path, exchange: str, venue: str, *, force: bool = False) -> Path:
    """Write ``conftest.py`` into ``directory``; an existing one is kept unless ``force``."""
    path = directory / "conftest.py"
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists already (pass --force to replace it)")
    path.write_text(starter(exchange, venue))
    return path
