"""Turning what a caller asks for into an order record: every value checked against the
pair's rules and the venue's rulebook, amounts turned into ticks and lots. Nothing is held
or placed here."""

from __future__ import annotations

from decimal import Decimal

from exchanges import STP, OrderRequest, OrderType, Side, StopKind, TimeInForce
from simulator.engine import (
    FLAG_BY_FUNDS,
    FLAG_FOK,
    FLAG_GTT,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_IOC,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    STOP_ENTRY,
    STOP_LOSS,
    STP_CB,
    STP_CN,
    STP_CO,
    STP_DC,
    STP_NONE,
    UNLIMITED,
)
from simulator.venue.amounts import Amounts
from simulator.venue.filters import FilterContext
from simulator.venue.ids import IdSource
from simulator.venue.orders import VenueOrder
from simulator.venue.params import NO_STP, OrderParams
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import Markets, Users
from simulator.venue.rulebook import Rulebook
from simulator.venue.state import MarketState, UserState

__all__ = ["Intake"]

_STP_CODES = {STP.CN: STP_CN, STP.CO: STP_CO, STP.CB: STP_CB, STP.DC: STP_DC}


class Intake:
    """Builds checked, not yet placed orders."""

    def __init__(
        self,
        rules: Rulebook,
        markets: Markets,
        users: Users,
        ids: IdSource,
        amounts: Amounts,
        refuse: Refusals,
    ) -> None:
        self._rules = rules
        self._markets = markets
        self._users = users
        self._ids = ids
        self._amounts = amounts
        self._refuse = refuse

    def from_params(
        self, user: UserState, p: OrderParams, now: int, *, stop: bool = False, test: bool = False
    ) -> VenueOrder:
        """An order from loosely typed values as they arrive from a wire (strings, numbers,
        enums): every value checked."""
        refuse = self._refuse
        mkt = self._markets.tradable(p.symbol)
        is_buy, otype = self._side_and_type(p)
        client_oid = p.client_oid
        if client_oid is not None and (
            not isinstance(client_oid, str) or not self._rules.client_id.fullmatch(client_oid)
        ):
            raise refuse(
                Reason.INVALID_CLIENT_ID, "client order id invalid: at most 40 letters, digits, '_' or '-'"
            )
        self._check_options(p.remark, p.tags, p.post_only, p.hidden, p.iceberg)
        price_ticks, size_lots, size_d, funds_req = self._amounts_of(mkt, p, otype)
        tif_in = p.time_in_force
        if tif_in is None or tif_in is TimeInForce.GTC:
            tif = TimeInForce.GTC
        else:
            try:
                tif = TimeInForce(tif_in)
            except ValueError:
                raise refuse.bad(f"timeInForce invalid: {tif_in!r}") from None
        return self._new(
            user,
            mkt,
            now,
            is_buy,
            otype,
            price_ticks,
            size_lots,
            size_d,
            funds_req,
            tif,
            p,
            client_oid,
            stop_order=stop,
            test=test,
        )

    def _side_and_type(self, p: OrderParams) -> tuple[bool, OrderType]:
        side, kind = p.side, p.type
        if side is Side.BUY or side == "buy":
            is_buy = True
        elif side is Side.SELL or side == "sell":
            is_buy = False
        else:
            raise self._refuse.bad(f"side invalid: {side!r}")
        if kind is OrderType.LIMIT or kind == "limit":
            return is_buy, OrderType.LIMIT
        if kind is OrderType.MARKET or kind == "market":
            return is_buy, OrderType.MARKET
        raise self._refuse.bad(f"type invalid: {kind!r}")

    def _amounts_of(
        self, mkt: MarketState, p: OrderParams, otype: OrderType
    ) -> tuple[int, int, Decimal | None, Decimal | None]:
        """Price in ticks, size in lots, size and funds asked for, each checked."""
        refuse, rules, amount = self._refuse, mkt.rules, self._amounts.amount
        if otype is OrderType.LIMIT:
            if p.price is None:
                raise refuse.bad("price is required for a limit order")
            if p.size is None:
                raise refuse.bad("size is required for a limit order")
            if p.funds is not None:
                raise refuse.bad("funds is only for market orders")
            price_d = amount("price", p.price)
            size_d = amount("size", p.size)
            price_ticks = rules.ticks(price_d)
            size_lots = rules.lots(size_d)
            rules.check_value(price_d, size_d)
            return price_ticks, size_lots, size_d, None
        if p.price is not None:
            raise refuse.bad("a market order takes no price")
        if (p.size is None) == (p.funds is None):
            raise refuse.bad("a market order needs exactly one of size or funds")
        if p.size is not None:
            size_d = amount("size", p.size)
            return 0, rules.lots(size_d), size_d, None
        return 0, 0, None, rules.funds(amount("funds", p.funds))

    def from_request(
        self,
        user: UserState,
        now: int,
        mkt: MarketState,
        request: OrderRequest,
        price_ticks: int,
        size_lots: int,
        client_oid: str,
        no_options: bool,
    ) -> VenueOrder:
        """An order from a typed ``OrderRequest`` whose amounts the caller checked against
        the pair's rules (giving ``price_ticks`` and ``size_lots``) and whose client id it
        checked; ``no_options``: GTC, and no STP, stop, remark, post-only, hidden or iceberg.
        What remains are the venue's own rules."""
        if not mkt.spec.enable_trading:
            raise self._refuse(Reason.SYMBOL_NOT_TRADING, f"{mkt.spec.symbol} is not trading")
        if (
            request.remark is not None
            or request.post_only is not False
            or request.hidden is not False
            or request.iceberg is not False
        ):
            self._check_options(request.remark, None, request.post_only, request.hidden, request.iceberg)
        funds_req = None
        otype = request.type
        if otype is OrderType.MARKET and request.funds is not None:
            funds_req = mkt.rules.funds(request.funds)
        if no_options and not self._rules.strict:  # the common case: none of the option rules apply
            flags = 0
            if otype is OrderType.MARKET:
                flags = FLAG_MARKET
                if funds_req is not None:
                    flags = FLAG_MARKET | FLAG_BY_FUNDS
                    size_lots = UNLIMITED
            rates = self._users.rates(user, mkt)
            order = VenueOrder(
                self._ids.order_id(now),
                user,
                mkt,
                request.side is Side.BUY,
                price_ticks,
                size_lots,
                flags,
                now,
                rates,
                client_oid,
            )
            order.funds_req = funds_req
            return order
        params = OrderParams(
            symbol=mkt.spec.symbol,
            side=request.side,
            type=otype,
            time_in_force=request.time_in_force,
            cancel_after=request.cancel_after,
            post_only=request.post_only,
            hidden=request.hidden,
            iceberg=request.iceberg,
            visible_size=request.visible_size,
            stp=request.stp,
            remark=request.remark,
            stop=request.stop,
            stop_price=request.stop_price,
        )
        return self._new(
            user,
            mkt,
            now,
            request.side is Side.BUY,
            otype,
            price_ticks,
            size_lots,
            request.size,
            funds_req,
            request.time_in_force,
            params,
            client_oid,
            stop_order=request.stop_price is not None,
        )

    def system(
        self,
        user: UserState,
        mkt: MarketState,
        is_buy: bool,
        price: int,
        lots: int,
        flags: int,
        now: int,
        stp: int = STP_NONE,
    ) -> VenueOrder:
        """An order for a market agent, in ticks and lots, skipping the request checks."""
        rates = self._users.rates(user, mkt)
        order = VenueOrder(self._ids.order_id(now), user, mkt, is_buy, price, lots, flags, now, rates)
        order.stp = stp
        return order

    def _new(
        self,
        user: UserState,
        mkt: MarketState,
        now: int,
        is_buy: bool,
        otype: OrderType,
        price_ticks: int,
        size_lots: int,
        size_d: Decimal | None,
        funds_req: Decimal | None,
        tif: TimeInForce,
        p: OrderParams,
        client_oid: str | None,
        *,
        stop_order: bool = False,
        test: bool = False,
    ) -> VenueOrder:
        """The rest of the rules (time in force, iceberg, STP, stop; the amounts, the remark
        and the flags' types are checked), then the order."""
        flags = 0
        if otype is OrderType.MARKET:
            flags, size_lots = self._market_kind(p, funds_req, size_lots)
            tif = TimeInForce.GTC  # market orders ignore time in force
        tif_flags, expire_after = self._lifetime(tif, p.cancel_after)
        flags |= tif_flags
        visible_lots = 0
        if otype is OrderType.LIMIT:
            display_flags, visible_lots = self._display(mkt, p, size_d)
            flags |= display_flags
        stp_req = self._stp(p.stp, otype)
        stop_kind = stop_ticks = 0
        if stop_order:
            stop_kind, stop_ticks = self._stop(mkt, p)
        if test:
            order_id = self._ids.test_order_id(now)
        else:
            order_id = self._ids.stop_id() if stop_order else self._ids.order_id(now)
        rates = self._users.rates(user, mkt)
        order = VenueOrder(
            order_id, user, mkt, is_buy, price_ticks, size_lots, flags, now, rates, client_oid, tif
        )
        order.remark = None if p.remark is None else str(p.remark)
        order.tags = None if p.tags is None else str(p.tags)
        if stp_req is not None:
            order.stp = _STP_CODES[stp_req]
            order.stp_req = stp_req
        order.visible = visible_lots
        order.funds_req = funds_req
        order.stop = stop_kind
        order.stop_price = stop_ticks
        if expire_after is not None:
            order.cancel_after = expire_after
            if not stop_order:  # a stop order's time starts when it triggers (see Placement.admit)
                order.expire_at = now + expire_after * 1000
        if self._rules.filters:
            self.check_filters(order, now)
        return order

    def _market_kind(self, p: OrderParams, funds_req: Decimal | None, size_lots: int) -> tuple[int, int]:
        """A market order's flags and size in lots (unlimited when it is bounded by funds)."""
        if p.post_only or p.hidden or p.iceberg:
            raise self._refuse.bad("postOnly, hidden and iceberg are for limit orders")
        if funds_req is not None:
            return FLAG_MARKET | FLAG_BY_FUNDS, UNLIMITED
        return FLAG_MARKET, size_lots

    def _lifetime(self, tif: TimeInForce, cancel_after: object) -> tuple[int, int | None]:
        """The flags of a time in force, and a GTT order's lifetime in seconds (if any)."""
        if tif is TimeInForce.GTC:
            return 0, None
        if tif is TimeInForce.IOC:
            return FLAG_IOC, None
        if tif is TimeInForce.FOK:
            return FLAG_FOK, None
        ca = cancel_after  # GTT
        if ca is not None and (
            not isinstance(ca, int) or isinstance(ca, bool) or ca > self._rules.max_cancel_after
        ):
            raise self._refuse.bad(f"cancelAfter invalid: {ca!r}")
        if isinstance(ca, int) and ca > 0:
            return FLAG_GTT, ca
        return 0, None

    def _display(self, mkt: MarketState, p: OrderParams, size_d: Decimal | None) -> tuple[int, int]:
        """A limit order's post-only, hidden and iceberg flags, and an iceberg's visible lots."""
        flags = FLAG_POST_ONLY if p.post_only else 0
        if p.iceberg:
            if p.visible_size is None:
                raise self._refuse.bad("visibleSize is required for an iceberg order")
            visible = self._amounts.amount("visibleSize", p.visible_size)
            visible_lots = mkt.rules.lots(visible, "visibleSize", check_limits=False)
            assert size_d is not None
            parts = self._rules.iceberg_parts
            minimum = mkt.spec.base_min_size
            if visible > size_d or visible * parts < size_d or visible < minimum:
                message = f"visibleSize must be between 1/{parts} of size (and the minimum size) and size"
                if minimum <= visible <= size_d:  # (only the share is wrong)
                    raise self._refuse(Reason.ICEBERG_PARTS, message, limit=parts)
                raise self._refuse.bad(message)
            return flags | FLAG_ICEBERG, visible_lots
        return (flags | FLAG_HIDDEN if p.hidden else flags), 0

    def _stp(self, stp: STP | str | None, otype: OrderType) -> STP | None:
        """The self-trade prevention mode asked for (or the rulebook's default), if the
        rulebook allows it here."""
        if stp is None:
            stp = self._rules.default_stp
        if stp is None or stp == NO_STP:
            return None
        try:
            stp_req = stp if isinstance(stp, STP) else STP(stp)
        except ValueError:
            raise self._refuse.bad(f"stp invalid: {stp!r}") from None
        if otype is OrderType.MARKET and stp_req not in self._rules.market_stp:
            raise self._refuse.bad(f"STP {stp_req.value} is not available for market orders")
        return stp_req

    def _stop(self, mkt: MarketState, p: OrderParams) -> tuple[int, int]:
        """A stop order's direction (given, or derived by the rulebook) and trigger in ticks."""
        if p.stop_price is None:
            raise self._refuse.bad("stopPrice is required for a stop order")
        stop_d = self._amounts.amount("stopPrice", p.stop_price)
        stop_ticks = mkt.rules.ticks(stop_d, "stopPrice")
        stop = p.stop
        if stop is None:
            kind = self._rules.stop_direction(stop_d, self._markets.reference(mkt))
        else:
            try:
                kind = stop if isinstance(stop, StopKind) else StopKind(stop)
            except ValueError:
                raise self._refuse.bad(f"stop invalid: {stop!r}") from None
        return (STOP_LOSS if kind is StopKind.LOSS else STOP_ENTRY), stop_ticks

    def check_filters(self, order: VenueOrder, now: int) -> None:
        """The rulebook's own filters (the pair's increments and limits are checked)."""
        ctx = FilterContext(now, self._refuse)
        for check in self._rules.filters:
            check.check(order, ctx)

    def _check_options(
        self, remark: object, tags: object, post_only: object, hidden: object, iceberg: object
    ) -> None:
        """Texts are short ASCII; flags are booleans."""
        if remark is not None or tags is not None:
            most = self._rules.max_text
            for name, text in (("remark", remark), ("tags", tags)):
                if text is not None and (not isinstance(text, str) or len(text) > most or not text.isascii()):
                    raise self._refuse.bad(f"{name} must be at most {most} ASCII characters")
        if post_only is not False or hidden is not False or iceberg is not False:
            for name, flag in (("post_only", post_only), ("hidden", hidden), ("iceberg", iceberg)):
                if flag is not True and flag is not False:
                    raise self._refuse.bad(f"{name} must be a boolean")
