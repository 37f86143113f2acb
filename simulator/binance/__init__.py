"""The simulator's Binance dialect: Binance's spot REST API (``/api/v3``), market streams
(``/ws``, ``/stream``) and WebSocket API (``/ws-api/v3``) on one port, over a
:class:`~simulator.venue.Venue` with Binance's rulebook (:data:`BINANCE_RULEBOOK`) and
listing. An independent implementation of ``shared/binance-spec/`` (NOTES wins).

Choices where NOTES marks a fact UNKNOWN (kept here, in one place, to be corrected):

- A signed request without ``X-MBX-APIKEY`` is ``-2014 API-key format invalid.`` (HTTP
  401); an unknown key ``-2015`` (401). Keys are checked first, then ``timestamp`` and
  ``signature`` presence (``-1102`` naming the parameter), then timing, then the signature.
- ``recvWindow`` above 60000 is ``-1102 'recvWindow' contains unexpected value. Cannot be
  greater than 60000.``; a malformed ``timestamp`` is ``-1100``.
- A client order id that breaks ``^[a-zA-Z0-9-_]{1,36}$`` is ``-1100 Illegal characters
  found in parameter 'newClientOrderId'``. Ids are unique among the account's open orders
  (across symbols). A cancel's ``newClientOrderId`` is the ``clientOrderId`` of the cancel's
  answer and execution report; queries keep finding the order by its original id.
- Cancelling with both ``orderId`` and a mismatched ``origClientOrderId`` is ``-2011
  Unknown order sent.`` (a query: ``-2039``).
- ``GET /api/v3/account`` has no ``tradeGroupId``; commission has no BNB discount (paid in
  the asset received) and is exact: a fee with more than eight decimals shows them all.
- Tick and step grids are anchored at zero (``price % tickSize == 0``), not at
  ``minPrice``/``minQty``.
- ``-1006``/``-1007`` are never produced (the venue answers at once); an internal failure
  is ``-1000`` with HTTP 500.
- An IP is banned (HTTP 418) after more than 20 refusals (429) in one minute window; the
  first ban lasts two minutes, each later one twice as long (up to three days).
- A second user-data subscription of the same account on one connection is ``-2035``;
  ``session.logon`` takes every key type.
- An order's first fill lowers the unfilled-order count by exactly one (Binance may lower it
  by more for a maker or a large fill), at the next request that reads or checks the count.
- cancelReplace checks the new order's filters (``-1013``) before either half, as a plain
  error; a refusal only the engine gives (funds, duplicate id, the open-order cap) comes
  after the cancel, as ``-2021``. An amend's errors: unknown order ``-2011``; an increase,
  an unchanged quantity, a stop not yet triggered and the eleventh amend ``-2038`` (the
  last with ``Filter failure: MAX_NUM_ORDER_AMENDS``). An amend to what filled, or below,
  leaves the order ``EXPIRED``. Its ``REPLACED`` report names the new client id in ``c``
  and leaves ``C`` empty.
- A triggered stop-limit is reported ``x = NEW`` again, with ``w`` true and ``W`` its trigger
  time; a triggered stop-market only by its trades.
- Klines of ``1s`` are ``-1120 Invalid interval.``; aggregate trades hold one trade each.
- Unknown paths answer HTTP 404 with ``-1000``.
- ``DECREMENT`` on a market order, and every STP mode under ``FOK``, act as
  ``EXPIRE_TAKER`` (the engine's rule for those).
- Order lists: an OCO leg that trades (even in part) or triggers expires its sibling
  (``EXPIRED``, ``OCO_TRIGGER``) and the list is ``ALL_DONE`` at once; an OTO list is
  ``ALL_DONE`` once its pending order is placed, an OTOCO once its pending pair resolves; a
  working order that ends unfilled expires the pending ones (``OTO_PHASE_ONE_EXPIRED``).
  Pending orders hold nothing until placed and are found by id as ``PENDING_NEW``
  (``workingTime`` -1), never in ``openOrders``. A pending pair's prices are checked against
  each other when the list is placed and meet the market only when placed.
- A list answer's ``newOrderRespType`` defaults to ``RESULT``; ``orders`` lists an OCO's
  below leg first (the deprecated ``order/oco``: the stop leg first), an OTO's working
  order first. ``listStatus`` follows the ``executionReport`` events of the orders that
  moved the list (``EXEC_STARTED`` on placement and when an OTOCO's pair is placed,
  ``ALL_DONE`` at its end).
- Cancelling one order of a list cancels the list and answers that order's cancel shape;
  ``DELETE /api/v3/openOrders`` answers each list once, as a list. An unknown list is
  ``-2011 Unknown order list sent.`` to a cancel and ``-2013 Order list does not exist.``
  to a query; a cancel's ``newClientOrderId`` is the answer's ``listClientOrderId``.
- An OCO leg of the wrong type is ``-1014 Unsupported order combination.``; a working order
  other than ``LIMIT``/``LIMIT_MAKER`` likewise. OPO and OPOCO are not served
  (``opoAllowed`` false): ``-2010 OPO orders are not supported for this symbol.``
"""

from typing import TYPE_CHECKING

from simulator.lazy import lazy_names

if TYPE_CHECKING:  # (the names below load on first use: the server pulls in Starlette)
    from .build import SYNTHETIC, Served, binance_venue, build_facade, build_served, served_endpoints
    from .config import (
        AccountConfig,
        ApiKey,
        BinanceConfig,
        ConfigError,
        config_from_mapping,
        demo_key,
        load_toml,
    )
    from .listing import BINANCE_SYMBOLS, Names
    from .rulebook import BINANCE_RULEBOOK, STP_MODES, STP_NAMES
    from .words import binance_error, binance_words

#: Where each public name lives: the paper exchange loads the rulebook, the pairs and the
#: words without the HTTP and WebSocket server.
_HOMES = {
    "AccountConfig": "config",
    "ApiKey": "config",
    "BINANCE_RULEBOOK": "rulebook",
    "BINANCE_SYMBOLS": "listing",
    "BinanceConfig": "config",
    "ConfigError": "config",
    "Names": "listing",
    "STP_MODES": "rulebook",
    "STP_NAMES": "rulebook",
    "SYNTHETIC": "build",
    "Served": "build",
    "binance_error": "words",
    "binance_venue": "build",
    "binance_words": "words",
    "build_facade": "build",
    "build_served": "build",
    "config_from_mapping": "config",
    "demo_key": "config",
    "load_toml": "config",
    "served_endpoints": "build",
}

__getattr__ = lazy_names(__name__, _HOMES, globals())

__all__ = [
    "BINANCE_RULEBOOK",
    "BINANCE_SYMBOLS",
    "STP_MODES",
    "STP_NAMES",
    "SYNTHETIC",
    "AccountConfig",
    "ApiKey",
    "BinanceConfig",
    "ConfigError",
    "Names",
    "Served",
    "binance_error",
    "binance_venue",
    "binance_words",
    "build_facade",
    "build_served",
    "config_from_mapping",
    "demo_key",
    "load_toml",
    "served_endpoints",
]
