"""What a run's holdings are worth in one currency, when it trades several pairs.

Each currency is valued through the pairs of the run, by the shortest chain of last
prices that links it to the valuation currency (ETH in USDT through ETH/USDT, or through
ETH/BTC and BTC/USDT when that is all there is). The valuation currency is the quote
most of the pairs share (USDT for ETH/BTC, ETH/USDT and BTC/USDT), the first pair's quote
on a tie, so a triangle is reported in the currency a researcher counts in.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from decimal import Decimal

from exchanges import parse_symbol

__all__ = ["Valuation", "valuation_currency"]

ONE = Decimal(1)
Step = tuple[str, bool]  # (symbol, inverted: the currency is the pair's quote)


def valuation_currency(symbols: Sequence[str]) -> str:
    """The quote most of ``symbols`` share (the first one's on a tie)."""
    quotes = [parse_symbol(s)[1] for s in symbols]
    counts = Counter(quotes)
    best = max(counts.values())
    return next(q for q in quotes if counts[q] == best)


class Valuation:
    """Values currencies in ``currency`` through the last prices of ``symbols``."""

    def __init__(self, symbols: Sequence[str], currency: str | None = None) -> None:
        self.currency = currency or valuation_currency(symbols)
        links: dict[str, list[tuple[str, str, bool]]] = {}
        for symbol in symbols:
            base, quote = parse_symbol(symbol)
            links.setdefault(base, []).append((quote, symbol, False))
            links.setdefault(quote, []).append((base, symbol, True))
        # breadth first from the valuation currency: each currency's chain to it
        self.paths: dict[str, tuple[Step, ...]] = {self.currency: ()}
        todo = deque([self.currency])
        while todo:
            known = todo.popleft()
            for other, symbol, inverted in links.get(known, ()):
                if other not in self.paths:
                    # other -> known: other is the base (priced in known) unless inverted
                    self.paths[other] = ((symbol, not inverted), *self.paths[known])
                    todo.append(other)
        self.unreachable = sorted(set(links) - set(self.paths))

    def rate(self, currency: str, prices: Mapping[str, Decimal]) -> Decimal:
        """One unit of ``currency`` in the valuation currency (0 when a price is missing)."""
        value = ONE
        for symbol, inverted in self.paths.get(currency, ()):
            price = prices.get(symbol)
            if not price:
                return Decimal(0)
            value = value / price if inverted else value * price
        return value if currency in self.paths else Decimal(0)

    def total(self, amounts: Mapping[str, Decimal], prices: Mapping[str, Decimal]) -> Decimal:
        """``amounts`` (currency -> amount) in the valuation currency; currencies no pair
        of the run reaches count for nothing."""
        total = Decimal(0)
        for currency, amount in amounts.items():
            if amount and currency in self.paths:
                total += amount * self.rate(currency, prices)
        return total
