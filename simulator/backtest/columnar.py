"""The columnar cache: market data as Parquet (via pyarrow), read back as columns.

Numbers are stored as the strings they were received as, so a run from the cache is the
same, byte for byte, as one from the CSV it was converted from. Reading keeps the columns
and builds each ``Candle`` or ``Trade`` only when the replay reaches it, and the checks a
replay needs first (prices on the tick, amounts >= 0, bars one interval apart and
well-formed) run over the columns in bulk: that is what makes it load several times faster
than parsing CSV row by row.

Layout (one file per symbol and interval, beside the CSV cache)::

    <cache>/<venue>/<SYMBOL>/<interval>.parquet   start_ms,open,high,low,close,volume,quote_volume
    <cache>/<venue>/<SYMBOL>/trades.parquet       timestamp_ms,id,price,size,side
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any, overload

from exchanges import Candle, Interval, Side, Trade

from .data import CANDLE_HEADER, TRADE_HEADER, DataError

__all__ = [
    "CandleColumns",
    "TradeColumns",
    "check_columns",
    "have_pyarrow",
    "read_candles_parquet",
    "read_parquet",
    "read_trades_parquet",
    "write_candles_parquet",
    "write_trades_parquet",
]

_DECIMALS = CANDLE_HEADER[1:]


def have_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(
            "Parquet needs pyarrow: pip install 'exchanges[parquet]' (or use the CSV files)"
        ) from None
    return pa, pq


class CandleColumns(Sequence[Candle]):
    """Bars of one symbol held as columns, oldest first; a ``Candle`` is built on access."""

    def __init__(
        self,
        symbol: str,
        interval: Interval,
        starts: list[int],
        columns: dict[str, list[str]],
    ) -> None:
        self.symbol, self.interval = symbol, interval
        self.starts = starts
        self.columns = columns

    def __len__(self) -> int:
        return len(self.starts)

    def _make(self, i: int) -> Candle:
        c = self.columns
        return Candle(
            start=self.starts[i],
            open=Decimal(c["open"][i]),
            high=Decimal(c["high"][i]),
            low=Decimal(c["low"][i]),
            close=Decimal(c["close"][i]),
            volume=Decimal(c["volume"][i]),
            quote_volume=Decimal(c["quote_volume"][i]),
            symbol=self.symbol,
            interval=self.interval,
        )

    @overload
    def __getitem__(self, i: int) -> Candle: ...
    @overload
    def __getitem__(self, i: slice) -> list[Candle]: ...
    def __getitem__(self, i: int | slice) -> Candle | list[Candle]:
        if isinstance(i, slice):
            return [self._make(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(i)

    def __iter__(self) -> Iterator[Candle]:
        c, symbol, interval, dec = self.columns, self.symbol, self.interval, Decimal
        for start, o, h, low, close, v, q in zip(
            self.starts, *(c[name] for name in _DECIMALS), strict=True
        ):
            yield Candle(
                start=start, open=dec(o), high=dec(h), low=dec(low), close=dec(close), volume=dec(v),
                quote_volume=dec(q), symbol=symbol, interval=interval,
            )  # fmt: skip

    def price_texts(self) -> set[str]:
        c = self.columns
        return set(c["open"]) | set(c["high"]) | set(c["low"]) | set(c["close"])

    def amount_texts(self) -> set[str]:
        return set(self.columns["volume"]) | set(self.columns["quote_volume"])

    def malformed(self) -> int | None:
        """The index of the first bar whose high and low do not contain its open and close.
        Compared as floats first (a strict float inequality holds for the exact numbers
        too, as rounding keeps order); only ties are compared exactly."""
        c = self.columns
        rows = zip(c["open"], c["high"], c["low"], c["close"], strict=True)
        for i, (o, h, low, close) in enumerate(rows):
            of, hf, lf, cf = float(o), float(h), float(low), float(close)
            if hf > of and hf > cf and lf < of and lf < cf:
                continue
            o_d, c_d = Decimal(o), Decimal(close)
            if Decimal(h) < max(o_d, c_d) or Decimal(low) > min(o_d, c_d):
                return i
        return None


class TradeColumns(Sequence[Trade]):
    """Prints of one symbol held as columns, oldest first; a ``Trade`` is built on access."""

    def __init__(
        self,
        symbol: str,
        times: list[int],
        ids: list[str],
        prices: list[str],
        sizes: list[str],
        sides: list[str],
    ) -> None:
        self.symbol = symbol
        self.times, self.ids, self.prices, self.sizes, self.sides = times, ids, prices, sizes, sides

    def __len__(self) -> int:
        return len(self.times)

    def _make(self, i: int) -> Trade:
        return Trade(
            id=self.ids[i],
            symbol=self.symbol,
            price=Decimal(self.prices[i]),
            size=Decimal(self.sizes[i]),
            side=Side(self.sides[i]),
            timestamp=self.times[i],
        )

    @overload
    def __getitem__(self, i: int) -> Trade: ...
    @overload
    def __getitem__(self, i: slice) -> list[Trade]: ...
    def __getitem__(self, i: int | slice) -> Trade | list[Trade]:
        if isinstance(i, slice):
            return [self._make(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(i)

    def __iter__(self) -> Iterator[Trade]:
        symbol, dec = self.symbol, Decimal
        sides = {"buy": Side.BUY, "sell": Side.SELL}
        rows = zip(self.times, self.ids, self.prices, self.sizes, self.sides, strict=True)
        for t, ident, p, s, side in rows:
            yield Trade(id=ident, symbol=symbol, price=dec(p), size=dec(s), side=sides[side], timestamp=t)

    def price_texts(self) -> set[str]:
        return set(self.prices)

    def amount_texts(self) -> set[str]:
        return set(self.sizes)


def _texts(values: Iterable[object]) -> list[str]:
    return [str(v) for v in values]


def write_candles_parquet(path: Path, candles: Iterable[Candle]) -> int:
    pa, pq = _pyarrow()
    rows = sorted(candles, key=lambda c: c.start)
    table = pa.table(
        {
            "start_ms": pa.array([c.start for c in rows], pa.int64()),
            **{name: pa.array(_texts(getattr(c, name) for c in rows), pa.string()) for name in _DECIMALS},
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return len(rows)


def write_trades_parquet(path: Path, trades: Iterable[Trade]) -> int:
    pa, pq = _pyarrow()
    rows = sorted(trades, key=lambda t: t.timestamp)
    table = pa.table(
        {
            "timestamp_ms": pa.array([t.timestamp for t in rows], pa.int64()),
            "id": pa.array([t.id for t in rows], pa.string()),
            "price": pa.array(_texts(t.price for t in rows), pa.string()),
            "size": pa.array(_texts(t.size for t in rows), pa.string()),
            "side": pa.array([t.side.value for t in rows], pa.string()),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return len(rows)


def _read(path: Path, header: Sequence[str]) -> dict[str, list[Any]]:
    _, pq = _pyarrow()
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: {err}") from None
    missing = [name for name in header if name not in table.column_names]
    if missing:
        raise DataError(f"{path}: no {', '.join(missing)} column (expected {', '.join(header)})")
    out = {}
    for name in header:
        column = table.column(name)
        if column.null_count:
            raise DataError(f"{path}: column {name} has {column.null_count} empty value(s)")
        out[name] = column.to_numpy().tolist()
    return out


def _check_sorted(times: list[int], path: Path) -> None:
    if any(b < a for a, b in pairwise(times)):
        raise DataError(f"{path}: rows are not in time order (write it with write_*_parquet)")


def read_candles_parquet(path: Path, symbol: str, interval: Interval | str) -> CandleColumns:
    cols = _read(path, CANDLE_HEADER)
    starts = cols.pop("start_ms")
    _check_sorted(starts, path)
    return CandleColumns(symbol, Interval.parse(interval), starts, cols)


def read_trades_parquet(path: Path, symbol: str) -> TradeColumns:
    cols = _read(path, TRADE_HEADER)
    times = cols["timestamp_ms"]
    _check_sorted(times, path)
    if not set(cols["side"]) <= {"buy", "sell"}:
        bad = next(s for s in cols["side"] if s not in ("buy", "sell"))
        raise DataError(f"{path}: side {bad!r} is not buy or sell")
    return TradeColumns(symbol, times, cols["id"], cols["price"], cols["size"], cols["side"])


def read_parquet(path: Path, symbol: str, interval: Interval | str) -> CandleColumns | TradeColumns:
    """Candles or trades, told apart by the columns."""
    _, pq = _pyarrow()
    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: {err}") from None
    if "start_ms" in names:
        return read_candles_parquet(path, symbol, interval)
    if "timestamp_ms" in names:
        return read_trades_parquet(path, symbol)
    raise DataError(f"{path}: columns {names} are neither candles nor trades")


def check_columns(events: CandleColumns | TradeColumns, symbol: str, price_increment: Decimal) -> None:
    """What :func:`~simulator.backtest.data.check_replayable` and ``check_bars`` refuse, over
    the columns: each distinct number is parsed once. On a refusal the rows are checked one
    by one, so the error names the first bad event exactly as for any other data."""
    from .data import check_bars, check_replayable, check_spacing

    try:
        prices = [Decimal(p) for p in events.price_texts()]
        amounts = [Decimal(a) for a in events.amount_texts()]
        clean = all(p.is_finite() and p > 0 and not p % price_increment for p in prices)
        clean = clean and all(a.is_finite() and a >= 0 for a in amounts)
    except (ArithmeticError, InvalidOperation):
        clean = False
    if not clean:
        check_replayable(list(events), symbol, price_increment)
        raise DataError(f"{symbol}: a number in the data cannot be read")  # (not reached: checked above)
    if isinstance(events, CandleColumns):
        check_spacing(events.starts, events.interval)
        bad = events.malformed()
        if bad is not None:
            check_bars([events[bad]], events.interval)
