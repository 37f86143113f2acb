"""Rate limits: the client limiter absorbs a burst; without it the venue's 429 surfaces typed."""

from __future__ import annotations

import asyncio

import pytest

from conformance.helpers import expect_error, opened, skip
from conformance.target import Target
from exchanges import Exchange, RateLimitExceeded

pytestmark = [pytest.mark.conformance_area("rate limits"), pytest.mark.asyncio(loop_scope="function")]


def _need(target: Target) -> None:
    if target.rate_limited is None or target.rate_limit_burst <= 0:
        skip(target, target.skip_reasons.get("rate limits", "the target declares no rate-limited venue"))


async def test_burst_with_limiter_never_sees_a_429(conformance_subject: Target) -> None:
    """With its rate limiter on, a client paces a burst larger than the venue's budget: no
    call fails."""
    _need(conformance_subject)
    assert conformance_subject.rate_limited is not None
    async with opened(conformance_subject, conformance_subject.rate_limited, True) as ex:
        results = await asyncio.gather(
            *(
                ex.fetch_ticker(conformance_subject.symbol)
                for _ in range(conformance_subject.rate_limit_burst)
            ),
            return_exceptions=True,
        )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, (
        f"the limiter let {len(errors)} calls of a burst fail, first: {errors[0]!r}" if errors else ""
    )


async def test_burst_without_limiter_surfaces_rate_limit_exceeded(conformance_subject: Target) -> None:
    """Without its limiter, a burst over the venue's budget raises ``RateLimitExceeded``
    with a positive ``retry_after``."""
    _need(conformance_subject)
    assert conformance_subject.rate_limited is not None
    burst = conformance_subject.rate_limit_burst
    async with opened(conformance_subject, conformance_subject.rate_limited, False) as ex:
        err = await expect_error(
            RateLimitExceeded,
            f"a burst of {burst} calls over the venue's budget must raise RateLimitExceeded",
            _burst(ex, conformance_subject.symbol, burst),
        )
    assert err.retry_after is not None, "a 429 must say when to retry (retry_after)"
    assert err.retry_after > 0, f"a 429 says to retry after {err.retry_after} s"


async def _burst(ex: Exchange, symbol: str, calls: int) -> None:
    for _ in range(calls):
        await ex.fetch_ticker(symbol)
