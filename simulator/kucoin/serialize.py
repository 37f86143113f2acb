"""The venue's records in KuCoin's JSON: field names, decimals as strings, KuCoin's time units.

Units per field follow NOTES section 2: milliseconds everywhere except kline start times
(seconds), public trade ``time`` and stop-order ``orderTime`` (nanoseconds). Each object carries
every key of KuCoin's own example of it; where KuCoin sends ``"0"``, ``""`` or ``null`` for "not
applicable", so do these functions.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from simulator.venue.listing import CurrencySpec, SymbolSpec
from simulator.venue.records import (
    AccountBalance,
    BookSnapshot,
    CandleBar,
    FillInfo,
    LedgerEntry,
    Level1,
    OrderInfo,
    PublicTrade,
    Stats24h,
)

__all__ = [
    "account",
    "book",
    "candle",
    "currency_v1",
    "currency_v3",
    "dec",
    "fill_classic",
    "fill_hf",
    "ledger_classic",
    "ledger_hf",
    "level1",
    "order_classic",
    "order_hf",
    "public_trade",
    "stats",
    "stop_order",
    "symbol",
    "ticker_row",
]


def dec(value: Decimal | None, empty: str = "0") -> str:
    """A decimal as KuCoin writes it: plain digits, never an exponent."""
    if value is None:
        return empty
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else dec(value)


def symbol(s: SymbolSpec) -> dict[str, Any]:
    """``/api/v2/symbols`` (and v1, whose fields are a subset); null where a symbol has no call
    auction or trading start time, as KuCoin sends."""
    return {
        "symbol": s.symbol,
        "name": s.name,
        "baseCurrency": s.base_currency,
        "quoteCurrency": s.quote_currency,
        "feeCurrency": s.fee_currency,
        "market": s.market,
        "baseMinSize": dec(s.base_min_size),
        "quoteMinSize": dec(s.quote_min_size),
        "baseMaxSize": dec(s.base_max_size),
        "quoteMaxSize": dec(s.quote_max_size),
        "baseIncrement": dec(s.base_increment),
        "quoteIncrement": dec(s.quote_increment),
        "priceIncrement": dec(s.price_increment),
        "priceLimitRate": dec(s.price_limit_rate),
        "minFunds": dec(s.min_funds),
        "isMarginEnabled": s.is_margin_enabled,
        "enableTrading": s.enable_trading,
        "feeCategory": s.fee_category,
        "makerFeeCoefficient": dec(s.maker_fee_coefficient),
        "takerFeeCoefficient": dec(s.taker_fee_coefficient),
        "st": s.st,
        "callauctionIsEnabled": s.callauction_is_enabled,
        "callauctionPriceFloor": _opt(s.callauction_price_floor),
        "callauctionPriceCeiling": _opt(s.callauction_price_ceiling),
        "callauctionFirstStageStartTime": s.callauction_first_stage_start_time,
        "callauctionSecondStageStartTime": s.callauction_second_stage_start_time,
        "callauctionThirdStageStartTime": s.callauction_third_stage_start_time,
        "tradingStartTime": s.trading_start_time,
    }


def currency_v3(c: CurrencySpec) -> dict[str, Any]:
    """``/api/v3/currencies``: confirmations and contract live on the chains (null above them,
    as KuCoin sends); the simulator's one chain takes no deposits or withdrawals."""
    out = _currency(c)
    out.update(confirms=None, contractAddress=None, chains=[_chain(c)])
    return out


def _chain(c: CurrencySpec) -> dict[str, Any]:
    return {
        "chainName": c.currency,
        "withdrawalMinSize": "0",
        "depositMinSize": "0",
        "withdrawFeeRate": "0",
        "withdrawalMinFee": "0",
        "isWithdrawEnabled": False,
        "isDepositEnabled": False,
        "confirms": c.confirms or 0,
        "preConfirms": c.confirms or 0,
        "contractAddress": c.contract_address or "",
        "withdrawPrecision": c.precision,
        "maxWithdraw": None,
        "maxDeposit": None,
        "needTag": False,
        "chainId": c.currency.lower(),
    }


def currency_v1(c: CurrencySpec) -> dict[str, Any]:
    """``/api/v1/currencies`` (KuCoin's older, flat shape): no deposits or withdrawals."""
    out = _currency(c)
    out.update(
        withdrawalMinSize="0", withdrawalMinFee="0", isWithdrawEnabled=False, isDepositEnabled=False
    )
    return out


def _currency(c: CurrencySpec) -> dict[str, Any]:
    return {
        "currency": c.currency,
        "name": c.name,
        "fullName": c.full_name,
        "precision": c.precision,
        "confirms": c.confirms if c.confirms is not None else 0,
        "contractAddress": c.contract_address or "",
        "isMarginEnabled": c.is_margin_enabled,
        "isDebitEnabled": c.is_debit_enabled,
    }


