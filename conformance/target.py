"""What an adapter author hands the suite: how to open their exchange, and what it trades.

Every opener is a plain callable returning an ``Exchange`` (or an awaitable of one), so a
conftest can be three lines. Optional openers unlock optional areas; an area whose opener
is missing is skipped with that reason, never silently.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from exchanges import Exchange

if TYPE_CHECKING:  # (httpx is the kucoin extra's; the plugin loads in every pytest run)
    import httpx

    from .faults import FaultWire

__all__ = ["Opener", "Target", "TransportWrapper", "resolve"]

TransportWrapper: TypeAlias = "Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]"
Opener: TypeAlias = Callable[..., Exchange | Awaitable[Exchange]]


async def resolve(opener: Callable[..., Any], *args: Any) -> Any:
    """Call ``opener``; await the result if it is awaitable."""
    result = opener(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


@attrs.frozen(kw_only=True)
class Target:
    """An exchange under test.

    ``exchange`` opens a fresh client on an account holding at least ``balances``.
    ``other_symbol`` (a second market) lets cancel-all scoping be checked.
    ``trading=False`` restricts the run to read-only areas (for a live venue).
    ``bad_credentials`` opens a client whose key is wrong.
    ``second_client(exchange)`` opens another client on the account of ``exchange``, as a
    restarted bot does: what it knows of orders comes from the venue alone.
    ``rate_limited(limiter_on)`` opens a client on a venue with a small budget; the suite
    sends ``rate_limit_burst`` calls at it.
    ``faulty(wrap)`` returns ``(faulty, clean)``: two clients on one account, the first
    with its HTTP transport wrapped by ``wrap`` (fault injection), the second clean.
    ``fault_wire`` tells the injector the venue's wire format (which requests place and
    read orders), so that reads can lag or fail and batches can be applied in part; without
    it only placements' answers are lost.
    ``has_liquidity=False`` (an empty book) skips the checks that need a counterparty.
    ``skip_reasons`` maps a test area's key to why it cannot run here: ``"faults"`` skips
    the fault-injection test, ``"*"`` the whole target (for a registered target).
    ``fault_attempts`` (orders placed by the longest fault test; the others place a tenth)
    and ``state_machine_examples`` size the long tests (``--conformance-depth`` multiplies
    both).
    """

    name: str
    exchange: Opener
    symbol: str
    other_symbol: str | None = None
    balances: Mapping[str, Decimal] = attrs.field(factory=dict)
    trading: bool = True
    has_liquidity: bool = True
    bad_credentials: Opener | None = None
    second_client: Callable[[Exchange], Exchange | Awaitable[Exchange]] | None = None
    rate_limited: Callable[[bool], Exchange | Awaitable[Exchange]] | None = None
    rate_limit_burst: int = 0
    faulty: (
        Callable[[TransportWrapper], tuple[Exchange, Exchange] | Awaitable[tuple[Exchange, Exchange]]] | None
    ) = None
    fault_wire: FaultWire | None = None
    fault_attempts: int = 1000
    state_machine_examples: int = 8
    skip_reasons: Mapping[str, str] = attrs.field(factory=dict)
