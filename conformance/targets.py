"""This repository's registered targets. The only module of ``conformance`` that imports
``simulator`` and ``adapters``; adapter authors outside this repository never load it."""

from __future__ import annotations

import atexit
import importlib
import os
import subprocess
import sys
import time
import weakref
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from exchanges import Exchange

from .binance_wire import BinanceFaultWire
from .kucoin_wire import KucoinFaultWire
from .mutants.base import PassThrough
from .target import StreamHooks, Target, TransportWrapper

__all__ = ["TARGETS", "binance_sim", "get_target", "kucoin_sim"]

BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(30)}
#: Orders the longest fault test places on each simulated target.
FAULT_ATTEMPTS = int(os.environ.get("CONFORMANCE_FAULT_ATTEMPTS", "10000"))


class _SameAccount(PassThrough):
    """A second client of an in-process paper exchange: the account (and its orders)
    outlive the client, so closing it leaves the account open."""

    async def close(self) -> None:
        pass


def _paper() -> Target:
    from simulator import PaperExchange

    def open_paper() -> Exchange:
        return PaperExchange(BALANCES, seed=7)

    async def open_streaming() -> tuple[Exchange, StreamHooks]:
        paper = PaperExchange(BALANCES, seed=7)

        async def count() -> int:
            return paper.streams.open_streams

        return paper, StreamHooks(topic_count=count)  # (in-process: no connection, no sequence)

    return Target(
        name="paper",
        exchange=open_paper,
        streams=open_streaming,
        second_client=_SameAccount,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=BALANCES,
        skip_reasons={
            "rate limits": "the paper exchange is in-process: it has no rate limits to respect",
            "faults": "the paper exchange is in-process: there is no network to inject faults into",
        },
    )


def _kucoin_live() -> Target:
    """Real KuCoin, opt-in: read-only unless CONFORMANCE_ALLOW_TRADING=1 (then the minimum
    size, far from the market, cancelled at once)."""
    from adapters.kucoin import KucoinCredentials, KucoinExchange

    names = ("KUCOIN_API_KEY", "KUCOIN_API_SECRET", "KUCOIN_API_PASSPHRASE")
    missing = [n for n in names if not os.environ.get(n)]
    trading = os.environ.get("CONFORMANCE_ALLOW_TRADING") == "1"

    def open_live(*_: object) -> Exchange:
        return KucoinExchange(KucoinCredentials.from_env())

    def open_bad() -> Exchange:
        return KucoinExchange(KucoinCredentials("not-a-key", "not-a-secret", "not-a-passphrase"))

    reasons = {
        "rate limits": "not provoked on the real venue (it would risk the account's budget)",
        "faults": "not injected on the real venue",
    }
    if missing:
        reasons["*"] = f"real KuCoin needs {', '.join(missing)} in the environment"
    return Target(
        name="kucoin-live",
        exchange=open_live,
        symbol=os.environ.get("CONFORMANCE_SYMBOL", "BTC/USDT"),
        other_symbol=os.environ.get("CONFORMANCE_OTHER_SYMBOL", "ETH/USDT"),
        trading=trading,
        bad_credentials=open_bad,
        second_client=open_live,
        state_machine_examples=2,
        skip_reasons=reasons,
    )


# --- the KuCoin adapter against the simulator's KuCoin server ------------------------------------

KEY, SECRET, PASSPHRASE = "conformance-key", "conformance-secret", "conformance-pass"
SIM_BALANCES = {"USDT": Decimal(1_000_000), "BTC": Decimal(20), "ETH": Decimal(300)}
#: A shrunken ``kucoin`` profile so a burst crosses the budget in about a second.
SMALL_WINDOW_S, SMALL_PUBLIC_QUOTA, BURST = 1.0, 600, 120  # fetch_ticker weighs 15: 40 a window


#: Fault runs place thousands of orders: neither the server nor the client limits their rate
#: (the rate-limit area holds both to the budgets).
UNLIMITED: dict[str, Any] = {"rate_limit": False}


def _small_pools(limiter: bool) -> dict[str, Any]:
    """The adapter told the server's shrunken budget, as a bot configures it for such a server."""
    return {
        "rate_limit": limiter,
        "pool_quotas": {"Public": SMALL_PUBLIC_QUOTA},
        "rate_limit_window_s": SMALL_WINDOW_S,
    }


