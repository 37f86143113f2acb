"""KuCoin-style trading pairs and currencies: the rules every order is checked against.

Field names follow KuCoin's ``GET /api/v2/symbols`` object one to one, in snake_case
(``baseMinSize`` is ``base_min_size``), so the KuCoin facade can emit them by renaming only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import Market, to_decimal

__all__ = [
    "DEFAULT_CURRENCIES",
    "DEFAULT_SYMBOLS",
    "CurrencySpec",
    "SymbolSpec",
    "currencies_from_config",
    "symbols_from_config",
]


def _dec(value: object) -> Decimal:
    return to_decimal(value)


@attrs.frozen(slots=True, kw_only=True)
class SymbolSpec:
    """One spot pair. ``symbol`` is KuCoin's ``BTC-USDT``; :attr:`unified` is ``BTC/USDT``.

    Amount fields are ``Decimal``. ``initial_price`` is not a KuCoin field: it seeds the
    embedded synthetic market (and the last price of an empty book).
    """

    symbol: str
    base_currency: str
    quote_currency: str
    base_increment: Decimal = attrs.field(converter=_dec)
    quote_increment: Decimal = attrs.field(converter=_dec)
    price_increment: Decimal = attrs.field(converter=_dec)
    base_min_size: Decimal = attrs.field(converter=_dec)
    quote_min_size: Decimal = attrs.field(converter=_dec)
    base_max_size: Decimal = attrs.field(converter=_dec, default=Decimal("10000000000"))
    quote_max_size: Decimal = attrs.field(converter=_dec, default=Decimal("99999999"))
    min_funds: Decimal = attrs.field(converter=_dec, default=Decimal("0.1"))
    price_limit_rate: Decimal = attrs.field(converter=_dec, default=Decimal("0.1"))
    name: str = ""
    fee_currency: str = ""
    market: str = "USDS"
    is_margin_enabled: bool = False
    enable_trading: bool = True
    fee_category: int = 1
    maker_fee_coefficient: Decimal = attrs.field(converter=_dec, default=Decimal(1))
    taker_fee_coefficient: Decimal = attrs.field(converter=_dec, default=Decimal(1))
    st: bool = False
    callauction_is_enabled: bool = False
    callauction_price_floor: Decimal | None = None
    callauction_price_ceiling: Decimal | None = None
    callauction_first_stage_start_time: int | None = None
    callauction_second_stage_start_time: int | None = None
    callauction_third_stage_start_time: int | None = None
    trading_start_time: int | None = None
    initial_price: Decimal = attrs.field(converter=_dec, default=Decimal(1))

    def __attrs_post_init__(self) -> None:
        parts = self.symbol.split("-")
        if len(parts) != 2 or parts[0] != self.base_currency or parts[1] != self.quote_currency:
            raise ValueError(f"symbol {self.symbol!r} must be {self.base_currency}-{self.quote_currency}")
        for name in ("base_increment", "quote_increment", "price_increment", "initial_price"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{self.symbol}: {name} must be positive")
        if not self.name:
            object.__setattr__(self, "name", self.symbol)
        if not self.fee_currency:
            object.__setattr__(self, "fee_currency", self.quote_currency)

    @property
    def unified(self) -> str:
        return f"{self.base_currency}/{self.quote_currency}"

    def to_market(
        self, maker_fee_rate: Decimal | None = None, taker_fee_rate: Decimal | None = None
    ) -> Market:
        """The venue-neutral view (``exchanges.Market``) of this pair."""
        return Market(
            symbol=self.unified,
            base=self.base_currency,
            quote=self.quote_currency,
            id=self.symbol,
            price_increment=self.price_increment,
            size_increment=self.base_increment,
            funds_increment=self.quote_increment,
            min_size=self.base_min_size,
            max_size=self.base_max_size,
            min_funds=self.min_funds,
            max_funds=self.quote_max_size,
            enabled=self.enable_trading,
            price_limit_rate=self.price_limit_rate,
            maker_fee_rate=maker_fee_rate,
            taker_fee_rate=taker_fee_rate,
        )


@attrs.frozen(slots=True, kw_only=True)
class CurrencySpec:
    """A currency as ``GET /api/v3/currencies`` describes it (one chain, no deposits)."""

    currency: str
    name: str = ""
    full_name: str = ""
    precision: int = 8
    confirms: int | None = None
    contract_address: str | None = None
    is_margin_enabled: bool = False
    is_debit_enabled: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.currency)
        if not self.full_name:
            object.__setattr__(self, "full_name", self.currency)


DEFAULT_SYMBOLS: tuple[SymbolSpec, ...] = (
    SymbolSpec(
        symbol="BTC-USDT",
        base_currency="BTC",
        quote_currency="USDT",
        base_increment="0.00000001",
        quote_increment="0.000001",
        price_increment="0.1",
        base_min_size="0.00001",
        quote_min_size="0.1",
        min_funds="0.1",
        initial_price="65000",
    ),
    SymbolSpec(
        symbol="ETH-USDT",
        base_currency="ETH",
        quote_currency="USDT",
        base_increment="0.0000001",
        quote_increment="0.000001",
        price_increment="0.01",
        base_min_size="0.0001",
        quote_min_size="0.1",
        min_funds="0.1",
        initial_price="3200",
    ),
    SymbolSpec(
        symbol="SOL-USDT",
        base_currency="SOL",
        quote_currency="USDT",
        base_increment="0.0001",
        quote_increment="0.000001",
        price_increment="0.01",
        base_min_size="0.01",
        quote_min_size="0.1",
        min_funds="0.1",
        initial_price="150",
    ),
    SymbolSpec(
        symbol="ETH-BTC",
        base_currency="ETH",
        quote_currency="BTC",
        base_increment="0.0000001",
        quote_increment="0.00000001",
        price_increment="0.00001",
        base_min_size="0.0001",
        quote_min_size="0.00001",
        quote_max_size="1000",
        min_funds="0.00001",
        market="BTC",
        initial_price="0.04923",
    ),
)

DEFAULT_CURRENCIES: tuple[CurrencySpec, ...] = (
    CurrencySpec(currency="BTC", full_name="Bitcoin", precision=8, confirms=2),
    CurrencySpec(currency="ETH", full_name="Ethereum", precision=8, confirms=64),
    CurrencySpec(currency="SOL", full_name="Solana", precision=8, confirms=200),
    CurrencySpec(
        currency="USDT",
        full_name="Tether",
        precision=8,
        confirms=64,
        contract_address="0xdac17f958d2ee523a2206206994597c13d831ec7",
    ),
)

_SYMBOL_KEYS = {
    "baseCurrency": "base_currency",
    "quoteCurrency": "quote_currency",
    "baseIncrement": "base_increment",
    "quoteIncrement": "quote_increment",
    "priceIncrement": "price_increment",
    "baseMinSize": "base_min_size",
    "quoteMinSize": "quote_min_size",
    "baseMaxSize": "base_max_size",
    "quoteMaxSize": "quote_max_size",
    "minFunds": "min_funds",
    "priceLimitRate": "price_limit_rate",
    "feeCurrency": "fee_currency",
    "isMarginEnabled": "is_margin_enabled",
    "enableTrading": "enable_trading",
    "feeCategory": "fee_category",
    "makerFeeCoefficient": "maker_fee_coefficient",
    "takerFeeCoefficient": "taker_fee_coefficient",
    "initialPrice": "initial_price",
    "tradingStartTime": "trading_start_time",
}


def _snake(key: str) -> str:
    return _SYMBOL_KEYS.get(key, key)


def symbols_from_config(
    items: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
) -> list[SymbolSpec]:
    """Symbols from plain data (a parsed TOML table or JSON): a list of tables, or a table
    keyed by symbol. Keys may be KuCoin's camelCase or snake_case; amounts as strings (or
    TOML integers). ``base_currency``/``quote_currency`` default to the symbol's halves."""
    rows: list[dict[str, Any]] = []
    if isinstance(items, Mapping):
        for symbol, fields in items.items():
            rows.append({"symbol": symbol, **dict(fields)})
    else:
        rows = [dict(item) for item in items]
    specs = []
    for row in rows:
        data = {_snake(k): v for k, v in row.items()}
        symbol = str(data.get("symbol", ""))
        if "-" in symbol:
            base, quote = symbol.split("-", 1)
            data.setdefault("base_currency", base)
            data.setdefault("quote_currency", quote)
        for key, value in list(data.items()):
            if isinstance(value, float):
                data[key] = repr(value)  # TOML floats: keep the written digits, not binary noise
        try:
            specs.append(SymbolSpec(**data))
        except TypeError as err:
            raise ValueError(f"symbol {symbol!r}: {err}") from None
    return specs


def currencies_from_config(items: Iterable[Mapping[str, Any]]) -> list[CurrencySpec]:
    """Currencies from plain data; keys as in :class:`CurrencySpec` (or KuCoin's camelCase)."""
    renames = {"fullName": "full_name", "contractAddress": "contract_address"}
    return [CurrencySpec(**{renames.get(k, k): v for k, v in item.items()}) for item in items]