def level1(t: Level1) -> dict[str, Any]:
    return {
        "time": t.time,
        "sequence": str(t.sequence),
        "price": dec(t.price),
        "size": dec(t.size),
        "bestBid": dec(t.best_bid),
        "bestBidSize": dec(t.best_bid_size),
        "bestAsk": dec(t.best_ask),
        "bestAskSize": dec(t.best_ask_size),
    }


def _stats_fields(s: Stats24h) -> dict[str, Any]:
    return {
        "buy": dec(s.buy),
        "sell": dec(s.sell),
        "changeRate": dec(s.change_rate),
        "changePrice": dec(s.change_price),
        "high": dec(s.high),
        "low": dec(s.low),
        "vol": dec(s.vol),
        "volValue": dec(s.vol_value),
        "last": dec(s.last),
        "averagePrice": dec(s.average_price),
        "takerFeeRate": dec(s.taker_fee_rate),
        "makerFeeRate": dec(s.maker_fee_rate),
        "takerCoefficient": dec(s.taker_coefficient),
        "makerCoefficient": dec(s.maker_coefficient),
    }


def stats(s: Stats24h) -> dict[str, Any]:
    """``/api/v1/market/stats``."""
    return {"time": s.time, "symbol": s.symbol, **_stats_fields(s)}


def ticker_row(s: Stats24h) -> dict[str, Any]:
    """One row of ``/api/v1/market/allTickers``."""
    return {
        "symbol": s.symbol,
        "symbolName": s.symbol_name,
        "bestBidSize": dec(s.best_bid_size),
        "bestAskSize": dec(s.best_ask_size),
        **_stats_fields(s),
    }


def book(b: BookSnapshot) -> dict[str, Any]:
    return {
        "time": b.time,
        "sequence": str(b.sequence),
        "bids": [[dec(p), dec(s)] for p, s in b.bids],
        "asks": [[dec(p), dec(s)] for p, s in b.asks],
    }


def public_trade(t: PublicTrade) -> dict[str, Any]:
    """``/api/v1/market/histories``: ``time`` in nanoseconds, ``side`` the taker's."""
    return {
        "sequence": str(t.sequence),
        "price": dec(t.price),
        "size": dec(t.size),
        "side": str(t.side),
        "time": t.time_ns,
    }


