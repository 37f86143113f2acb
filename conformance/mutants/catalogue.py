"""Every mutant, the flaw it stands for, and the tests that must catch it (the first one
named for the flaw, saying ``reason`` in its failure; a second one where the state machine,
which checks the same ground at random, must catch it too)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs

from conformance.target import Target, TransportWrapper, resolve
from exchanges import Exchange

from . import balances as b
from . import client_ids as c
from . import errors as e
from . import market_data as m
from . import orders as o
from .base import PassThrough, wrap

__all__ = ["MUTANTS", "Mutant", "break_target"]

SM = "test_state_machine"


@attrs.frozen
class Mutant:
    name: str
    flaw: str
    kind: type[PassThrough]
    caught_by: tuple[str, ...]
    reason: str


def _m(name: str, kind: type[PassThrough], flaw: str, reason: str, *caught_by: str) -> Mutant:
    return Mutant(name, flaw, kind, caught_by, reason)


_CATALOGUE = (
    # market data
    _m("unsorted_book", m.UnsortedBook,
       "bids worst first (parsed in the venue's order, never sorted)",
       "bids are not best (highest) first", "test_order_book_sorted_and_not_crossed"),
    _m("book_ignores_depth", m.BookIgnoresDepth,
       "asks for the whole book whatever depth was asked",
       "depth ignored", "test_order_book_depth_keeps_the_best_levels"),
    _m("stale_ticker", m.StaleTicker,
       "serves a symbol's first ticker ever after (a cache never refreshed)",
       "a stale ticker", "test_ticker_follows_the_last_trade"),
    _m("ticker_bid_ask_swapped", m.TickerBidAskSwapped,
       "reads the ticker's best bid as its ask and back",
       "is above its ask", "test_ticker_consistent"),
    _m("ticker_time_in_seconds", m.TickerTimeInSeconds,
       "reads a ticker's time as seconds",
       "the ticker's time", "test_times_are_epoch_milliseconds"),
    _m("trades_newest_first", m.TradesNewestFirst,
       "public trades newest first (the venue's order kept)",
       "public trades are not oldest first", "test_trades_ordered_in_time"),
    _m("trades_with_the_makers_side", m.TradesWithTheMakersSide,
       "public trades printed with the maker's side",
       "not the taker's side", "test_public_trades_show_the_takers_side"),
    _m("trade_limit_keeps_the_oldest", m.TradeLimitKeepsTheOldest,
       "a trade limit cuts the oldest trades off the list",
       "limit must keep the newest trades", "test_trade_limit_keeps_the_newest"),
    _m("candles_newest_first", m.CandlesNewestFirst,
       "candles newest first (KuCoin's order kept)",
       "candles are not strictly oldest first", "test_candles_ordered_and_well_formed"),
    _m("candles_include_the_end", m.CandlesIncludeTheEnd,
       "a candle range's end taken as inclusive",
       "at or after the asked end", "test_candles_lie_in_the_asked_range"),
    _m("unknown_interval_gives_nothing", m.UnknownIntervalGivesNothing,
       "an unknown candle interval answered with no candles",
       "must be a BadRequest: nothing was raised",
       "test_candles_refuse_unknown_intervals_and_negative_times"),
    # orders
    _m("ioc_rests", o.IocRests,
       "an IOC order sent as GTC",
       "an IOC order rested", "test_ioc_never_rests"),
    _m("fok_placed_as_ioc", o.FokPlacedAsIoc,
       "a FOK order sent as IOC",
       "a FOK order filled in part", "test_fok_fills_all_or_nothing"),
    _m("post_only_flag_dropped", o.PostOnlyFlagDropped,
       "a post-only order sent without its flag (so it takes)",
       "a post-only order took liquidity", "test_post_only_that_would_take_is_rejected"),
    _m("market_funds_with_a_fee_margin", o.MarketFundsWithAFeeMargin,
       "a market buy's funds raised by 1% for the fee",
       "funds spent", "test_market_by_funds_spends_at_most_the_funds"),
    _m("off_by_one_tick", o.OffByOneTick,
       "every limit placed one tick below the price asked",
       "but asked for", "test_resting_limit_is_open_then_cancelled"),
    _m("gtt_placed_as_gtc", o.GttPlacedAsGtc,
       "a GTT order sent as GTC",
       "says its time in force is GTC", "test_gtt_rests_with_its_time_in_force"),
    _m("hidden_flag_dropped", o.HiddenFlagDropped,
       "a hidden order sent without its flag",
       "does not say it is hidden", "test_hidden_and_iceberg_orders_rest"),
    _m("stop_price_dropped", o.StopPriceDropped,
       "a stop order sent without its trigger (a plain limit at once)",
       "not waiting for it", "test_stop_order_waits_for_its_trigger"),
    _m("partial_fill_reported_filled", o.PartialFillReportedFilled,
       "partially filled reported as filled",
       "not partially filled", "test_partial_fill_stays_open_until_cancelled"),
    _m("cancel_forgets_fills", o.CancelForgetsFills,
       "a cancel answered with the order as placed, its fills forgotten",
       "a cancel must keep what filled", "test_partial_fill_stays_open_until_cancelled"),
    _m("cancel_of_a_filled_order_succeeds", o.CancelOfAFilledOrderSucceeds,
       "the cancel of a filled order taken for success",
       "a cancel of a filled order must raise OrderNotFound",
       "test_cancel_of_unknown_or_filled_order_raises_order_not_found"),
    _m("cancel_all_of_every_symbol", o.CancelAllOfEverySymbol,
       "cancel-all of one symbol cancels every symbol's orders",
       "cancelled an order of", "test_cancel_all_cancels_only_what_it_should"),
    _m("cancel_all_without_symbol_does_nothing", o.CancelAllWithoutSymbolDoesNothing,
       "cancel-all without a symbol cancels nothing",
       "cancel-all of every symbol left", "test_cancel_all_cancels_only_what_it_should"),
    _m("fetch_by_client_id_returns_the_oldest", o.FetchByClientIdReturnsTheOldest,
       "a fetch by client order id returns the oldest open order",
       "orders open, got order", "test_fetch_finds_the_right_order_among_many", SM),
    _m("cancel_by_client_id_cancels_the_oldest", o.CancelByClientIdCancelsTheOldest,
       "a cancel by client order id cancels the oldest open order",
       "the answer is about order", "test_cancel_cancels_the_right_order_among_many", SM),
    _m("amend_by_client_id_amends_the_oldest", o.AmendByClientIdAmendsTheOldest,
       "an amend by client order id amends the oldest open order",
       "another order was amended", "test_amend_changes_the_right_order_among_many"),
    _m("amend_of_nothing_accepted", o.AmendOfNothingAccepted,
       "an amend with neither price nor size sent on, and answered with the order unchanged",
       "must be a BadRequest", "test_amend_refuses_what_it_cannot_do"),
    _m("both_ids_accepted", o.BothIdsAccepted,
       "given both ids, the order id is used and the other ignored",
       "naming both ids must be a BadRequest", "test_orders_are_named_by_exactly_one_id"),
    _m("open_orders_oldest_first", o.OpenOrdersOldestFirst,
       "open orders oldest first",
       "most recently updated first", "test_open_orders_are_most_recently_updated_first"),
    _m("open_list_ignores_the_symbol", o.OpenListIgnoresTheSymbol,
       "the open orders of one symbol list every symbol's",
       "holds another symbol's", "test_open_and_closed_lists_agree_with_status"),
    _m("closed_orders_oldest_first", o.ClosedOrdersOldestFirst,
       "done orders oldest first, the limit keeping the oldest",
       "done orders must come newest first", "test_closed_orders_newest_first_within_limit"),
    _m("closed_list_holds_open_orders", o.ClosedListHoldsOpenOrders,
       "the closed list also lists the open orders",
       "an open order is listed closed", "test_open_and_closed_lists_agree_with_status"),
    _m("negative_limit_slices", o.NegativeLimitSlices,
       "a history limit used to slice the list (-1 drops the last)",
       "of limit -1 must be a BadRequest", "test_history_calls_refuse_negative_limits_and_times"),
    _m("order_times_in_seconds", o.OrderTimesInSeconds,
       "an order's times read as seconds",
       "is not epoch milliseconds", "test_order_and_fill_times_are_epoch_milliseconds"),
    _m("fills_ignore_the_order", o.FillsIgnoreTheOrder,
       "fills of other orders listed as the asked order's",
       "include fills of order", "test_fills_are_listed_per_order_newest_first"),
    _m("batch_stops_at_its_first_refusal", o.BatchStopsAtItsFirstRefusal,
       "every order of a batch after a refusal answered with that refusal",
       "placeable on its own", "test_a_batch_answers_each_order_on_its_own"),
    # client ids
    _m("duplicate_id_replaced", c.DuplicateIdReplaced,
       "a duplicate client order id replaced by a fresh one",
       "must be refused with DuplicateClientOrderId", "test_duplicate_active_id_is_refused"),
    _m("invalid_ids_cleaned_up", c.InvalidIdsCleanedUp,
       "an invalid client order id cleaned up instead of refused",
       "must be refused with InvalidClientOrderId", "test_invalid_ids_are_refused"),
    _m("generated_id_not_reported", c.GeneratedIdNotReported,
       "a client order id left to the venue and not reported",
       "was given none", "test_an_id_is_generated_when_none_is_given"),
    _m("client_ids_forgotten_on_restart", c.ClientIdsForgottenOnRestart,
       "client order ids looked up in the client's memory: lost when it restarts",
       "placed by another client", "test_a_new_client_finds_orders_by_client_id"),
    # errors
    _m("vague_errors", e.VagueErrors,
       "an unknown symbol's error raised as a bare ExchangeError",
       "must raise BadSymbol", "test_unknown_symbol"),
    _m("insufficient_funds_untyped", e.InsufficientFundsUntyped,
       "insufficient funds raised as a generic InvalidOrder",
       "must raise InsufficientFunds", "test_insufficient_funds"),
    _m("minimum_size_untyped", e.MinimumSizeUntyped,
       "an order below the minimum size refused as a generic InvalidOrder",
       "must raise BelowMinimumSize", "test_below_minimum_size"),
    _m("increments_rounded_silently", e.IncrementsRoundedSilently,
       "a price or size off its increment rounded, not refused",
       "must raise InvalidPrecision", "test_bad_increment"),
    _m("closed_client_raises_runtime_error", e.ClosedClientRaisesRuntimeError,
       "a call after close lets the HTTP client's RuntimeError through",
       "raised RuntimeError instead", "test_calls_after_close_are_a_clear_error"),
    # balances and fills
    _m("holdless_balances", b.HoldlessBalances,
       "the available amount reported as the total",
       "is not available", "test_total_is_available_plus_hold", SM),
    _m("holds_kept_after_cancel", b.HoldsKeptAfterCancel,
       "the hold of a cancelled order never released",
       "must release exactly what its order held", "test_holds_follow_orders", SM),
    _m("fee_in_the_base_currency", b.FeeInTheBaseCurrency,
       "every fee reported in the base currency",
       "the fills and their fees", "test_fills_and_fees_move_balances_exactly"),
    _m("fill_price_through_a_float", b.FillPriceThroughAFloat,
       "a fill's price parsed through a float",
       "are not its price x size", "test_fills_and_fees_move_balances_exactly"),
)  # fmt: skip

MUTANTS: dict[str, Mutant] = {mutant.name: mutant for mutant in _CATALOGUE}


def break_target(target: Target, mutant: Mutant) -> Target:
    """``target`` with every client it opens broken by ``mutant`` (the clean client of a
    fault test stays clean: it is the judge)."""
    kind = mutant.kind

    def broken(opener: Callable[..., object]) -> Callable[..., Awaitable[Exchange]]:
        async def open_broken(*args: object) -> Exchange:
            return wrap(kind, await resolve(opener, *args))

        return open_broken

    second = target.second_client
    faulty = target.faulty

    async def open_second(exchange: Exchange) -> Exchange:
        assert second is not None
        inner = exchange.inner if isinstance(exchange, PassThrough) else exchange
        return wrap(kind, await resolve(second, inner))

    async def open_faulty(transport: TransportWrapper) -> tuple[Exchange, Exchange]:
        assert faulty is not None
        bad, clean = await resolve(faulty, transport)
        return wrap(kind, bad), clean

    return attrs.evolve(
        target,
        exchange=broken(target.exchange),
        second_client=None if second is None else open_second,
        bad_credentials=None if target.bad_credentials is None else broken(target.bad_credentials),
        rate_limited=None if target.rate_limited is None else broken(target.rate_limited),
        faulty=None if faulty is None else open_faulty,
    )
