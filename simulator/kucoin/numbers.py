"""Numbers as a request spells them, read strictly: ASCII digits in KuCoin's notation or nothing.

Python's ``int()`` and ``Decimal()`` take much more than a wire format should: ``1_0``, ``+1``,
surrounding spaces, Arabic-Indic and full-width digits, ``NaN``; and ``str.isdigit()`` holds for
``²``, which ``int()`` then refuses with an exception. Every number the server reads from a
header, a query or a body goes through here, so that anything else is the caller's error with
KuCoin's code rather than a crash or a silently different number.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["parse_decimal", "parse_int"]

# Explicit [0-9]: \d would also match every other script's digits.
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def parse_int(text: str, *, max_digits: int = 20) -> int | None:
    """``-?[0-9]{1,max_digits}`` as an int; None for any other spelling."""
    digits = text[1:] if text[:1] == "-" else text
    if 0 < len(digits) <= max_digits and digits.isascii() and digits.isdigit():
        return int(text)
    return None


def parse_decimal(text: str, *, max_len: int = 40) -> Decimal | None:
    """A plain or exponent decimal (``0.001``, ``-5``, ``1e-05``, the forms clients and JSON
    numbers produce) as a finite Decimal; None for any other spelling."""
    if len(text) > max_len or _DECIMAL.fullmatch(text) is None:
        return None
    return Decimal(text)