def candle(c: CandleBar) -> list[str]:
    """``[start (s), open, close, high, low, volume, turnover]``, all strings."""
    return [
        str(c.start // 1000),
        dec(c.open),
        dec(c.close),
        dec(c.high),
        dec(c.low),
        dec(c.volume),
        dec(c.turnover),
    ]


def account(a: AccountBalance) -> dict[str, Any]:
    return {
        "id": a.id,
        "currency": a.currency,
        "type": a.type,
        "balance": dec(a.balance),
        "available": dec(a.available),
        "holds": dec(a.holds),
    }


def _context(e: LedgerEntry) -> str:
    return json.dumps(dict(e.context), separators=(",", ":")) if e.context else ""


def ledger_classic(e: LedgerEntry) -> dict[str, Any]:
    """``/api/v1/accounts/ledgers`` item: ``createdAt`` ms as an integer."""
    return {
        "id": str(e.id),
        "currency": e.currency,
        "amount": dec(e.amount),
        "fee": dec(e.fee),
        "balance": dec(e.balance),
        "accountType": e.account_type,
        "bizType": e.biz_type,
        "direction": e.direction,
        "createdAt": e.created_at,
        "context": _context(e),
    }


def ledger_hf(e: LedgerEntry) -> dict[str, Any]:
    """``/api/v1/hf/accounts/ledgers`` item: ``createdAt`` is a string, account ``TRADE_HF``."""
    return {
        "id": str(e.id),
        "currency": e.currency,
        "amount": dec(e.amount),
        "fee": dec(e.fee),
        "tax": "0",
        "balance": dec(e.balance),
        "accountType": "TRADE_HF" if e.account_type.upper() == "TRADE" else e.account_type,
        "bizType": e.biz_type,
        "direction": e.direction,
        "createdAt": str(e.created_at),
        "context": _context(e),
    }


def order_hf(o: OrderInfo) -> dict[str, Any]:
    """The HF order object (``/api/v1/hf/orders/...``)."""
    return {
        "id": o.id,
        "clientOid": o.client_oid or "",
        "symbol": o.symbol,
        "opType": "DEAL",
        "type": str(o.type),
        "side": str(o.side),
        "price": dec(o.price),
        "size": dec(o.size),
        "funds": dec(o.funds),
        "dealSize": dec(o.deal_size),
        "dealFunds": dec(o.deal_funds),
        "remainSize": dec(o.remain_size),
        "remainFunds": dec(o.remain_funds),
        "cancelledSize": dec(o.cancelled_size),
        "cancelledFunds": dec(o.cancelled_funds),
        "fee": dec(o.fee),
        "feeCurrency": o.fee_currency,
        "stp": None if o.stp is None else str(o.stp),
        "timeInForce": str(o.time_in_force),
        "postOnly": o.post_only,
        "hidden": o.hidden,
        "iceberg": o.iceberg,
        "visibleSize": dec(o.visible_size),
        "cancelAfter": o.cancel_after or 0,
        "channel": "API",
        "remark": o.remark,
        "tags": o.tags,
        "cancelExist": o.cancel_exist,
        "tradeType": "TRADE",
        "inOrderBook": o.in_order_book,
        "active": o.active,
        "tax": "0",
        "createdAt": o.created_at,
        "lastUpdatedAt": o.last_updated_at,
    }


def order_classic(o: OrderInfo) -> dict[str, Any]:
    """The classic order object (``/api/v1/orders/...``)."""
    return {
        "id": o.id,
        "symbol": o.symbol,
        "opType": "DEAL",
        "type": str(o.type),
        "side": str(o.side),
        "price": dec(o.price),
        "size": dec(o.size),
        "funds": dec(o.funds),
        "dealFunds": dec(o.deal_funds),
        "dealSize": dec(o.deal_size),
        "fee": dec(o.fee),
        "feeCurrency": o.fee_currency,
        "stp": str(o.stp) if o.stp is not None else "",
        "stop": str(o.stop) if o.stop is not None else "",
        "stopTriggered": o.stop_triggered,
        "stopPrice": dec(o.stop_price),
        "timeInForce": str(o.time_in_force),
        "postOnly": o.post_only,
        "hidden": o.hidden,
        "iceberg": o.iceberg,
        "visibleSize": dec(o.visible_size),
        "cancelAfter": o.cancel_after or 0,
        "channel": "API",
        "clientOid": o.client_oid or "",
        "remark": o.remark,
        "tags": o.tags,
        "isActive": o.active,
        "cancelExist": o.cancel_exist,
        "createdAt": o.created_at,
        "tradeType": "TRADE",
    }


def stop_order(o: OrderInfo, user_id: str) -> dict[str, Any]:
    """A stop order (``/api/v1/stop-order``): ``orderTime`` in nanoseconds; ``funds`` only for a
    market order by funds; null for what the order lacks and for the OCO and trailing fields."""
    return {
        "id": o.id,
        "symbol": o.symbol,
        "userId": user_id,
        "status": "TRIGGERED" if o.stop_triggered else "NEW",
        "type": str(o.type),
        "side": str(o.side),
        "price": dec(o.price),
        "size": dec(o.size),
        "funds": _opt(o.funds) if o.size is None else None,
        "stp": None if o.stp is None else str(o.stp),
        "timeInForce": str(o.time_in_force),
        "cancelAfter": o.cancel_after or -1,
        "postOnly": o.post_only,
        "hidden": o.hidden,
        "iceberg": o.iceberg,
        "visibleSize": _opt(o.visible_size),
        "channel": "API",
        "clientOid": o.client_oid or "",
        "remark": o.remark,
        "tags": o.tags,
        "relatedNo": None,
        "orderTime": o.created_at * 1_000_000,
        "domainId": "kucoin",
        "tradeSource": "USER",
        "tradeType": "TRADE",
        "feeCurrency": o.fee_currency,
        "takerFeeRate": dec(o.taker_fee_rate),
        "makerFeeRate": dec(o.maker_fee_rate),
        "createdAt": o.created_at,
        "stop": str(o.stop) if o.stop is not None else "",
        "stopTriggerTime": o.stop_trigger_time,
        "stopPrice": dec(o.stop_price),
        "limitPrice": None,
        "pop": None,
        "activateCondition": None,
    }


def fill_hf(f: FillInfo) -> dict[str, Any]:
    """The HF fill (``/api/v1/hf/fills``): integer ``id`` (the cursor) and ``tradeId``."""
    return {
        "id": f.id,
        "symbol": f.symbol,
        "tradeId": f.trade_id,
        "orderId": f.order_id,
        "counterOrderId": f.counter_order_id,
        "side": str(f.side),
        "liquidity": str(f.liquidity),
        "forceTaker": f.force_taker,
        "price": dec(f.price),
        "size": dec(f.size),
        "funds": dec(f.funds),
        "fee": dec(f.fee),
        "feeRate": dec(f.fee_rate),
        "feeCurrency": f.fee_currency,
        "stop": "",
        "tradeType": "TRADE",
        "taxRate": "0",
        "tax": "0",
        "type": str(f.type),
        "createdAt": f.created_at,
    }


def fill_classic(f: FillInfo) -> dict[str, Any]:
    """The classic fill (``/api/v1/fills``, ``/api/v1/limit/fills``): the HF shape with a
    string ``tradeId``, no integer ``id`` cursor and no tax fields."""
    out = fill_hf(f)
    del out["id"], out["taxRate"], out["tax"]
    out["tradeId"] = str(f.trade_id)
    return out
