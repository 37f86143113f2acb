"""No secret in any repr, str, format, traceback, pickle or log line the adapter can produce."""

from __future__ import annotations

import contextlib
import copy
import logging
import pickle
import traceback
from typing import Any

import httpx
import pytest
import respx

from adapters.kucoin import KucoinCredentials, KucoinExchange, KucoinOptions, error_from_response
from adapters.kucoin.errors import CODE_ERRORS
from adapters.kucoin.signing import passphrase_header
from exchanges import AuthenticationError, ExchangeError, OrderRequest, RateLimitRegistry

from .conftest import KEY, PASSPHRASE, SECRET, example, make_exchange, mock_markets, ok

SIGNED_PASSPHRASE = passphrase_header(SECRET.encode(), PASSPHRASE, 2)
SECRETS = (KEY, SECRET, PASSPHRASE, SIGNED_PASSPHRASE, KEY[-12:], SECRET[-12:])


def renderings(obj: object) -> list[str]:
    texts = [repr(obj), str(obj), f"{obj}", f"{obj!r}", format(obj, "")]
    if isinstance(obj, BaseException):
        texts.append("".join(traceback.format_exception(obj)))
        texts.append(repr(obj.args))
    with contextlib.suppress(TypeError, pickle.PicklingError, AttributeError):  # unpicklable: nothing to leak
        texts.append(pickle.dumps(obj).decode("latin-1"))
    return texts


def assert_clean(obj: object) -> None:
    for text in renderings(obj):
        for secret in SECRETS:
            assert secret not in text, (type(obj).__name__, text[:200])


def raised(error: BaseException) -> BaseException:
    """The error with a real traceback attached."""
    try:
        raise error
    except BaseException as caught:
        return caught


def test_credentials_never_print() -> None:
    creds = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    assert_clean(creds)
    assert "fingerprint" in repr(creds)
    assert_clean([creds, {"c": creds}, (creds,)])  # containers print their items with repr
    assert copy.copy(creds) is creds and copy.deepcopy(creds) is creds
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(creds)
    with pytest.raises(TypeError):
        pickle.dumps(creds._key)
    assert not hasattr(creds, "__dict__")


def test_bad_credentials_errors_do_not_echo_values() -> None:
    for args in ((KEY, "", PASSPHRASE), ("", SECRET, PASSPHRASE), (KEY, SECRET, "")):
        with pytest.raises(ValueError, match="must be a non-empty str") as info:
            KucoinCredentials(*args)
        assert_clean(info.value)
    with pytest.raises(ValueError, match="key version") as bad_version:
        KucoinCredentials(KEY, SECRET, PASSPHRASE, key_version=9)
    assert_clean(bad_version.value)


def test_from_env() -> None:
    env = {"KUCOIN_API_KEY": KEY, "KUCOIN_API_SECRET": SECRET, "KUCOIN_API_PASSPHRASE": PASSPHRASE}
    creds = KucoinCredentials.from_env(env)
    assert creds.sign("x") == KucoinCredentials(KEY, SECRET, PASSPHRASE).sign("x")
    assert KucoinCredentials.from_env({**env, "KUCOIN_API_KEY_VERSION": "3"}).key_version == 3
    with pytest.raises(AuthenticationError, match="KUCOIN_API_SECRET") as info:
        KucoinCredentials.from_env({"KUCOIN_API_KEY": KEY, "KUCOIN_API_PASSPHRASE": PASSPHRASE})
    assert_clean(info.value)
    monkey = pytest.MonkeyPatch()
    try:
        for name, value in env.items():
            monkey.setenv(name, value)
        assert KucoinCredentials.from_env().fingerprint == creds.fingerprint
    finally:
        monkey.undo()


def test_every_mapped_error_is_clean() -> None:
    for code in CODE_ERRORS:
        assert_clean(raised(error_from_response(code, "message", 400)))


async def test_a_whole_session_leaks_nothing(router: respx.Router, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mock_markets(router)
    key_info = example("GET", "/api/v1/user/api-key")["data"]
    router.get("/api/v1/user/api-key").mock(return_value=ok(dict(key_info, apiKey=KEY)))
    router.post("/api/v1/hf/orders/sync").mock(
        side_effect=[
            ok(example("POST", "/api/v1/hf/orders/sync")["data"]),
            httpx.Response(200, json={"code": "200004", "msg": "Balance insufficient!"}),
            httpx.ReadTimeout("lost"),
        ]
    )
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/").mock(side_effect=httpx.ConnectError("down"))
    router.get("/api/v1/accounts").mock(
        return_value=httpx.Response(401, json={"code": "400005", "msg": "Invalid KC-API-SIGN"})
    )
    produced: list[Any] = []
    ex = make_exchange(router)
    produced += [ex, ex.client, ex.options, KucoinOptions(), ex.client.pool("Spot"), ex.client.pool("Public")]
    produced.append(await ex.fetch_api_key_info())
    produced += list((await ex.load_markets()).values())
    order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    produced += [order, order.raw]
    for attempt in (
        ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000")),
        ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000")),
        ex.fetch_balances(),
        make_exchange(router, creds=False).fetch_balances(),
    ):
        with pytest.raises(ExchangeError) as info:
            await attempt
        produced.append(info.value)
    await ex.close()
    assert {type(e).__name__ for e in produced if isinstance(e, ExchangeError)} >= {
        "InsufficientFunds",
        "OrderOutcomeUnknown",
        "InvalidSignature",
        "AuthenticationError",
    }
    for obj in produced:
        assert_clean(obj)
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage()
    # the secrets did go on the wire, only there
    sent = router.calls[-1].request if router.calls else None
    assert sent is not None
    assert any(c.request.headers.get("KC-API-KEY") == KEY for c in router.calls)


@pytest.mark.parametrize("key_version", [2, 1])
async def test_a_traceback_printing_locals_shows_no_secret(router: respx.Router, key_version: int) -> None:
    """``pytest -l``, Sentry and ``capture_locals`` print every frame's locals: the signed
    headers live in locals of the frames an error passes through."""
    router.get("/api/v1/accounts").mock(
        return_value=httpx.Response(401, json={"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"})
    )
    router.get("/api/v1/hf/orders/active").mock(side_effect=httpx.ConnectError("down"))
    creds = KucoinCredentials(KEY, SECRET, PASSPHRASE, key_version=key_version)
    transport = httpx.MockTransport(router.async_handler)
    ex = KucoinExchange(creds, transport=transport, registry=RateLimitRegistry(), max_read_retries=0)
    texts = []
    for attempt in (ex.fetch_balances(), ex.fetch_open_orders("BTC/USDT")):
        with pytest.raises(ExchangeError) as info:
            await attempt
        shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
        texts.append("".join(shown.format()))
    await ex.close()
    for text in texts:  # (checked after: this test's own frame, with its locals, is in the tracebacks)
        assert "headers" in text, "the frames and their locals are in the text"
        for secret in (*SECRETS, passphrase_header(SECRET.encode(), PASSPHRASE, 1)):
            assert secret not in text