def _adapter(
    base_url: str, transport: httpx.AsyncBaseTransport | None, *, kind: Any = None, **options: Any
) -> Exchange:
    """The KuCoin adapter (or ``kind``, a subclass of it) on the conformance key."""
    from adapters.kucoin import KucoinCredentials, KucoinExchange

    return (kind or KucoinExchange)(
        KucoinCredentials(KEY, SECRET, PASSPHRASE),
        base_url=base_url,
        transport=transport,
        reconcile_delay=0.0,
        read_retry_delay=0.0,
        **options,
    )


def _wrong_key(base_url: str, transport: httpx.AsyncBaseTransport | None, **options: Any) -> Exchange:
    from adapters.kucoin import KucoinCredentials, KucoinExchange

    wrong = KucoinCredentials(KEY, "wrong-secret", PASSPHRASE)
    return KucoinExchange(wrong, base_url=base_url, transport=transport, **options)


def _in_process_app(*, rate_limits: str = "kucoin", small: bool = False) -> Any:
    return _in_process_facade(rate_limits=rate_limits, small=small).app


def _in_process_facade(*, rate_limits: str = "kucoin", small: bool = False) -> Any:
    from exchanges import SystemClock
    from simulator import Venue
    from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade
    from simulator.market import attach_synthetic

    venue = Venue(seed=11, clock=SystemClock())
    attach_synthetic(venue)
    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE)
    account = AccountConfig(uid=1, balances=SIM_BALANCES, keys=(key,))
    config = FacadeConfig(
        accounts=(account,),
        rate_limits=rate_limits,
        rate_limit_window_s=SMALL_WINDOW_S if small else 30.0,
        rate_limit_quotas={"Public": SMALL_PUBLIC_QUOTA} if small else {},
    )
    venue.sync()
    return build_facade(venue, config)


async def _served_in_process(kind: Any = None, **options: Any) -> tuple[Exchange, StreamHooks]:
    """The facade served on a loopback socket in the running loop (WebSocket needs one), the
    adapter on it, and hooks that reach into the facade's WebSocket server directly."""
    from simulator.kucoin.server import serving
    from simulator.kucoin.ws_settings import WsFaults

    facade = _in_process_facade()
    server = serving(facade.app)
    url = await server.__aenter__()
    hub = facade.ws

    async def count() -> int:
        return int(hub.topic_count())

    async def disconnect() -> int:
        return int(hub.disconnect())

    async def skip_sequence(symbol: str) -> int:
        topic = "/market/level2:" + symbol.replace("/", "-")
        reached = 0
        for session in list(hub.sessions.values()):
            if topic in session.topics:
                reached += hub.set_faults(WsFaults(skip_sequence=1), session.id)
        return reached

    async def close() -> None:
        await server.__aexit__(None, None, None)

    hooks = StreamHooks(topic_count=count, disconnect=disconnect, skip_sequence=skip_sequence, close=close)
    return _adapter(url, None, kind=kind, **options), hooks


def _control_hooks(url: str, *, binance: bool = False) -> StreamHooks:
    """Hooks on a served simulator in another process, through its control paths (the
    KuCoin dialect's, or with ``binance`` the Binance dialect's: the same paths, whose
    faults name the symbol whose diff-depth events to lose)."""

    async def state() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.get("/sim/ws")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.post(path, json=body)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    async def count() -> int:
        return int((await state())["topics"])

    async def disconnect() -> int:
        return int((await post("/sim/ws/disconnect", {}))["disconnected"])

    async def skip_sequence(symbol: str) -> int:
        if binance:
            body = {"skip_sequence": 1, "symbol": symbol.replace("/", "")}
            return int((await post("/sim/ws/faults", body))["reached"])
        topic = "/market/level2:" + symbol.replace("/", "-")
        reached = 0
        for connection in (await state())["connections"]:
            if topic in connection["topics"]:
                body = {"connection": connection["id"], "skip_sequence": 1}
                reached += int((await post("/sim/ws/faults", body))["reached"])
        return reached

    return StreamHooks(topic_count=count, disconnect=disconnect, skip_sequence=skip_sequence)


