"""A Binance order request as the venue's :class:`~simulator.venue.OrderParams`: Binance's
mandatory parameters per order type (NOTES section 7.1), its stop types (a stop-loss sell
and a take-profit buy trigger on a fall, the other two on a rise), ``LIMIT_MAKER`` as
post-only, ``icebergQty``, the STP mode names, a generated ``newClientOrderId``, and the
refusal of a stop that would trigger at once."""

from __future__ import annotations

import secrets
import string
from decimal import Decimal

import attrs

from exchanges import StopKind
from simulator.venue import NO_STP, OrderParams, Venue

from . import errors
from .params import Params
from .rulebook import STP_MODES

__all__ = ["OrderRequest", "new_client_id", "order_request"]

TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
_WITH_TIF = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_WITH_PRICE = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"})
_STOPS = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
_ALPHABET = string.ascii_letters + string.digits


def new_client_id() -> str:
    """A Binance-like generated client order id: 22 letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


@attrs.frozen
class OrderRequest:
    """What a placement asks: the venue's parameters, Binance's type and answer shape."""

    params: OrderParams
    kind: str
    response: str


def _not_required(name: str) -> errors.BinanceError:
    return errors.BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def order_request(p: Params, native: str) -> OrderRequest:
    """The order ``p`` describes, on the venue's pair ``native``; every Binance rule of
    shape checked (the venue checks amounts and funds)."""
    side = p.req("side")
    if side not in ("BUY", "SELL"):
        raise errors.BinanceError(*errors.INVALID_SIDE)
    kind = p.req("type")
    if kind not in TYPES:
        raise errors.BinanceError(*errors.INVALID_TYPE)
    tif = p.text("timeInForce")
    if kind in _WITH_TIF:
        if tif is None:
            raise errors.mandatory("timeInForce")
        if tif not in ("GTC", "IOC", "FOK"):
            raise errors.BinanceError(*errors.INVALID_TIF)
    elif tif is not None:
        raise _not_required("timeInForce")
    quantity = p.decimal("quantity")
    quote = p.decimal("quoteOrderQty")
    price = p.decimal("price")
    stop_price = p.decimal("stopPrice")
    iceberg = p.decimal("icebergQty")
    if "trailingDelta" in p:
        raise errors.BinanceError(-2010, "Trailing stop orders are not supported for this symbol.")
    if "pegPriceType" in p or "pegOffsetValue" in p or "pegOffsetType" in p:
        raise errors.BinanceError(-2010, "Pegged orders are not supported for this symbol.")
    strategy = p.integer("strategyType")
    if strategy is not None and strategy < 1_000_000:
        raise errors.BinanceError(-1134, "strategyType was less than 1000000.")
    p.integer("strategyId")
    if kind == "MARKET":
        if quantity is None and quote is None:
            raise errors.BinanceError(
                -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
            )
        if quantity is not None and quote is not None:
            raise _not_required("quoteOrderQty")
    else:
        if quantity is None:
            raise errors.mandatory("quantity")
        if quote is not None:
            raise _not_required("quoteOrderQty")
    if kind in _WITH_PRICE:
        if price is None:
            raise errors.mandatory("price")
    elif price is not None:
        raise _not_required("price")
    if kind in _STOPS:
        if stop_price is None:
            raise errors.mandatory("stopPrice")
    elif stop_price is not None:
        raise _not_required("stopPrice")
    if iceberg is not None:
        if kind not in _WITH_PRICE or (tif is not None and tif != "GTC"):
            raise errors.BinanceError(*errors.UNSUPPORTED_COMBINATION)
        if quantity is not None and iceberg >= quantity:
            raise errors.BinanceError(-2010, "IcebergQty exceeds QTY.")
    stp_name = p.text("selfTradePreventionMode")
    stp: object = None
    if stp_name is not None:
        if stp_name not in STP_MODES:
            raise errors.BinanceError(
                -1013, "This symbol does not allow the specified self-trade prevention mode."
            )
        mode = STP_MODES[stp_name]
        stp = NO_STP if mode is None else mode
    respond = p.text("newOrderRespType") or ("FULL" if kind in ("MARKET", "LIMIT") else "ACK")
    if respond not in ("ACK", "RESULT", "FULL"):
        raise errors.BinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'.")
    client_id = p.text("newClientOrderId")
    if "newClientOrderId" in p.values and client_id is None:
        raise errors.BinanceError(-1118, "New client order ID was empty.")
    stop: StopKind | None = None
    if kind in _STOPS:
        falls = (kind.startswith("STOP_LOSS")) == (side == "SELL")
        stop = StopKind.LOSS if falls else StopKind.ENTRY
    market = kind in ("MARKET", "STOP_LOSS", "TAKE_PROFIT")
    params = OrderParams(
        symbol=native,
        side=side.lower(),
        type="market" if market else "limit",
        client_oid=client_id or new_client_id(),
        price=price,
        size=quantity,
        funds=quote,
        time_in_force=tif if tif is not None and not market else None,
        post_only=kind == "LIMIT_MAKER",
        iceberg=iceberg is not None,
        visible_size=iceberg,
        stp=stp,  # type: ignore[arg-type]
        stop=stop,
        stop_price=stop_price,
    )
    return OrderRequest(params, kind, respond)


def check_trigger(venue: Venue, params: OrderParams) -> None:
    """A stop whose condition already holds at the last price is refused, as Binance does."""
    if params.stop is None or params.stop_price is None:
        return
    last = venue.last_price(params.symbol)
    if last is None:
        return
    stop = Decimal(params.stop_price)
    if (params.stop is StopKind.LOSS and last <= stop) or (params.stop is StopKind.ENTRY and last >= stop):
        raise errors.BinanceError(-2010, "Order would trigger immediately.")
