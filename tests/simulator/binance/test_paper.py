"""``PaperExchange`` in the Binance flavour: Binance's rulebook and pairs, refusals worded
with Binance's codes, commission in the asset received."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exchanges import (
    DuplicateClientOrderId,
    InsufficientFunds,
    InvalidOrder,
    OrderRequest,
    OrderType,
    Side,
    connect,
)
from simulator import PaperExchange


def _limit(side: Side, price: str, size: str, **kw: object) -> OrderRequest:
    return OrderRequest(
        symbol="BTC/USDT",
        side=side,
        type=OrderType.LIMIT,
        price=Decimal(price),
        size=Decimal(size),
        **kw,  # type: ignore[arg-type]
    )


async def test_refusals_in_binance_words_and_fees_in_the_asset_received() -> None:
    paper = PaperExchange({"USDT": "1000"}, seed=3, dialect="binance")
    markets = await paper.load_markets()
    assert markets["BTC/USDT"].id == "BTCUSDT" and markets["BTC/USDT"].min_funds == 5
    with pytest.raises(InsufficientFunds) as poor:
        await paper.place_order(_limit(Side.BUY, "60000", "1"))
    assert (poor.value.code, poor.value.message) == (
        "-2010",
        "Account has insufficient balance for requested action.",
    )
    with pytest.raises(InvalidOrder) as cheap:
        await paper.place_order(_limit(Side.BUY, "1000", "0.01"))
    assert (cheap.value.code, cheap.value.message) == ("-1013", "Filter failure: PERCENT_PRICE_BY_SIDE")
    await paper.place_order(_limit(Side.BUY, "60000", "0.001", client_order_id="one"))
    with pytest.raises(DuplicateClientOrderId) as twice:
        await paper.place_order(_limit(Side.BUY, "60000", "0.001", client_order_id="one"))
    assert twice.value.code == "-2010"
    bought = await paper.place_order(
        OrderRequest(symbol="BTC/USDT", side=Side.BUY, type=OrderType.MARKET, size=Decimal("0.001"))
    )
    assert bought.fee_currency == "BTC" and bought.fee == Decimal("0.000001")
    balances = await paper.fetch_balances()
    assert balances["BTC"].total == Decimal("0.000999")
    assert paper.sim.audit() == []


async def test_the_paper_venue_takes_the_dialect_by_configuration() -> None:
    paper = connect("paper", dialect="binance", realtime=False, balances={"USDT": "100"})
    with pytest.raises(InsufficientFunds) as poor:
        await paper.place_order(_limit(Side.BUY, "60000", "0.01"))
    assert poor.value.code == "-2010"
    await paper.close()


async def test_markets_carry_binances_spelling_of_a_pair() -> None:
    binance = PaperExchange({"USDT": Decimal(1)}, dialect="binance", synthetic=False)
    kucoin = PaperExchange({"USDT": Decimal(1)}, synthetic=False)
    try:
        assert (await binance.load_markets())["BTC/USDT"].id == "BTCUSDT"
        assert (await kucoin.load_markets())["BTC/USDT"].id == "BTC-USDT"
    finally:
        await binance.close()
        await kucoin.close()
