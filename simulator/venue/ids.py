"""Identifiers drawn deterministically from the venue's seed: KuCoin's look by default, or
Binance's integer order ids (:class:`IntegerIds`).

KuCoin's order ids are 24 lower-case hex digits like a Mongo ObjectId (seconds, then a
per-venue salt, then a counter); trade, fill and ledger ids are large integers; stop-order
ids start with ``vs`` as KuCoin's do; account ids are 24 hex digits.
"""

from __future__ import annotations

import itertools
import random

__all__ = ["IdSource", "IntegerIds"]

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_COUNTER = (1 << 48) - 1  # an order id's counter: 12 hex digits
_PAD = 1 << 48


class IdSource:
    def __init__(self, seed: int) -> None:
        rng = random.Random(f"simulator-ids-{seed}")
        self._salt = rng.getrandbits(16)
        self._orders = itertools.count(rng.getrandbits(28))
        self._second = -1  # the order-id prefix (seconds, salt) of the latest second
        self._prefix = ""
        self.trade_ids = itertools.count(10_000_000_000_000_000 + rng.getrandbits(44))
        self._fills = itertools.count(19_000_000_000_000 + rng.getrandbits(36))
        self.ledger_ids = itertools.count(250_000_000_000_000 + rng.getrandbits(40))
        self.done_ids = itertools.count(20_000_000_000_000 + rng.getrandbits(36))
        self.sequence_base = 1_000_000_000 + rng.getrandbits(30)
        self._stop_rng = random.Random(f"simulator-stop-ids-{seed}")
        self._account_rng = random.Random(f"simulator-account-ids-{seed}")
        self._test_orders = itertools.count(1)

    def order_id(self, now_ms: int) -> str:
        second = now_ms // 1000
        if second != self._second:
            self._second = second
            self._prefix = f"{second & 0xFFFFFFFF:08x}{self._salt:04x}"
        # the counter's 12 hex digits: a leading 1 bit makes hex() pad them (twice as fast
        # as a format spec, and every order draws one)
        return self._prefix + hex(next(self._orders) & _COUNTER | _PAD)[3:]

    def test_order_id(self, now_ms: int) -> str:
        """An id for a validate-only order: well-formed, never used by a real order."""
        return f"{(now_ms // 1000) & 0xFFFFFFFF:08x}{(self._salt ^ 0xFFFF):04x}{next(self._test_orders):012x}"

    def stop_id(self) -> str:
        bits = self._stop_rng.getrandbits(114)
        chars = []
        for _ in range(22):
            bits, rem = divmod(bits, 36)
            chars.append(_B36[rem])
        return "vs" + "".join(chars)

    def account_id(self) -> str:
        return f"{self._account_rng.getrandbits(96):024x}"

    def fill_id(self) -> int:
        return next(self._fills)

    def ledger_id(self) -> int:
        return next(self.ledger_ids)

    def done_id(self) -> int:
        return next(self.done_ids)


class IntegerIds(IdSource):
    """Ids that look like Binance's: orders (waiting stop orders too) numbered by one
    counter starting at a seeded point, as decimal strings; the rest as :class:`IdSource`."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        rng = random.Random(f"simulator-integer-ids-{seed}")
        self._numbers = itertools.count(1_000_000_000 + rng.getrandbits(30))
        self._test_numbers = itertools.count(1)

    def order_id(self, now_ms: int) -> str:  # noqa: ARG002 (a counter: the time does not show)
        return str(next(self._numbers))

    def test_order_id(self, now_ms: int) -> str:  # noqa: ARG002 (as order_id)
        """A placeholder for a validate-only order: negative, so never a real order's."""
        return str(-next(self._test_numbers))

    def stop_id(self) -> str:
        return str(next(self._numbers))
