"""Rate limits: the client limiter absorbs a burst; without it the venue's 429 surfaces typed."""

from __future__ import annotations

import asyncio

import pytest

from conformance.helpers import opened, skip
from conformance.target import Target
from exchanges import RateLimitExceeded

pytestmark = [pytest.mark.conformance_area("rate limits"), pytest.mark.asyncio(loop_scope="function")]


def _need(target: Target) -> None:
    if target.rate_limited is None or target.rate_limit_burst <= 0:
        skip(target, target.skip_reasons.get("rate limits", "the target declares no rate-limited venue"))


async def test_burst_with_limiter_never_sees_a_429(conformance_target: Target) -> None:
    _need(conformance_target)
    assert conformance_target.rate_limited is not None
    async with opened(conformance_target, conformance_target.rate_limited, True) as ex:
        results = await asyncio.gather(
            *(ex.fetch_ticker(conformance_target.symbol) for _ in range(conformance_target.rate_limit_burst)),
            return_exceptions=True,
        )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} calls failed, first: {errors[0]!r}" if errors else ""


async def test_burst_without_limiter_surfaces_rate_limit_exceeded(conformance_target: Target) -> None:
    _need(conformance_target)
    assert conformance_target.rate_limited is not None
    async with opened(conformance_target, conformance_target.rate_limited, False) as ex:
        with pytest.raises(RateLimitExceeded) as info:  # noqa: PT012 - the burst is the statement under test
            for _ in range(conformance_target.rate_limit_burst):
                await ex.fetch_ticker(conformance_target.symbol)
    assert info.value.retry_after is not None
    assert info.value.retry_after > 0
