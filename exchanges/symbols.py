"""Unified symbols (``BASE/QUOTE``) and each venue's spelling of them.

Venues that join base and quote with a separator (KuCoin ``BTC-USDT``, Gate ``BTC_USDT``)
can be decoded alone; venues that concatenate (Binance, Bybit, Bitget ``BTCUSDT``) cannot
(``ABCDE`` + ``F`` vs ``ABC`` + ``DEF``), so their codec is built from the market list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from .errors import BadSymbol

__all__ = [
    "ConcatCodec",
    "SeparatorCodec",
    "SymbolCodec",
    "codec_for",
    "parse_symbol",
    "unified_symbol",
]

_CURRENCY = re.compile(r"[A-Z0-9]{1,20}")

_SEPARATORS: Mapping[str, str] = {
    "kucoin": "-",
    "paper": "-",
    "okx": "-",
    "coinbase": "-",
    "gate": "_",
}
_CONCATENATING = frozenset({"binance", "bybit", "bitget"})


def _check_currency(code: str, whole: str, venue: str = "") -> str:
    if not _CURRENCY.fullmatch(code):
        raise BadSymbol(
            f"bad symbol {whole!r}: currency {code!r} must be 1-20 upper-case letters or digits",
            venue=venue,
        )
    return code


def parse_symbol(symbol: str) -> tuple[str, str]:
    """``"BTC/USDT"`` -> ``("BTC", "USDT")``; anything else raises ``BadSymbol``."""
    if not isinstance(symbol, str):
        raise BadSymbol(f"symbol must be a str, got {type(symbol).__name__}")
    parts = symbol.split("/")
    if len(parts) != 2:
        raise BadSymbol(f"bad symbol {symbol!r}: expected BASE/QUOTE, e.g. BTC/USDT")
    base, quote = (_check_currency(p, symbol) for p in parts)
    if base == quote:
        raise BadSymbol(f"bad symbol {symbol!r}: base and quote are the same currency")
    return base, quote


def unified_symbol(base: str, quote: str) -> str:
    symbol = f"{base}/{quote}"
    parse_symbol(symbol)
    return symbol


class SymbolCodec(Protocol):
    @property
    def venue(self) -> str: ...

    def to_native(self, symbol: str) -> str: ...

    def from_native(self, native: str) -> str: ...


@attrs.frozen(slots=True)
class SeparatorCodec:
    """``BASE<sep>QUOTE`` venues."""

    venue: str
    separator: str

    def to_native(self, symbol: str) -> str:
        base, quote = parse_symbol(symbol)
        return f"{base}{self.separator}{quote}"

    def from_native(self, native: str) -> str:
        if not isinstance(native, str):
            raise BadSymbol(f"symbol must be a str, got {type(native).__name__}", venue=self.venue)
        parts = native.split(self.separator)
        if len(parts) != 2:
            raise BadSymbol(
                f"bad {self.venue} symbol {native!r}: expected BASE{self.separator}QUOTE", venue=self.venue
            )
        base, quote = (_check_currency(p, native, self.venue) for p in parts)
        if base == quote:  # (parse_symbol refuses it too: the round trip must hold)
            raise BadSymbol(
                f"bad {self.venue} symbol {native!r}: base and quote are one currency", venue=self.venue
            )
        return f"{base}/{quote}"


@attrs.frozen(slots=True)
class ConcatCodec:
    """``BASEQUOTE`` venues; decoding needs the venue's market list."""

    venue: str
    # (compared, but left out of the hash: a dict has none, and equal codecs share a venue)
    _by_native: Mapping[str, str] = attrs.field(alias="by_native", hash=False)

    @classmethod
    def from_symbols(cls, venue: str, symbols: Iterable[str]) -> ConcatCodec:
        by_native: dict[str, str] = {}
        for symbol in symbols:
            base, quote = parse_symbol(symbol)
            native = base + quote
            if by_native.setdefault(native, symbol) != symbol:
                raise ValueError(f"{venue}: {native!r} is ambiguous ({by_native[native]} and {symbol})")
        return cls(venue, by_native)

    def to_native(self, symbol: str) -> str:
        base, quote = parse_symbol(symbol)
        return base + quote

    def from_native(self, native: str) -> str:
        try:
            return self._by_native[native]
        except (KeyError, TypeError):
            raise BadSymbol(f"unknown {self.venue} symbol {native!r}", venue=self.venue) from None


def codec_for(venue: str, symbols: Iterable[str] | None = None) -> SymbolCodec:
    """The codec of ``venue``; concatenating venues need ``symbols`` (unified) to decode."""
    if venue in _SEPARATORS:
        return SeparatorCodec(venue, _SEPARATORS[venue])
    if venue in _CONCATENATING:
        if symbols is None:
            raise ValueError(f"{venue} writes BTCUSDT: pass its market list to decode symbols")
        return ConcatCodec.from_symbols(venue, symbols)
    raise ValueError(f"no symbol codec for venue {venue!r}")
