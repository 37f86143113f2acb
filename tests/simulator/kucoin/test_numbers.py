"""Numbers in headers, queries and bodies are read strictly (ASCII digits, KuCoin's spelling);
anything else is KuCoin's 4xx code with a plain message, never a 500 nor a Python repr."""

from __future__ import annotations

import httpx
import pytest

from .helpers import Signer, call

ORDER = {"symbol": "BTC-USDT", "side": "buy", "type": "limit", "price": "60000", "size": "0.001"}

#: Spellings Python's int() or str.isdigit() let through (or crash on) that are not integers.
BAD_INTEGERS = ["--5", "²", "١٢", "1_0", "+1", " 1", "1 ", "0x10", "1e3", "-", "5.0", "１２", "\t7"]
#: Spellings Python's Decimal() takes that are not KuCoin decimals.
BAD_DECIMALS = [
    "1_0000", " 60000", "60000 ", "+60000", "٦٠٠٠٠", "６００００", "NaN", "-Infinity", "6e", ".", "²", "5.",
]  # fmt: skip


@pytest.mark.parametrize("text", BAD_INTEGERS)
async def test_a_malformed_integer_in_the_query_is_400100(client: httpx.AsyncClient, text: str) -> None:
    params = {"symbol": "BTC-USDT", "type": "1min", "startAt": text}
    response = await call(client, "GET", "/api/v1/market/candles", params=params)
    assert (response.status_code, response.json()["code"]) == (200, "400100"), response.text
    assert response.json()["msg"].startswith("startAt is invalid")


@pytest.mark.parametrize("text", ["--5", "²", "١٢", " 3"])
async def test_a_malformed_page_size_of_a_private_list_is_400100(
    client: httpx.AsyncClient, signer: Signer, text: str
) -> None:
    response = await call(client, "GET", "/api/v1/orders", params={"pageSize": text}, signer=signer)
    assert (response.status_code, response.json()["code"]) == (200, "400100"), response.text


@pytest.mark.parametrize("text", BAD_DECIMALS)
async def test_a_malformed_decimal_in_a_body_is_400100(
    client: httpx.AsyncClient, signer: Signer, text: str
) -> None:
    response = await call(client, "POST", "/api/v1/hf/orders", body={**ORDER, "price": text}, signer=signer)
    assert (response.status_code, response.json()["code"]) == (200, "400100"), response.text
    assert response.json()["msg"].startswith("price is invalid")


@pytest.mark.parametrize("text", ["0.5", "60000", "6e4", "6E+4", "-0.5"])
async def test_kucoin_decimal_spellings_are_read(
    client: httpx.AsyncClient, signer: Signer, text: str
) -> None:
    response = await call(client, "POST", "/api/v1/hf/orders", body={**ORDER, "price": text}, signer=signer)
    # Read as a number: the venue's rules (positive, band) decide, not the parser.
    assert not response.json().get("msg", "").startswith("price is invalid"), response.text


@pytest.mark.parametrize(
    "raw",
    [b"\xb2", b"\xb9\xb2\xb3", "¹⁷⁰⁰".encode(), b"--5", b"+1700000000000", b" 1700000000000", b"1_7"],
)
async def test_a_malformed_timestamp_header_is_400002(
    client: httpx.AsyncClient, signer: Signer, raw: bytes
) -> None:
    headers = {k.encode(): v.encode() for k, v in signer.headers("GET", "/api/v1/accounts").items()}
    headers[b"KC-API-TIMESTAMP"] = raw  # superscripts in Latin-1 are digits to str.isdigit()
    response = await client.get("/api/v1/accounts", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "400002"), response.text


@pytest.mark.parametrize(("field", "text"), [("price", "-1"), ("size", "0"), ("price", "-0.5")])
async def test_messages_show_the_number_not_a_python_repr(
    client: httpx.AsyncClient, signer: Signer, field: str, text: str
) -> None:
    response = await call(client, "POST", "/api/v1/hf/orders", body={**ORDER, field: text}, signer=signer)
    payload = response.json()
    assert payload["code"] == "400100"
    assert "Decimal(" not in payload["msg"] and payload["msg"] == f"{field} must be positive: {text}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [([1], "[1]"), ({"a": 1}, '{"a": 1}'), ("a\nb", '"a\\nb"'), (True, "true")],
)
async def test_an_invalid_value_is_shown_as_json_not_as_python(
    client: httpx.AsyncClient, signer: Signer, value: object, shown: str
) -> None:
    response = await call(client, "POST", "/api/v1/hf/orders", body={**ORDER, "size": value}, signer=signer)
    assert response.json() == {"code": "400100", "msg": f"size is invalid: {shown}"}


async def test_an_unknown_account_type_is_quoted_as_json(client: httpx.AsyncClient, signer: Signer) -> None:
    response = await call(client, "GET", "/api/v1/accounts", params={"type": "a\tb"}, signer=signer)
    msg = 'type must be one of main, trade, trade_hf (not "a\\tb")'
    assert response.json() == {"code": "400100", "msg": msg}
