"""The backtest report: what the strategy did and how it went, computed exactly from fills.

Everything is derived from two inputs the runner records: the fills (in time order) and an
equity curve sampled on the run's clock. Money stays ``Decimal``; ratios (Sharpe, drawdown,
exposure) are ``float`` rounded for display, since they are statistics, not amounts.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import attrs

from exchanges import Fill, Side

__all__ = ["EquityPoint", "Report", "SymbolPnl", "build_report", "fill_markets", "iso_utc", "symbol_pnl"]

ZERO = Decimal(0)
YEAR_MS = 365 * 24 * 3600 * 1000


@attrs.frozen(slots=True)
class EquityPoint:
    timestamp: int
    equity: Decimal  # in the quote currency, base marked at the current price
    position: Decimal  # base held (for exposure)
    price: Decimal
    #: every market's price, in the order of the report's symbols (a run of several only)
    prices: tuple[Decimal, ...] = ()


@attrs.frozen(slots=True, kw_only=True)
class SymbolPnl:
    """What trading one symbol made, in its quote currency (base fees at the fill price)."""

    symbol: str
    quote: str
    fills: int
    volume: Decimal
    fees: Decimal
    realized: Decimal
    unrealized: Decimal
    quote_increment: Decimal = Decimal("0.01")
    venue: str = ""  # (a run of several venues only)

    @property
    def label(self) -> str:
        """``BTC/USDT``, or ``binance:BTC/USDT`` in a run of several venues."""
        return f"{self.venue}:{self.symbol}" if self.venue else self.symbol

    @property
    def net(self) -> Decimal:
        return self.realized + self.unrealized

    @property
    def gross(self) -> Decimal:
        return self.net + self.fees

    def rounded(self, value: Decimal) -> str:
        step = self.quote_increment if self.quote_increment > 0 else Decimal("0.01")
        return f"{value.quantize(step, rounding=ROUND_HALF_EVEN):,f}"

    def to_dict(self) -> dict[str, Any]:
        return {
            **({"venue": self.venue} if self.venue else {}),
            "symbol": self.symbol,
            "currency": self.quote,
            "fills": self.fills,
            "volume": str(self.volume),
            "fees": str(self.fees),
            "realized_pnl": str(self.realized),
            "unrealized_pnl": str(self.unrealized),
            "gross_pnl": str(self.gross),
            "net_pnl": str(self.net),
        }


@attrs.frozen(slots=True, kw_only=True)
class Report:
    symbol: str
    base: str
    quote: str
    start: int
    end: int
    fills: int
    orders: int
    volume: Decimal  # quote traded
    fees: Mapping[str, Decimal]
    initial_balances: Mapping[str, Decimal]
    final_balances: Mapping[str, Decimal]
    initial_equity: Decimal
    final_equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    total_pnl: Decimal  # marked to market: final equity - initial equity
    total_return: float
    max_drawdown: float
    sharpe: float
    exposure: float
    win_rate: float | None
    round_trips: int  # positions opened from flat and closed back to flat
    equity_curve: tuple[EquityPoint, ...] = attrs.field(repr=False)
    fees_in_quote: Decimal = ZERO  # every fee valued in the quote currency (base fees at the fill price)
    buy_and_hold_return: float = 0.0  # the starting equity held in the base over the same period
    quote_increment: Decimal = Decimal("0.01")  # what amounts are rounded to for display
    #: one row per symbol traded; empty for a run of one symbol (the report is its row)
    per_symbol: tuple[SymbolPnl, ...] = ()
    venue: str = "kucoin"  # the (first) market's
    #: each venue's starting and final balances (a run of several venues only; the balances
    #: above are their sums)
    venue_balances: Mapping[str, tuple[Mapping[str, Decimal], Mapping[str, Decimal]]] = attrs.field(
        factory=dict
    )
    #: what each currency's amounts are shown to (the table and the page), one step per
    #: currency whichever pair or venue the amount comes from
    increments: Mapping[str, Decimal] = attrs.field(factory=dict)

    def amount(self, value: Decimal, currency: str) -> str:
        """``value`` of ``currency`` for display: to its increment, thousands separated
        (a currency without one: about six significant digits)."""
        step = self.increments.get(currency) or (self.quote_increment if currency == self.quote else None)
        if step is None or step <= 0 or not value.is_finite():
            return _rounded(value)
        return f"{value.quantize(step, rounding=ROUND_HALF_EVEN):,f}"

    @property
    def symbols(self) -> tuple[str, ...]:
        """Each market's name: ``binance:BTC/USDT`` in a run of several venues."""
        return tuple(row.label for row in self.per_symbol) or (self.symbol,)

    def symbol_rows(self) -> tuple[SymbolPnl, ...]:
        """PnL per symbol: the rows of a run of several, the report itself for one."""
        if self.per_symbol:
            return self.per_symbol
        return (
            SymbolPnl(
                symbol=self.symbol,
                quote=self.quote,
                fills=self.fills,
                volume=self.volume,
                fees=self.fees_in_quote,
                realized=self.realized_pnl,
                unrealized=self.total_pnl - self.realized_pnl,
                quote_increment=self.quote_increment,
            ),
        )

    def row_pnl(self, row: SymbolPnl) -> str:
        """``PnL gross / fees / net 1.50 / 0.10 / 1.40 USDT``, to the currency's increment."""
        gross, fees, net = (self.amount(v, row.quote) for v in (row.gross, row.fees, row.net))
        return f"PnL gross / fees / net {gross} / {fees} / {net} {row.quote}"

    def prices_of(self, market: int) -> list[Decimal]:
        """The price of ``symbols[market]`` at each point of the equity curve."""
        return [p.prices[market] if p.prices else p.price for p in self.equity_curve]

    @property
    def gross_pnl(self) -> Decimal:
        """The total PnL before fees."""
        return self.total_pnl + self.fees_in_quote

    @property
    def buy_and_hold_pnl(self) -> Decimal:
        return self.initial_equity * Decimal(repr(self.buy_and_hold_return))

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, Decimals as strings, ratios rounded."""
        body: dict[str, Any] = {
            "symbol": self.symbol,
            "start": self.start,
            "end": self.end,
            "fills": self.fills,
            "orders": self.orders,
            "volume": str(self.volume),
            "fees": {k: str(v) for k, v in sorted(self.fees.items())},
            "initial_balances": {k: str(v) for k, v in sorted(self.initial_balances.items())},
            "final_balances": {k: str(v) for k, v in sorted(self.final_balances.items())},
            "initial_equity": str(self.initial_equity),
            "final_equity": str(self.final_equity),
            "realized_pnl": str(self.realized_pnl),
            "unrealized_pnl": str(self.unrealized_pnl),
            "total_pnl": str(self.total_pnl),
            "total_return": round(self.total_return, 8),
            "max_drawdown": round(self.max_drawdown, 8),
            "sharpe": round(self.sharpe, 6),
            "exposure": round(self.exposure, 6),
            "win_rate": None if self.win_rate is None else round(self.win_rate, 6),
            "round_trips": self.round_trips,
            "fees_in_quote": str(self.fees_in_quote),
            "gross_pnl": str(self.gross_pnl),
            "buy_and_hold_return": round(self.buy_and_hold_return, 8),
            "equity_curve": [[p.timestamp, str(p.equity)] for p in self.equity_curve],
        }
        if self.per_symbol:
            body["per_symbol"] = [row.to_dict() for row in self.per_symbol]
        if self.venue_balances:
            body["venues"] = {
                venue: {
                    "initial_balances": {k: str(v) for k, v in sorted(initial.items())},
                    "final_balances": {k: str(v) for k, v in sorted(final.items())},
                }
                for venue, (initial, final) in self.venue_balances.items()
            }
        return json.dumps(body, sort_keys=True, indent=1) + "\n"


    def _revalued_row(self, money: Callable[[Decimal], str]) -> list[tuple[str, str]]:
        """What the prices did to what was held from the start, where the realised and
        unrealised PnL leave it out (a run of several symbols or venues), so that the rows
        add up to the total."""
        rest = self.total_pnl - self.realized_pnl - self.unrealized_pnl
        return [("starting holdings, revalued", money(rest))] if rest else []
    def table(self) -> str:
        q = self.quote

        def amount(value: Decimal) -> str:
            return self.amount(value, q)

        def money(value: Decimal) -> str:
            return f"{amount(value)} {q}"

        def holdings(balances: Mapping[str, Decimal]) -> str:
            return ", ".join(f"{self.amount(v, k)} {k}" for k, v in sorted(balances.items()))

        rows = [
            ("symbols" if self.per_symbol else "symbol", ", ".join(self.symbols)),
            ("period (UTC)", f"{iso_utc(self.start)} .. {iso_utc(self.end)}"),
            ("orders / fills", f"{self.orders} / {self.fills}"),
            ("volume", money(self.volume)),
            ("fees", holdings(self.fees) or "0"),
            ("initial equity", money(self.initial_equity)),
            ("final equity", money(self.final_equity)),
            ("realised PnL", money(self.realized_pnl)),
            ("unrealised PnL", money(self.unrealized_pnl)),
            *self._revalued_row(money),
            ("total PnL (marked)", money(self.total_pnl)),
            (
                "PnL gross / fees / net",
                f"{amount(self.gross_pnl)} / {amount(self.fees_in_quote)} / {amount(self.total_pnl)} {q}",
            ),
            ("return", f"{self.total_return:+.4%}"),
            ("buy and hold", f"{self.buy_and_hold_return:+.4%} ({money(self.buy_and_hold_pnl)})"),
            ("max drawdown", f"{self.max_drawdown:.4%}"),
            ("Sharpe (annualised)", f"{self.sharpe:.3f}"),
            ("exposure", f"{self.exposure:.2%}"),
            ("win rate", "n/a" if self.win_rate is None else f"{self.win_rate:.2%} of {self.round_trips}"),
            ("final balances", holdings(self.final_balances)),
        ]
        rows.extend((f"  on {venue}", holdings(final)) for venue, (_, final) in self.venue_balances.items())
        rows.extend((f"  {row.label}", f"{row.fills} fills, {self.row_pnl(row)}") for row in self.per_symbol)
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def fill_markets(report: Report, fills: Sequence[Fill], venues: Sequence[str] = ()) -> list[int]:
    """Each fill's market, as its index in ``report.symbols``; ``venues`` names each fill's
    venue in a run of several (where a pair may be traded on two)."""
    index = {label: k for k, label in enumerate(report.symbols)}
    if venues:
        labels = [f"{v}:{f.symbol}" for f, v in zip(fills, venues, strict=True)]
    else:
        labels = [f.symbol for f in fills]
    return [index.get(label, -1) for label in labels]


def iso_utc(ms: int) -> str:
    """ISO 8601 in UTC: the date alone at midnight, else to the second (or millisecond)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if ms % 86_400_000 == 0:
        return moment.strftime("%Y-%m-%d")
    if ms % 1000 == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _plain(value: Decimal) -> str:
    """Exact, without trailing zeros and never in scientific notation: ``10000``, ``0.0001``."""
    if not value.is_finite():
        return str(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def _rounded(value: Decimal, significant: int = 6, max_places: int = 8) -> str:
    """For display: about ``significant`` digits, at most ``max_places`` decimals (the JSON
    report keeps the exact amount)."""
    if not value.is_finite() or value == 0:
        return _plain(value)
    places = min(max_places, max(0, significant - 1 - value.adjusted()))
    return _plain(value.quantize(Decimal(1).scaleb(-places)))


@attrs.define
class _Lot:
    size: Decimal  # signed: long > 0, short < 0
    price: Decimal
    unit_fee: Decimal  # entry fee per unit, in quote


@attrs.frozen
class _Book:
    trades: list[Decimal]  # PnL of each position taken from flat and closed back to flat
    realized: Decimal
    position: Decimal
    avg_entry: Decimal
    open_fees: Decimal  # entry fees of the still-open lots (not yet in realised PnL)


def _fifo(fills: Sequence[Fill], base: str, quote: str, held: Decimal = ZERO, price: Decimal = ZERO) -> _Book:
    """FIFO lots: each reducing fill closes the oldest open slices. Fees count against the
    round trip they belong to, valued in quote (base fees at the fill price). ``held`` base
    at the start is a lot bought at the starting ``price``: selling it realises what the
    price did since, and what is left of it is marked like any position."""
    lots: list[_Lot] = [_Lot(held, price, ZERO)] if held else []
    trades: list[Decimal] = []
    trade_pnl: Decimal | None = None  # the position being closed, if any
    realized = ZERO
    for f in fills:
        if f.fee_currency == quote:
            fee = f.fee
        elif f.fee_currency == base:
            fee = f.fee * f.price
        else:
            fee = ZERO
        unit_fee = fee / f.size if f.size else ZERO
        remaining = f.size if f.side is Side.BUY else -f.size
        while remaining and lots and (lots[0].size > 0) != (remaining > 0):
            lot = lots[0]
            take = min(abs(lot.size), abs(remaining))
            direction = 1 if lot.size > 0 else -1
            pnl = (f.price - lot.price) * take * direction - (lot.unit_fee + unit_fee) * take
            realized += pnl
            trade_pnl = (trade_pnl or ZERO) + pnl
            lot.size -= take * direction
            remaining += take * direction
            if lot.size == 0:
                lots.pop(0)
        if not lots and trade_pnl is not None:  # back to flat (or flipping through it)
            trades.append(trade_pnl)
            trade_pnl = None
        if remaining:
            lots.append(_Lot(remaining, f.price, unit_fee))
    position = sum((lot.size for lot in lots), ZERO)
    cost = sum((abs(lot.size) * lot.price for lot in lots), ZERO)
    open_fees = sum((abs(lot.size) * lot.unit_fee for lot in lots), ZERO)
    avg = cost / abs(position) if position else ZERO
    return _Book(trades, realized, position, avg, open_fees)


def _max_drawdown(curve: Sequence[EquityPoint]) -> float:
    peak = None
    worst = 0.0
    for p in curve:
        e = float(p.equity)
        peak = e if peak is None or e > peak else peak
        if peak > 0:
            worst = max(worst, (peak - e) / peak)
    return worst


def _sharpe(curve: Sequence[EquityPoint]) -> float:
    """Per-sample simple returns, annualised by the sampling rate (risk-free rate 0)."""
    if len(curve) < 3:
        return 0.0
    rets = []
    for a, b in itertools.pairwise(curve):
        if a.equity > 0:
            rets.append(float(b.equity / a.equity) - 1.0)
    if len(rets) < 2:
        return 0.0
    mean = sum(rets) / len(rets)
    var = sum((r - mean) ** 2 for r in rets) / (len(rets) - 1)
    std = math.sqrt(var)
    if std == 0:
        return 0.0
    step = (curve[-1].timestamp - curve[0].timestamp) / (len(curve) - 1)
    periods_per_year = YEAR_MS / step if step > 0 else 0.0
    return mean / std * math.sqrt(periods_per_year)


def _exposure(
    curve: Sequence[EquityPoint], fills: Sequence[Fill], markets: Sequence[Sequence[Fill]] | None = None
) -> float:
    """Fraction of the run's time during which a position was held (base of any symbol
    bought or sold away from the start), from the fills' own times: exact, whatever the
    sampling. ``markets`` keeps the fills of each market apart (a pair on two venues: a
    long on one and a short on the other are two positions held)."""
    start, end = curve[0].timestamp, curve[-1].timestamp
    if end <= start:
        return 0.0
    held = 0
    positions: dict[object, Decimal] = {}
    since = start
    keyed: list[tuple[object, Fill]]
    if markets is None:
        keyed = [(f.symbol, f) for f in fills]
    else:
        keyed = [(k, f) for k, mine in enumerate(markets) for f in mine]
    for key, f in sorted(keyed, key=lambda kf: kf[1].timestamp):
        at = min(max(f.timestamp, start), end)
        if any(positions.values()):
            held += at - since
        positions[key] = positions.get(key, ZERO) + (f.size if f.side is Side.BUY else -f.size)
        since = at
    if any(positions.values()):
        held += end - since
    return held / (end - start)


def build_report(
    *,
    symbol: str,
    base: str,
    quote: str,
    fills: Sequence[Fill],
    orders: int,
    initial_balances: Mapping[str, Decimal],
    final_balances: Mapping[str, Decimal],
    curve: Sequence[EquityPoint],
    quote_increment: Decimal = Decimal("0.01"),
    per_symbol: Sequence[SymbolPnl] | None = None,
    rates: Mapping[str, Decimal] | None = None,
    row_rates: Sequence[Decimal] | None = None,
    row_fills: Sequence[Sequence[Fill]] | None = None,
    venue: str = "kucoin",
    venue_balances: Mapping[str, tuple[Mapping[str, Decimal], Mapping[str, Decimal]]] | None = None,
    increments: Mapping[str, Decimal] | None = None,
) -> Report:
    """``symbol``, ``base`` and ``quote`` name the run's (first) pair. A run of several
    symbols gives ``per_symbol`` (each in its own quote currency) and ``rates``, each
    currency's value in ``quote`` at the end: its realised and unrealised PnL, fees and
    volume are theirs, valued at those rates (total PnL is the change in equity, so it
    counts what the prices did to the holdings too). On several venues a currency is worth
    what each venue's prices say: ``row_rates`` gives each row's rate and ``row_fills`` its
    fills (a pair on two venues is two rows)."""
    if not curve:
        raise ValueError("an equity curve needs at least one point")
    last_price = curve[-1].price
    fees: dict[str, Decimal] = {}
    for f in fills:
        fees[f.fee_currency] = fees.get(f.fee_currency, ZERO) + f.fee
    if per_symbol:
        value = rates or {}
        each = list(row_rates) if row_rates is not None else [value.get(r.quote, ZERO) for r in per_symbol]
        rated = list(zip(per_symbol, each, strict=True))
        realized = sum((row.realized * rate for row, rate in rated), ZERO)
        unrealized = sum((row.unrealized * rate for row, rate in rated), ZERO)
        fees_in_quote = sum((row.fees * rate for row, rate in rated), ZERO)
        volume = sum((row.volume * rate for row, rate in rated), ZERO)
        if row_fills is not None:
            pairs = zip(per_symbol, row_fills, strict=True)
            books = [_fifo(mine, row.symbol.partition("/")[0], row.quote) for row, mine in pairs]
        else:
            books = [_fifo_of(row, fills) for row in per_symbol]
        trades = [pnl for book in books for pnl in book.trades]
    else:
        book = _fifo(fills, base, quote, initial_balances.get(base, ZERO), curve[0].price)
        realized = book.realized
        unrealized = (last_price - book.avg_entry) * book.position - book.open_fees if book.position else ZERO
        fees_in_quote = _fees_in(fills, base, quote)
        volume = sum((f.funds for f in fills), ZERO)
        trades = book.trades
    first_price = curve[0].price
    initial_equity, final_equity = curve[0].equity, curve[-1].equity
    wins = sum(1 for pnl in trades if pnl > 0)
    return Report(
        symbol=symbol,
        base=base,
        quote=quote,
        start=curve[0].timestamp,
        end=curve[-1].timestamp,
        fills=len(fills),
        orders=orders,
        volume=volume,
        fees=fees,
        initial_balances=dict(initial_balances),
        final_balances=dict(final_balances),
        initial_equity=initial_equity,
        final_equity=final_equity,
        realized_pnl=realized,
        unrealized_pnl=unrealized,
        total_pnl=final_equity - initial_equity,
        total_return=float(final_equity / initial_equity - 1) if initial_equity else 0.0,
        max_drawdown=_max_drawdown(curve),
        sharpe=_sharpe(curve),
        exposure=_exposure(curve, fills, row_fills),
        win_rate=wins / len(trades) if trades else None,
        round_trips=len(trades),
        equity_curve=tuple(curve),
        fees_in_quote=fees_in_quote,
        buy_and_hold_return=float(last_price / first_price - 1) if first_price else 0.0,
        quote_increment=quote_increment,
        per_symbol=tuple(per_symbol or ()),
        venue=venue,
        venue_balances=dict(venue_balances or {}),
        increments=dict(increments or {}),
    )


def _fees_in(fills: Sequence[Fill], base: str, quote: str) -> Decimal:
    """The fees of one pair's fills in its quote currency (base fees at the fill price)."""
    total = ZERO
    for f in fills:
        if f.fee_currency == quote:
            total += f.fee
        elif f.fee_currency == base:
            total += f.fee * f.price
    return total


def _fifo_of(row: SymbolPnl, fills: Sequence[Fill]) -> _Book:
    base = row.symbol.partition("/")[0]
    return _fifo([f for f in fills if f.symbol == row.symbol], base, row.quote)


def symbol_pnl(
    symbol: str,
    base: str,
    quote: str,
    fills: Sequence[Fill],
    last_price: Decimal,
    quote_increment: Decimal = Decimal("0.01"),
) -> SymbolPnl:
    """One symbol's PnL from flat (FIFO lots, fees against the round trip they belong to),
    what is still open marked at ``last_price``."""
    mine = [f for f in fills if f.symbol == symbol]
    book = _fifo(mine, base, quote)
    unrealized = (last_price - book.avg_entry) * book.position - book.open_fees if book.position else ZERO
    return SymbolPnl(
        symbol=symbol,
        quote=quote,
        fills=len(mine),
        volume=sum((f.funds for f in mine), ZERO),
        fees=_fees_in(mine, base, quote),
        realized=book.realized,
        unrealized=unrealized,
        quote_increment=quote_increment,
    )