def kucoin_sim(name: str = "kucoin-sim", *, kind: Any = None, **options: Any) -> Target:
    """``KucoinExchange`` -> the facade in-process (httpx's ASGI transport), a fresh venue each
    time. ``kind`` (a subclass of the adapter) and adapter ``options`` open a variant of it,
    as the deliberately broken exchanges of this repository's tests do."""
    url = "http://kucoin-sim.local"
    apps: weakref.WeakKeyDictionary[Exchange, Any] = weakref.WeakKeyDictionary()

    def open_sim() -> Exchange:
        app = _in_process_app()
        exchange = _adapter(url, httpx.ASGITransport(app=app), kind=kind, **options)
        apps[exchange] = app
        return exchange

    def open_second(exchange: Exchange) -> Exchange:
        return _adapter(url, httpx.ASGITransport(app=apps[exchange]), kind=kind, **options)

    def open_bad() -> Exchange:
        return _wrong_key(url, httpx.ASGITransport(app=_in_process_app()))

    def open_limited(limiter: bool) -> Exchange:
        transport = httpx.ASGITransport(app=_in_process_app(small=True))
        return _adapter("http://kucoin-sim-small.local", transport, **_small_pools(limiter))

    def open_faulty(wrap: TransportWrapper) -> tuple[Exchange, Exchange]:
        transport = httpx.ASGITransport(app=_in_process_app(rate_limits="off"))
        faulty = _adapter(url, wrap(transport), kind=kind, **UNLIMITED, **options)
        return faulty, _adapter(url, transport, **UNLIMITED)

    async def open_streaming() -> tuple[Exchange, StreamHooks]:
        return await _served_in_process(kind, **options)

    return Target(
        name=name,
        exchange=open_sim,
        streams=open_streaming,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=SIM_BALANCES,
        bad_credentials=open_bad,
        second_client=open_second,
        rate_limited=open_limited,
        rate_limit_burst=BURST,
        faulty=open_faulty,
        fault_wire=KucoinFaultWire(SECRET),
        fault_attempts=FAULT_ATTEMPTS,
    )


class _ServedSimulator:
    """``python -m simulator serve`` in a subprocess on a free loopback port, once per process."""

    def __init__(self, *extra: str) -> None:
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        if self.process is not None:
            return self.url
        command = [sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", *self.extra]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("listening on "):
                self.process, self.url = process, line.split()[-1]
                atexit.register(self.stop)
                return self.url
        process.kill()
        process.communicate()
        raise RuntimeError("python -m simulator serve did not report a listening address")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.communicate(timeout=10)  # (reaps it and closes its pipe)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()
            self.process = None


_SERVERS: dict[str, _ServedSimulator] = {}


def _served(name: str, *extra: str) -> str:
    server = _SERVERS.setdefault(name, _ServedSimulator(*extra))
    return server.start()


def _small_config() -> str:
    import tempfile

    body = (
        f"rate_limit_window_s = {SMALL_WINDOW_S}\n"
        f"[rate_limit_quotas]\nPublic = {SMALL_PUBLIC_QUOTA}\n"
        f"[[accounts]]\nuid = 1\nbalances = {{ USDT = 1000 }}\n"
        f'[[accounts.keys]]\nkey = "{KEY}"\nsecret = "{SECRET}"\npassphrase = "{PASSPHRASE}"\n'
    )
    handle = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)  # noqa: SIM115 - lives as long as the server
    handle.write(body)
    handle.close()
    atexit.register(os.unlink, handle.name)
    return handle.name


