"""What the shared socket code says about a frame or a failed connect."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

from adapters.binance import BinanceOptions
from adapters.common.ws_socket import Reconnect, json_object, quiet_error
from adapters.kucoin import KucoinOptions
from exchanges import ManualClock


def test_only_json_objects_are_frames() -> None:
    assert json_object('{"a": 1}') == {"a": 1}
    assert json_object("[1]") is None
    assert json_object("not json") is None


def test_a_connect_error_is_told_without_its_url() -> None:
    url = URL("wss://ws.example/endpoint?token=SECRET-TOKEN")
    info = aiohttp.RequestInfo(url, "GET", {}, url)  # type: ignore[arg-type]
    error = aiohttp.WSServerHandshakeError(info, (), status=403, message=f"refused {url}")
    assert "SECRET-TOKEN" in str(error)  # (what the library would have said)
    told = quiet_error(error)
    assert told == "WSServerHandshakeError (HTTP 403)"
    assert "SECRET-TOKEN" not in told


@pytest.mark.parametrize(
    "options", [KucoinOptions(ws_backoff_initial=0.25), BinanceOptions(ws_backoff_initial=0.25)]
)
def test_either_adapters_options_give_a_sockets_reconnect(options: KucoinOptions | BinanceOptions) -> None:
    clock = ManualClock()
    reconnect = Reconnect.of(options, aiohttp.ClientSession, clock)
    assert (reconnect.backoff_initial, reconnect.backoff_max) == (0.25, options.ws_backoff_max)
    assert reconnect.connect_timeout == options.timeout and reconnect.clock is clock
