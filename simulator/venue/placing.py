"""The placing layer of the venue: KuCoin's checks, the active-order caps, holds, and the
hand-over to the engine (or, for an external symbol, parking)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from exchanges import (
    STP,
    BadRequest,
    BadSymbol,
    DuplicateClientOrderId,
    ExchangeError,
    InsufficientFunds,
    InvalidClientOrderId,
    OrderRequest,
    OrderType,
    PostOnlyWouldTake,
    PriceOutOfBand,
    Side,
    StopKind,
    TimeInForce,
    TooManyOpenOrders,
)
from simulator.engine import (
    FLAG_BY_FUNDS,
    FLAG_FOK,
    FLAG_GTT,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_IOC,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    REJECTED,
    STOP_ENTRY,
    STOP_LOSS,
    STP_CB,
    STP_CN,
    STP_CO,
    STP_DC,
    STP_NONE,
    UNLIMITED,
    Accepted,
)
from simulator.ledger.money import mul
from simulator.venue.external import External
from simulator.venue.orders import VenueOrder, order_info
from simulator.venue.params import OrderParams
from simulator.venue.records import OrderInfo
from simulator.venue.state import MarketState, UserState

__all__ = ["Placing"]

ZERO = Decimal(0)
ONE = Decimal(1)
_COID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_STP_CODES = {STP.CN: STP_CN, STP.CO: STP_CO, STP.CB: STP_CB, STP.DC: STP_DC}
_MAX_CANCEL_AFTER = 2_592_000


class Placing(External):
    """Placing orders, single, batched, as a test, or as a market agent."""

    def place_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place an order with KuCoin's semantics; returns it after matching.

        Raises ``BadSymbol`` (900001), ``InvalidOrder`` subtypes (400100: precision, size,
        funds, client id; ``PostOnlyWouldTake``; ``PriceOutOfBand`` 400760;
        ``TooManyOpenOrders`` 200003; ``DuplicateClientOrderId``), ``InsufficientFunds``
        (200004) or ``BadRequest`` (400100). A rejected order leaves no trace.
        """
        user = self._user(uid)
        now = self.sync()
        order = self._build(user, params, now, stop=params.stop is not None or params.stop_price is not None)
        self._submit(order)
        return order_info(order)

    def place_stop_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place a stop order (``stop_price`` required; ``stop`` inferred when absent:
        ``entry`` if the stop price is at or above the last price, else ``loss``). Its id
        starts with ``vs``; it holds nothing until triggered."""
        if params.stop_price is None:
            raise self._error(BadRequest, "stopPrice is required", "400100")
        return self.place_order(uid, params)

    def test_order(self, uid: str, params: OrderParams) -> str:
        """KuCoin's order test: validate everything (balance included) without placing;
        returns the order id it would have had (a placeholder)."""
        user = self._user(uid)
        now = self.sync()
        is_stop = params.stop is not None or params.stop_price is not None
        order = self._build(user, params, now, stop=is_stop, test=True)
        self._check_limits(order)
        if not is_stop:
            currency, amount = self._hold_for(order)
            wallet = user.account.trade.get(currency)
            available = wallet.available if wallet is not None else ZERO
            if amount > available or (amount == 0 and available <= 0):
                raise self._error(InsufficientFunds, "Balance insufficient!", "200004")
        return order.id

    def place_orders(self, uid: str, batch: Iterable[OrderParams]) -> list[OrderInfo | ExchangeError]:
        """Batch place: each order independently; a failure is returned in its slot."""
        results: list[OrderInfo | ExchangeError] = []
        for params in batch:
            try:
                results.append(self.place_order(uid, params))
            except ExchangeError as err:
                results.append(err)
        return results

    def _build(
        self, user: UserState, p: OrderParams, now: int, *, stop: bool = False, test: bool = False
    ) -> VenueOrder:
        """Validate ``p`` KuCoin's way and make the (not yet placed) order."""
        return self._build_fields(
            user,
            now,
            p.symbol,
            p.side,
            p.type,
            p.client_oid,
            p.price,
            p.size,
            p.funds,
            p.time_in_force,
            p.cancel_after,
            p.post_only,
            p.hidden,
            p.iceberg,
            p.visible_size,
            p.stp,
            p.remark,
            p.tags,
            p.stop,
            p.stop_price,
            stop_order=stop,
            test=test,
        )

    def _build_fields(
        self,
        user: UserState,
        now: int,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        client_oid: str | None,
        price: object,
        size: object,
        funds: object,
        time_in_force: TimeInForce | str | None,
        cancel_after: object,
        post_only: object,
        hidden: object,
        iceberg: object,
        visible_size: object,
        stp: STP | str | None,
        remark: object,
        tags: object,
        stop: StopKind | str | None,
        stop_price: object,
        *,
        stop_order: bool = False,
        test: bool = False,
    ) -> VenueOrder:
        """The checks and conversions of :meth:`_build`, on loosely typed values as they
        arrive from the wire (strings, numbers, enums)."""
        mkt = self._tradable(symbol)
        if side is Side.BUY or side == "buy":
            is_buy = True
        elif side is Side.SELL or side == "sell":
            is_buy = False
        else:
            raise self._error(BadRequest, f"side invalid: {side!r}", "400100")
        if type is OrderType.LIMIT or type == "limit":
            otype = OrderType.LIMIT
        elif type is OrderType.MARKET or type == "market":
            otype = OrderType.MARKET
        else:
            raise self._error(BadRequest, f"type invalid: {type!r}", "400100")
        if client_oid is not None and (not isinstance(client_oid, str) or not _COID.fullmatch(client_oid)):
            raise self._error(
                InvalidClientOrderId,
                "clientOid invalid: at most 40 letters, digits, '_' or '-'",
                "400100",
            )
        self._check_options(remark, tags, post_only, hidden, iceberg)
        rules = mkt.rules
        price_ticks = 0
        size_lots = 0
        funds_req: Decimal | None = None
        size_d: Decimal | None = None
        if otype is OrderType.LIMIT:
            if price is None:
                raise self._error(BadRequest, "price is required for a limit order", "400100")
            if size is None:
                raise self._error(BadRequest, "size is required for a limit order", "400100")
            if funds is not None:
                raise self._error(BadRequest, "funds is only for market orders", "400100")
            price_d = self._amount("price", price)
            size_d = self._amount("size", size)
            price_ticks = rules.ticks(price_d)
            size_lots = rules.lots(size_d)
            rules.check_value(price_d * size_d)
        else:
            if price is not None:
                raise self._error(BadRequest, "a market order takes no price", "400100")
            if (size is None) == (funds is None):
                raise self._error(BadRequest, "a market order needs exactly one of size or funds", "400100")
            if size is not None:
                size_d = self._amount("size", size)
                size_lots = rules.lots(size_d)
            else:
                funds_req = rules.funds(self._amount("funds", funds))
        if time_in_force is None or time_in_force is TimeInForce.GTC:
            tif = TimeInForce.GTC
        else:
            try:
                tif = TimeInForce(time_in_force)
            except ValueError:
                raise self._error(BadRequest, f"timeInForce invalid: {time_in_force!r}", "400100") from None
        return self._new_order(
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
            cancel_after,
            post_only,
            hidden,
            iceberg,
            visible_size,
            stp,
            remark,
            tags,
            stop,
            stop_price,
            client_oid,
            stop_order=stop_order,
            test=test,
        )

    def _build_request(
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
        """:meth:`_build_fields` for a typed ``OrderRequest`` (the paper exchange's path):
        its enums are typed and its shape checked on construction, and the caller checked
        its amounts with ``mkt.rules.check_request`` (giving ``price_ticks`` and
        ``size_lots``; those checks include KuCoin's for limit orders) and its client id,
        and says whether it has ``no_options`` (GTC, and no STP, stop, remark, post-only,
        hidden or iceberg). What remains are KuCoin's own rules."""
        if not mkt.spec.enable_trading:
            raise self._error(BadSymbol, "validation.createOrder.symbolNotAvailable", "400600")
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
        if no_options:  # the common case: none of the option rules apply
            flags = 0
            if otype is OrderType.MARKET:
                flags = FLAG_MARKET
                if funds_req is not None:
                    flags = FLAG_MARKET | FLAG_BY_FUNDS
                    size_lots = UNLIMITED
            rates = self._user_rates(user, mkt)
            order_id = self.ids.order_id(now)
            order = VenueOrder(
                order_id,
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
        return self._new_order(
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
            request.cancel_after,
            request.post_only,
            request.hidden,
            request.iceberg,
            request.visible_size,
            request.stp,
            request.remark,
            None,
            request.stop,
            request.stop_price,
            client_oid,
            stop_order=request.stop_price is not None,
        )

    def _place_plain(
        self,
        user: UserState,
        mkt: MarketState,
        now: int,
        is_buy: bool,
        price_ticks: int,
        size_lots: int,
        client_oid: str,
    ) -> VenueOrder:
        """Place a plain GTC limit order (no options: the common case of every bot), whose
        amounts the caller checked (``price_ticks``, ``size_lots``) with its client id.

        The same steps and outcomes as :meth:`_build_request` then :meth:`_submit` (ids are
        drawn in the same order, errors and ledger lines are the same), written as one
        function because this is the paper exchange's hot path; :meth:`_submit` takes over
        when a cap is reached, the client id is in use or the market is external.
        ``tests/simulator/test_paper_fast_path.py`` holds the two paths to each other."""
        spec = mkt.spec
        if not spec.enable_trading:
            raise self._error(BadSymbol, "validation.createOrder.symbolNotAvailable", "400600")
        symbol = spec.symbol
        rates = user.rates.get(symbol)
        if rates is None:
            rates = self._user_rates(user, mkt)
        oid = self.ids.order_id(now)
        order = VenueOrder(oid, user, mkt, is_buy, price_ticks, size_lots, 0, now, rates, client_oid)
        counts = user.counts
        active = user.active
        by_coid = user.by_coid
        earlier = by_coid.get(client_oid)
        if (
            mkt.external
            or counts.get(symbol, 0) >= self.max_active_per_symbol
            or len(active) >= self.max_active_per_account
            or isinstance(earlier, VenueOrder)  # (an active order has this clientOid)
        ):
            self._submit(order)  # (raises, or parks the order on an external market)
            return order
        # the hold (Holds._take_hold for a limit order, with limit_need)
        if is_buy:
            units = price_ticks * size_lots
            value = mkt.values.get(units)
            if value is None:
                value = mkt.value(units)
            need = mul(value, user.hold_factors[symbol])  # (kept with the rates)
            currency = spec.quote_currency
        else:
            size = mkt.sizes.get(size_lots)
            need = mkt.size(size_lots) if size is None else size
            currency = spec.base_currency
        account = user.account
        context = order.hold_context = (symbol, oid, "") if account.keep_ledger else None
        self.accounts.hold(account, currency, need, now, context)  # (InsufficientFunds: no trace left)
        order.hold_left = need
        # registration (as in _submit)
        self._orders[oid] = order
        active[oid] = order
        counts[symbol] = counts.get(symbol, 0) + 1
        by_coid[client_oid] = order
        mkt.book.submit(order, self._now)
        if order.status == REJECTED:
            if earlier is not None:
                by_coid[client_oid] = earlier  # a refused order leaves no trace: not even here
            self._raise_rejection(order)
        return order

    def _new_order(
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
        cancel_after: object,
        post_only: object,
        hidden: object,
        iceberg: object,
        visible_size: object,
        stp: STP | str | None,
        remark: object,
        tags: object,
        stop: StopKind | str | None,
        stop_price: object,
        client_oid: str | None,
        *,
        stop_order: bool = False,
        test: bool = False,
    ) -> VenueOrder:
        """The rest of KuCoin's rules (time in force, iceberg, STP, stop; the amounts, the
        remark and the flags' types are checked), then the order."""
        flags = 0
        if otype is OrderType.MARKET:
            flags = FLAG_MARKET
            if funds_req is not None:
                flags |= FLAG_BY_FUNDS
                size_lots = UNLIMITED
            tif = TimeInForce.GTC  # market orders ignore time in force
            if post_only or hidden or iceberg:
                raise self._error(BadRequest, "postOnly, hidden and iceberg are for limit orders", "400100")
        expire_after = None
        if tif is not TimeInForce.GTC:
            if tif is TimeInForce.IOC:
                flags |= FLAG_IOC
            elif tif is TimeInForce.FOK:
                flags |= FLAG_FOK
            else:  # GTT
                ca = cancel_after
                if ca is not None and (
                    not isinstance(ca, int) or isinstance(ca, bool) or ca > _MAX_CANCEL_AFTER
                ):
                    raise self._error(BadRequest, f"cancelAfter invalid: {ca!r}", "400100")
                if ca is not None and ca > 0:
                    expire_after = ca
                    flags |= FLAG_GTT
        visible_lots = 0
        if otype is OrderType.LIMIT:
            if post_only:
                flags |= FLAG_POST_ONLY
            if iceberg:
                if visible_size is None:
                    raise self._error(BadRequest, "visibleSize is required for an iceberg order", "400100")
                visible = self._amount("visibleSize", visible_size)
                visible_lots = mkt.rules.lots(visible, "visibleSize", check_limits=False)
                assert size_d is not None
                if visible > size_d or visible * 20 < size_d or visible < mkt.spec.base_min_size:
                    raise self._error(
                        BadRequest,
                        "visibleSize must be between 1/20 of size (and the minimum size) and size",
                        "400100",
                    )
                flags |= FLAG_ICEBERG
            elif hidden:
                flags |= FLAG_HIDDEN
        stp_code = STP_NONE
        stp_req: STP | None = None
        if stp is not None:
            try:
                stp_req = stp if isinstance(stp, STP) else STP(stp)
            except ValueError:
                raise self._error(BadRequest, f"stp invalid: {stp!r}", "400100") from None
            if stp_req is STP.DC and otype is OrderType.MARKET:
                raise self._error(BadRequest, "STP DC is not available for market orders", "400100")
            stp_code = _STP_CODES[stp_req]
        stop_kind = 0
        stop_ticks = 0
        if stop_order:
            if stop_price is None:
                raise self._error(BadRequest, "stopPrice is required for a stop order", "400100")
            stop_d = self._amount("stopPrice", stop_price)
            stop_ticks = mkt.rules.ticks(stop_d, "stopPrice")
            if stop is None:
                stop_kind = STOP_ENTRY if stop_d >= self._reference(mkt) else STOP_LOSS
            else:
                try:
                    kind = stop if isinstance(stop, StopKind) else StopKind(stop)
                except ValueError:
                    raise self._error(BadRequest, f"stop invalid: {stop!r}", "400100") from None
                stop_kind = STOP_LOSS if kind is StopKind.LOSS else STOP_ENTRY
        if test:
            order_id = self.ids.test_order_id(now)
        else:
            order_id = self.ids.stop_id() if stop_order else self.ids.order_id(now)
        rates = self._user_rates(user, mkt)
        order = VenueOrder(
            order_id, user, mkt, is_buy, price_ticks, size_lots, flags, now, rates, client_oid, tif
        )
        if remark is not None:
            order.remark = remark  # type: ignore[assignment]
        if tags is not None:
            order.tags = tags  # type: ignore[assignment]
        if stp_req is not None:
            order.stp = stp_code
            order.stp_req = stp_req
        if visible_lots:
            order.visible = visible_lots
        order.funds_req = funds_req
        if stop_order:
            order.stop = stop_kind
            order.stop_price = stop_ticks
        if expire_after is not None:
            order.cancel_after = expire_after
            if not stop_order:  # a stop order's time starts when it triggers (see _admit)
                order.expire_at = now + expire_after * 1000
        return order

    def _check_options(
        self, remark: object, tags: object, post_only: object, hidden: object, iceberg: object
    ) -> None:
        """Texts are at most 20 ASCII characters; flags are booleans."""
        if remark is not None or tags is not None:
            for name, text in (("remark", remark), ("tags", tags)):
                if text is not None and (not isinstance(text, str) or len(text) > 20 or not text.isascii()):
                    raise self._error(BadRequest, f"{name} must be at most 20 ASCII characters", "400100")
        if post_only is not False or hidden is not False or iceberg is not False:
            for name, flag in (("post_only", post_only), ("hidden", hidden), ("iceberg", iceberg)):
                if flag is not True and flag is not False:
                    raise self._error(BadRequest, f"{name} must be a boolean", "400100")

    def _tradable(self, symbol: str) -> MarketState:
        mkt = self._markets.get(symbol)
        if mkt is None:
            raise self._error(BadSymbol, f"symbol {symbol!r} not exists", "900001")
        if not mkt.spec.enable_trading:
            raise self._error(BadSymbol, "validation.createOrder.symbolNotAvailable", "400600")
        return mkt

    def _system_order(
        self,
        user: UserState,
        mkt: MarketState,
        is_buy: bool,
        price: int,
        lots: int,
        flags: int,
        stp: int = STP_NONE,
    ) -> VenueOrder:
        """An order for a market agent, in ticks and lots, skipping the request checks."""
        now = self._now
        rates = self._user_rates(user, mkt)
        order = VenueOrder(self.ids.order_id(now), user, mkt, is_buy, price, lots, flags, now, rates)
        order.stp = stp
        return order

    def _check_limits(self, order: VenueOrder) -> None:
        user = order.user
        symbol = order.mkt.spec.symbol
        if user.counts.get(symbol, 0) >= self.max_active_per_symbol:
            raise self._error(
                TooManyOpenOrders,
                f"Exceeded the maximum number of active orders ({self.max_active_per_symbol}) for {symbol}",
                "200003",
            )
        if len(user.active) >= self.max_active_per_account:
            raise self._error(
                TooManyOpenOrders,
                f"Exceeded the maximum number of active orders ({self.max_active_per_account}) per account",
                "200003",
            )
        coid = order.client_oid
        if coid is not None:
            if isinstance(user.by_coid.get(coid), VenueOrder):  # (an active order has it)
                raise self._error(
                    DuplicateClientOrderId, "validation.createOrder.clientOidDuplicated", "400100"
                )

    def _submit(self, o: VenueOrder) -> None:
        """Check caps and client id, hold, register, and hand to the engine."""
        self._check_limits(o)
        user = o.user
        is_stop = bool(o.stop)
        if not is_stop:
            self._take_hold(o)
        oid = o.id
        self._orders[oid] = o
        user.active[oid] = o
        mkt = o.mkt
        symbol = mkt.spec.symbol
        user.counts[symbol] = user.counts.get(symbol, 0) + 1
        coid = o.client_oid
        earlier = None
        if coid is not None:
            by_coid = user.by_coid
            earlier = by_coid.get(coid)
            by_coid[coid] = o
        if mkt.external and not is_stop:
            self._on_accepted(Accepted(o, self._now))
            self._park(o)
            return
        mkt.book.submit(o, self._now)
        if o.status == REJECTED and not is_stop:
            if earlier is not None and coid is not None:
                user.by_coid[coid] = earlier  # a refused order leaves no trace: not even here
            self._raise_rejection(o)

    def _raise_rejection(self, o: VenueOrder) -> None:
        reason = o.reason
        if reason == "post_only":
            raise self._error(PostOnlyWouldTake, "Post only order would take liquidity, canceled", "400100")
        if reason == "price_band":
            mkt = o.mkt
            book = mkt.book
            rate = mkt.spec.price_limit_rate
            if o.is_buy:
                bid_ref = book.best_ask if book.best()[1] is not None else book.last_price
                limit = mkt.scale.price(bid_ref) * (ONE + rate)
                message = f"order price should be less than {limit.normalize():f}"
            else:
                ask_ref = book.best_bid if book.best()[0] is not None else book.last_price
                limit = mkt.scale.price(ask_ref) * (ONE - rate)
                message = f"order price should be more than {limit.normalize():f}"
            raise self._error(PriceOutOfBand, message, "400760")
        raise self._error(BadRequest, f"order rejected: {reason}", "400100")

    def _admit(self, o: Any) -> str | None:
        """A stop order triggered: hold for it now, or reject it. A GTT stop's
        ``cancelAfter`` counts from here, when it enters the book as an ordinary order:
        while it waits it is in no book to expire from."""
        assert isinstance(o, VenueOrder)
        try:
            self._take_hold(o)
        except InsufficientFunds:
            return "insufficient_funds"
        if o.cancel_after is not None:
            o.expire_at = self._now + o.cancel_after * 1000
        return None