def _main_args() -> tuple[str, ...]:
    balances = [arg for cur, amount in SIM_BALANCES.items() for arg in ("--balance", f"{cur}={amount}")]
    credentials = ("--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE)
    return ("--seed", "13", "--control", *credentials, *balances)


def _kucoin_sim_socket() -> Target:
    """The same adapter through a real socket to ``python -m simulator serve`` (real uvicorn)."""

    def main() -> str:
        return _served("main", *_main_args())

    def open_socket(*_: object) -> Exchange:
        return _adapter(main(), None)

    def open_bad() -> Exchange:
        return _wrong_key(main(), None)

    def open_limited(limiter: bool) -> Exchange:
        url = _served("small", "--config", _small_config())
        return _adapter(url, None, **_small_pools(limiter))

    def open_faulty(wrap: TransportWrapper) -> tuple[Exchange, Exchange]:
        url = _served("faults", *_main_args(), "--rate-limits", "off")
        return _adapter(url, wrap(httpx.AsyncHTTPTransport()), **UNLIMITED), _adapter(url, None, **UNLIMITED)

    async def open_streaming() -> tuple[Exchange, StreamHooks]:
        url = main()
        return _adapter(url, None), _control_hooks(url)

    return Target(
        name="kucoin-sim-socket",
        exchange=open_socket,
        streams=open_streaming,
        second_client=open_socket,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=SIM_BALANCES,
        bad_credentials=open_bad,
        rate_limited=open_limited,
        rate_limit_burst=BURST,
        faulty=open_faulty,
        fault_wire=KucoinFaultWire(SECRET),
        fault_attempts=FAULT_ATTEMPTS,
    )


def _kucoin_sim_classic() -> Target:
    """The adapter's classic ``/api/v1/orders`` endpoints (``hf=False``) against the facade."""
    url = "http://kucoin-sim-classic.local"
    apps: weakref.WeakKeyDictionary[Exchange, Any] = weakref.WeakKeyDictionary()

    def open_classic() -> Exchange:
        app = _in_process_app()
        exchange = _adapter(url, httpx.ASGITransport(app=app), hf=False)
        apps[exchange] = app
        return exchange

    def open_second(exchange: Exchange) -> Exchange:
        return _adapter(url, httpx.ASGITransport(app=apps[exchange]), hf=False)

    def open_faulty(wrap: TransportWrapper) -> tuple[Exchange, Exchange]:
        transport = httpx.ASGITransport(app=_in_process_app(rate_limits="off"))
        options = {"hf": False, **UNLIMITED}
        return _adapter(url, wrap(transport), **options), _adapter(url, transport, **options)

    def open_bad() -> Exchange:
        return _wrong_key(url, httpx.ASGITransport(app=_in_process_app()), hf=False)

    return Target(
        name="kucoin-sim-classic",
        exchange=open_classic,
        second_client=open_second,
        bad_credentials=open_bad,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=SIM_BALANCES,
        faulty=open_faulty,
        fault_wire=KucoinFaultWire(SECRET),
        fault_attempts=FAULT_ATTEMPTS,
        skip_reasons={
            "rate limits": "covered by kucoin-sim (the pools do not depend on the endpoint family)"
        },
    )


# --- the Binance adapter against the simulator's Binance dialect ---------------------------------

BINANCE_KEY, BINANCE_SECRET = "conformance-binance-key", "conformance-binance-secret"
#: A shrunken weight budget that a burst of tickers (2 each, after exchangeInfo's 20) crosses.
BINANCE_SMALL_WEIGHT, BINANCE_BURST = 100, 50


def _binance_adapter(
    base_url: str, transport: httpx.AsyncBaseTransport | None, *, secret: str = BINANCE_SECRET, **options: Any
) -> Exchange:
    binance = importlib.import_module("adapters.binance")  # (built apart from this package)
    exchange: Exchange = binance.BinanceExchange(
        binance.BinanceCredentials(BINANCE_KEY, secret),
        base_url=base_url,
        transport=transport,
        reconcile_delay=0.0,
        read_retry_delay=0.0,
        **options,
    )
    return exchange


def _binance_app(*, rate_limits: str = "binance", weight_limit: int = 6000) -> Any:
    return _binance_facade(rate_limits=rate_limits, weight_limit=weight_limit).app


def _binance_facade(*, rate_limits: str = "binance", weight_limit: int = 6000) -> Any:
    from exchanges import SystemClock
    from simulator.binance import AccountConfig, ApiKey, BinanceConfig, binance_venue, build_facade

    venue = binance_venue(seed=11, clock=SystemClock())
    key = ApiKey(key=BINANCE_KEY, secret=BINANCE_SECRET)
    account = AccountConfig(uid=1, balances=SIM_BALANCES, keys=(key,))
    config = BinanceConfig(
        accounts=(account,), rate_limits=rate_limits, weight_limit=weight_limit, orders_per_10s=100_000
    )
    venue.sync()
    return build_facade(venue, config)


async def _binance_served_in_process(**options: Any) -> tuple[Exchange, StreamHooks]:
    """The Binance dialect served on a loopback socket in the running loop (its streams need
    one), the adapter on it, and hooks that reach into the dialect's WebSocket side."""
    from simulator.binance.protocol import BinanceHttpProtocol
    from simulator.kucoin.server import serving

    facade = _binance_facade()
    server = serving(facade.app, http=BinanceHttpProtocol)
    url = await server.__aenter__()
    ws = facade.ws

    async def count() -> int:
        return int(ws.topic_count())

    async def disconnect() -> int:
        return int(ws.disconnect())

    async def skip_sequence(symbol: str) -> int:
        return int(ws.skip_sequence(1, symbol.replace("/", "")))

    async def close() -> None:
        await server.__aexit__(None, None, None)

    hooks = StreamHooks(topic_count=count, disconnect=disconnect, skip_sequence=skip_sequence, close=close)
    return _binance_adapter(url, None, **options), hooks


def binance_sim(name: str = "binance-sim", **options: Any) -> Target:
    """``BinanceExchange`` -> the Binance dialect in-process (httpx's ASGI transport), a fresh
    venue each time; its streams on the dialect served on a loopback socket in the test's
    loop (WebSockets need one)."""
    url = "http://binance-sim.local"
    apps: weakref.WeakKeyDictionary[Exchange, Any] = weakref.WeakKeyDictionary()

    def open_sim() -> Exchange:
        app = _binance_app()
        exchange = _binance_adapter(url, httpx.ASGITransport(app=app), **options)
        apps[exchange] = app
        return exchange

    def open_second(exchange: Exchange) -> Exchange:
        return _binance_adapter(url, httpx.ASGITransport(app=apps[exchange]), **options)

    def open_bad() -> Exchange:
        return _binance_adapter(url, httpx.ASGITransport(app=_binance_app()), secret="wrong-secret")

    def open_limited(limiter: bool) -> Exchange:
        transport = httpx.ASGITransport(app=_binance_app(weight_limit=BINANCE_SMALL_WEIGHT))
        return _binance_adapter(
            "http://binance-sim-small.local",
            transport,
            rate_limit=limiter,
            weight_per_minute=BINANCE_SMALL_WEIGHT,
        )

    def open_faulty(wrap: TransportWrapper) -> tuple[Exchange, Exchange]:
        transport = httpx.ASGITransport(app=_binance_app(rate_limits="off"))
        faulty = _binance_adapter(url, wrap(transport), rate_limit=False, **options)
        return faulty, _binance_adapter(url, transport, rate_limit=False)

    async def open_streaming() -> tuple[Exchange, StreamHooks]:
        return await _binance_served_in_process(**options)

    return Target(
        name=name,
        exchange=open_sim,
        streams=open_streaming,
        second_client=open_second,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=SIM_BALANCES,
        bad_credentials=open_bad,
        rate_limited=open_limited,
        rate_limit_burst=BINANCE_BURST,
        faulty=open_faulty,
        fault_wire=BinanceFaultWire(),
        fault_attempts=FAULT_ATTEMPTS,
    )


def _binance_args() -> tuple[str, ...]:
    balances = [arg for cur, amount in SIM_BALANCES.items() for arg in ("--balance", f"{cur}={amount}")]
    return (
        "--dialect",
        "binance",
        "--seed",
        "13",
        "--control",
        "--api-key",
        BINANCE_KEY,
        "--api-secret",
        BINANCE_SECRET,
        *balances,
    )


def _binance_sim_socket() -> Target:
    """The same adapter through a real socket to ``python -m simulator serve --dialect binance``."""

    def main() -> str:
        return _served("binance", *_binance_args())

    def open_socket(*_: object) -> Exchange:
        return _binance_adapter(main(), None)

    def open_bad() -> Exchange:
        return _binance_adapter(main(), None, secret="wrong-secret")

    def open_faulty(wrap: TransportWrapper) -> tuple[Exchange, Exchange]:
        url = _served("binance-faults", *_binance_args(), "--rate-limits", "off")
        faulty = _binance_adapter(url, wrap(httpx.AsyncHTTPTransport()), rate_limit=False)
        return faulty, _binance_adapter(url, None, rate_limit=False)

    async def open_streaming() -> tuple[Exchange, StreamHooks]:
        url = main()
        return _binance_adapter(url, None), _control_hooks(url, binance=True)

    return Target(
        name="binance-sim-socket",
        exchange=open_socket,
        streams=open_streaming,
        second_client=open_socket,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=SIM_BALANCES,
        bad_credentials=open_bad,
        faulty=open_faulty,
        fault_wire=BinanceFaultWire(),
        fault_attempts=FAULT_ATTEMPTS,
        skip_reasons={"rate limits": "covered by binance-sim (the same limiter, in process)"},
    )


#: Where the opt-in remote Binance targets trade, and the environment variables of each one's
#: key (a testnet key is not a live one: they never share variables).
_BINANCE_REMOTE = {
    "binance-live": ("https://api.binance.com", "BINANCE_", "real Binance"),
    "binance-testnet": ("https://testnet.binance.vision", "BINANCE_TESTNET_", "Binance's spot testnet"),
}


def _binance_remote(name: str) -> Callable[[], Target]:
    """Real Binance or its testnet, opt-in by a key in the environment (``<PREFIX>API_KEY``
    with ``<PREFIX>API_SECRET`` or ``<PREFIX>PRIVATE_KEY_FILE``): read-only unless
    CONFORMANCE_ALLOW_TRADING=1 (then the minimum size, far from the market, cancelled)."""
    base_url, prefix, where = _BINANCE_REMOTE[name]

    def target() -> Target:
        binance = importlib.import_module("adapters.binance")  # (built apart from this package)
        # the adapter's own variable names, read from this target's
        env = {
            f"BINANCE_{part}": os.environ[prefix + part]
            for part in ("API_KEY", "API_SECRET", "PRIVATE_KEY_FILE", "PRIVATE_KEY_PASSWORD")
            if os.environ.get(prefix + part)
        }
        has_key = "BINANCE_API_KEY" in env and (
            "BINANCE_API_SECRET" in env or "BINANCE_PRIVATE_KEY_FILE" in env
        )

        def open_live(*_: object) -> Exchange:
            exchange: Exchange = binance.BinanceExchange(
                binance.BinanceCredentials.from_env(env), base_url=base_url
            )
            return exchange

        def open_bad() -> Exchange:
            exchange: Exchange = binance.BinanceExchange(
                binance.BinanceCredentials("not-a-key", "not-a-secret"), base_url=base_url
            )
            return exchange

        reasons = {
            "rate limits": "not provoked on the real venue (a 418 would ban this machine's address)",
            "faults": "not injected on the real venue",
        }
        if not has_key:
            reasons["*"] = (
                f"{where} needs {prefix}API_KEY with {prefix}API_SECRET (or {prefix}PRIVATE_KEY_FILE)"
                " in the environment"
            )
        return Target(
            name=name,
            exchange=open_live,
            symbol=os.environ.get("CONFORMANCE_SYMBOL", "BTC/USDT"),
            other_symbol=os.environ.get("CONFORMANCE_OTHER_SYMBOL", "ETH/USDT"),
            trading=os.environ.get("CONFORMANCE_ALLOW_TRADING") == "1",
            bad_credentials=open_bad,
            second_client=open_live,
            state_machine_examples=2,
            skip_reasons=reasons,
        )

    return target


def _binance_adapter_missing() -> str | None:
    """Why the Binance targets cannot run here (``None``: they can)."""
    try:
        importlib.import_module("adapters.binance")
    except ImportError as err:
        return f"the Binance adapter (adapters.binance) is not installed: {err}"
    return None


def _skipped(name: str, reason: str) -> Callable[[], Target]:
    def target() -> Target:
        return Target(name=name, exchange=_no_exchange, symbol="BTC/USDT", skip_reasons={"*": reason})

    return target


def _no_exchange() -> Exchange:
    raise RuntimeError("a skipped target opens no exchange")


TARGETS: dict[str, Callable[[], Target]] = {
    "paper": _paper,
    "kucoin-sim": kucoin_sim,
    "kucoin-sim-classic": _kucoin_sim_classic,
    "kucoin-sim-socket": _kucoin_sim_socket,
    "kucoin-live": _kucoin_live,
}
_MISSING = _binance_adapter_missing()
if _MISSING is None:
    TARGETS["binance-sim"] = binance_sim
    TARGETS["binance-sim-socket"] = _binance_sim_socket
    TARGETS.update({name: _binance_remote(name) for name in _BINANCE_REMOTE})
else:  # (defined all the same, so that a run naming them says why they skip)
    for _name in ("binance-sim", "binance-sim-socket", *_BINANCE_REMOTE):
        TARGETS[_name] = _skipped(_name, _MISSING)


def get_target(name: str) -> Target:
    try:
        factory = TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS) or "none"
        raise KeyError(f"unknown conformance target {name!r}; registered: {known}") from None
    return factory()
