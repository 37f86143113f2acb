"""KuCoin's kline types: the ``type`` of ``GET /api/v1/market/candles`` and the suffix of a
``/market/candles:{symbol}_{type}`` topic."""

__all__ = ["KLINE_TYPES"]

KLINE_TYPES = (
    "1min", "3min", "5min", "15min", "30min", "1hour", "2hour", "4hour", "6hour", "8hour", "12hour",
    "1day", "1week", "1month",
)  # fmt: skip
