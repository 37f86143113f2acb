"""The traded symbols' rules (tick, lot, minimum size and funds, fees) for a backtest.

A backtest can trade any instrument, a stock as well as a crypto pair, once its rules are
declared: in Python with :func:`instrument`, or from a TOML file in the layout ``serve
--config`` reads (its ``[venue]`` table: ``symbols``, ``maker_fee_rate``,
``taker_fee_rate``; the first ``[[accounts]]`` entry's balances and fee rates), or on the
command line with ``--tick``/``--lot``. A pair declared this way replaces the built-in
pair of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from exchanges import BadSymbol, codec_for, parse_symbol
from simulator.venue.listing import DEFAULT_SYMBOLS, SymbolSpec, symbols_from_config

__all__ = ["Instruments", "declare", "instrument", "load_instruments", "merge_symbols"]


def _positive(value: Decimal | str | int, what: str) -> Decimal:
    amount = Decimal(str(value))
    if not (amount.is_finite() and amount > 0):
        raise ValueError(f"{what} must be a positive number, not {value!r}")
    return amount


def instrument(
    symbol: str,
    *,
    tick: Decimal | str | int,
    lot: Decimal | str | int,
    min_size: Decimal | str | int | None = None,
    min_funds: Decimal | str | int | None = None,
    funds_increment: Decimal | str | int | None = None,
) -> SymbolSpec:
    """The rules of ``symbol`` (unified, ``GOOG/USD``): prices on multiples of ``tick``,
    sizes of ``lot``; the minimum size defaults to one lot, the minimum funds to one
    funds increment (default: a hundredth of the tick, so money stays exact)."""
    try:
        base, quote = parse_symbol(symbol)
    except BadSymbol as err:
        raise ValueError(str(err)) from None
    tick_d, lot_d = _positive(tick, "tick"), _positive(lot, "lot")
    funds_step = _positive(funds_increment, "funds increment") if funds_increment is not None else None
    if funds_step is None:
        funds_step = min(tick_d * lot_d, tick_d).scaleb(-2).normalize()
    least = _positive(min_size, "minimum size") if min_size is not None else lot_d
    least_funds = _positive(min_funds, "minimum funds") if min_funds is not None else funds_step
    return SymbolSpec(
        symbol=codec_for("kucoin").to_native(symbol),
        base_currency=base,
        quote_currency=quote,
        base_increment=lot_d,
        quote_increment=funds_step,
        price_increment=tick_d,
        base_min_size=least,
        quote_min_size=least_funds,
        min_funds=least_funds,
    )


@attrs.frozen(kw_only=True)
class Instruments:
    """What a configuration file declares for a backtest."""

    symbols: tuple[SymbolSpec, ...] = ()
    maker_fee_rate: Decimal | None = None
    taker_fee_rate: Decimal | None = None
    balances: dict[str, Decimal] = attrs.field(factory=dict)


def load_instruments(path: str | Path) -> Instruments:
    """Read the symbols, fee rates and (first account's) balances of a ``serve --config``
    TOML file. A ``ValueError`` names the offending entry."""
    from simulator.kucoin.config import load_toml

    config = load_toml(path)
    venue = config.venue
    try:
        symbols = tuple(symbols_from_config(venue["symbols"])) if "symbols" in venue else ()
    except (TypeError, ValueError, ArithmeticError) as err:
        raise ValueError(f"{path}: venue.symbols: {err}") from None
    maker = venue.get("maker_fee_rate")
    taker = venue.get("taker_fee_rate")
    balances: dict[str, Decimal] = {}
    if config.accounts:
        first = config.accounts[0]
        balances = dict(first.balances)
        maker = first.maker_fee_rate if first.maker_fee_rate is not None else maker
        taker = first.taker_fee_rate if first.taker_fee_rate is not None else taker
    return Instruments(
        symbols=symbols,
        maker_fee_rate=None if maker is None else Decimal(str(maker)),
        taker_fee_rate=None if taker is None else Decimal(str(taker)),
        balances=balances,
    )


def merge_symbols(declared: Sequence[SymbolSpec]) -> list[SymbolSpec]:
    """The built-in pairs, each replaced by a declared pair of the same name, plus the
    declared pairs that are new."""
    by_name = {spec.symbol: spec for spec in DEFAULT_SYMBOLS}
    by_name.update((spec.symbol, spec) for spec in declared)
    return list(by_name.values())


def declare(
    symbol: str,
    declared: Sequence[SymbolSpec] = (),
    *,
    tick: Decimal | str | None = None,
    lot: Decimal | str | None = None,
    min_size: Decimal | str | None = None,
    min_funds: Decimal | str | None = None,
) -> list[SymbolSpec]:
    """``declared`` with ``symbol``'s rules overridden by whichever of ``tick``, ``lot``,
    ``min_size``, ``min_funds`` are given. A symbol that is neither built in nor declared
    needs at least ``tick`` and ``lot`` to be declared here."""
    native = codec_for("kucoin").to_native(symbol)
    known = {spec.symbol: spec for spec in merge_symbols(declared)}
    given = {"tick": tick, "lot": lot, "min_size": min_size, "min_funds": min_funds}
    if not any(v is not None for v in given.values()):
        return list(declared)  # (an unknown pair is the venue's to refuse, with its code)
    spec = known.get(native)
    if spec is None:
        if tick is None or lot is None:
            raise ValueError(f"{symbol} is not a built-in pair: give both --tick and --lot")
        spec = instrument(symbol, tick=tick, lot=lot, min_size=min_size, min_funds=min_funds)
    else:
        changes: dict[str, Any] = {}
        if tick is not None:
            changes["price_increment"] = _positive(tick, "tick")
        if lot is not None:
            changes["base_increment"] = _positive(lot, "lot")
            changes["base_min_size"] = _positive(min_size or lot, "minimum size")
        elif min_size is not None:
            changes["base_min_size"] = _positive(min_size, "minimum size")
        if min_funds is not None:
            changes["min_funds"] = changes["quote_min_size"] = _positive(min_funds, "minimum funds")
        spec = attrs.evolve(spec, **changes)
    return [s for s in declared if s.symbol != native] + [spec]
