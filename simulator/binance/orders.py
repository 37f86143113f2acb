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

from exchanges import STP, StopKind
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


@attrs.frozen
class _Amounts:
    quantity: Decimal | None
    quote: Decimal | None
    price: Decimal | None
    stop_price: Decimal | None
    iceberg: Decimal | None


def order_request(p: Params, native: str) -> OrderRequest:
    """The order ``p`` describes, on the venue's pair ``native``; every Binance rule of
    shape checked (the venue checks amounts and funds)."""
    side, kind = _side_and_kind(p)
    tif = _time_in_force(p, kind)
    amounts = _Amounts(
        p.decimal("quantity"), p.decimal("quoteOrderQty"), p.decimal("price"),
        p.decimal("stopPrice"), p.decimal("icebergQty"),
    )  # fmt: skip
    _refuse_unsupported(p)
    _check_amounts(kind, amounts)
    iceberg = amounts.iceberg
    if iceberg is not None:
        if kind not in _WITH_PRICE or (tif is not None and tif != "GTC"):
            raise errors.BinanceError(*errors.UNSUPPORTED_COMBINATION)
        if amounts.quantity is not None and iceberg >= amounts.quantity:
            raise errors.BinanceError(-2010, "IcebergQty exceeds QTY.")
    stp = _stp(p)
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
        price=amounts.price,
        size=amounts.quantity,
        funds=amounts.quote,
        time_in_force=tif if tif is not None and not market else None,
        post_only=kind == "LIMIT_MAKER",
        iceberg=iceberg is not None,
        visible_size=iceberg,
        stp=stp,
        stop=stop,
        stop_price=amounts.stop_price,
    )
    return OrderRequest(params, kind, respond)


def _side_and_kind(p: Params) -> tuple[str, str]:
    side = p.req("side")
    if side not in ("BUY", "SELL"):
        raise errors.BinanceError(*errors.INVALID_SIDE)
    kind = p.req("type")
    if kind not in TYPES:
        raise errors.BinanceError(*errors.INVALID_TYPE)
    return side, kind


def _time_in_force(p: Params, kind: str) -> str | None:
    tif = p.text("timeInForce")
    if kind in _WITH_TIF:
        if tif is None:
            raise errors.mandatory("timeInForce")
        if tif not in ("GTC", "IOC", "FOK"):
            raise errors.BinanceError(*errors.INVALID_TIF)
    elif tif is not None:
        raise _not_required("timeInForce")
    return tif


def _refuse_unsupported(p: Params) -> None:
    """Trailing and pegged orders (not served), and the strategy fields' own rules."""
    if "trailingDelta" in p:
        raise errors.BinanceError(-2010, "Trailing stop orders are not supported for this symbol.")
    if "pegPriceType" in p or "pegOffsetValue" in p or "pegOffsetType" in p:
        raise errors.BinanceError(-2010, "Pegged orders are not supported for this symbol.")
    strategy = p.integer("strategyType")
    if strategy is not None and strategy < 1_000_000:
        raise errors.BinanceError(-1134, "strategyType was less than 1000000.")
    p.integer("strategyId")


def _check_amounts(kind: str, a: _Amounts) -> None:
    """Which amounts the order type needs, and which it must not be sent."""
    if kind == "MARKET":
        if a.quantity is None and a.quote is None:
            raise errors.BinanceError(
                -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
            )
        if a.quantity is not None and a.quote is not None:
            raise _not_required("quoteOrderQty")
    else:
        if a.quantity is None:
            raise errors.mandatory("quantity")
        if a.quote is not None:
            raise _not_required("quoteOrderQty")
    _needed_exactly_for(kind in _WITH_PRICE, "price", a.price)
    _needed_exactly_for(kind in _STOPS, "stopPrice", a.stop_price)


def _needed_exactly_for(needed: bool, name: str, value: Decimal | None) -> None:
    if needed and value is None:
        raise errors.mandatory(name)
    if not needed and value is not None:
        raise _not_required(name)


def _stp(p: Params) -> STP | str | None:
    name = p.text("selfTradePreventionMode")
    if name is None:
        return None
    if name not in STP_MODES:
        raise errors.BinanceError(
            -1013, "This symbol does not allow the specified self-trade prevention mode."
        )
    mode = STP_MODES[name]
    return NO_STP if mode is None else mode


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
