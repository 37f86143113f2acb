"""Account: balances, accounts, ledgers, fees, API key information, the HF flag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from exchanges import ApiKeyInfo, Balance

from .client import KucoinClient
from .models import Account, LedgerEntry, TradeFee
from .options import KucoinOptions
from .paging import CLOCK_ERROR_MS, cursor, pages, unique, windows
from .parsing import (
    parse_account,
    parse_api_key_info,
    parse_balances,
    parse_ledger_entry,
    parse_trade_fee,
    to_native,
)
from .routes import ACCOUNT, ACCOUNTS, API_KEY, BASE_FEE, HF_LEDGERS, HF_OPENED, LEDGERS, TRADE_FEES

__all__ = ["AccountData"]

_TRADE_FEE_SYMBOLS = 10


class AccountData:
    """The account half of ``KucoinExchange``."""

    _client: KucoinClient
    options: KucoinOptions

    async def fetch_balances(self) -> dict[str, Balance]:
        """The spot (``trade``) account's balances by currency."""
        rows = await self._client.call(ACCOUNTS, ACCOUNTS.path, query={"type": "trade"})
        return parse_balances(rows or ())

    async def fetch_accounts(self, currency: str | None = None, type: str | None = None) -> list[Account]:
        rows = await self._client.call(ACCOUNTS, ACCOUNTS.path, query={"currency": currency, "type": type})
        return [parse_account(row) for row in rows or ()]

    async def fetch_account(self, account_id: str) -> Account:
        data = await self._client.call(ACCOUNT, f"/api/v1/accounts/{account_id}")
        return parse_account(data, account_id)

    async def fetch_ledgers(
        self,
        currency: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
        direction: str | None = None,
        biz_type: str | None = None,
        hf: bool | None = None,
    ) -> list[LedgerEntry]:
        """Account ledger entries, newest first: the HF (trade_hf) ledger by cursor, or the
        classic all-accounts ledger by page. Long ranges are split into KuCoin's windows."""
        use_hf = self.options.hf if hf is None else hf
        base = {"currency": currency, "direction": direction, "bizType": biz_type}
        rows: list[Mapping[str, Any]] = []
        latest = self._client.now_ms() + CLOCK_ERROR_MS
        for lo, hi in windows(start, end, self.options.max_window_ms, latest):
            want = None if limit is None else limit - len(rows)
            query = {**base, "startAt": lo, "endAt": hi}
            if use_hf:
                rows += await cursor(self._client, HF_LEDGERS, HF_LEDGERS.path, query, want, 200)
            else:
                rows += await pages(self._client, LEDGERS, LEDGERS.path, query, want)
            if limit is not None and len(rows) >= limit:
                break
        entries = unique((parse_ledger_entry(r) for r in rows), lambda e: e.id)
        entries.sort(key=lambda e: e.timestamp, reverse=True)
        return entries[:limit] if limit is not None else entries

    async def fetch_trade_fees(self, symbols: Sequence[str]) -> dict[str, TradeFee]:
        """Actual maker/taker rates for the account (KuCoin takes 10 symbols per call)."""
        natives = [to_native(s) for s in symbols]
        out: dict[str, TradeFee] = {}
        for i in range(0, len(natives), _TRADE_FEE_SYMBOLS):
            chunk = ",".join(natives[i : i + _TRADE_FEE_SYMBOLS])
            rows = await self._client.call(TRADE_FEES, TRADE_FEES.path, query={"symbols": chunk})
            for row in rows or ():
                fee = parse_trade_fee(row)
                out[fee.symbol] = fee
        return out

    async def fetch_base_fee(self) -> TradeFee:
        data = await self._client.call(BASE_FEE, BASE_FEE.path)
        return TradeFee(
            symbol="",
            maker_fee_rate=Decimal(data["makerFeeRate"]),
            taker_fee_rate=Decimal(data["takerFeeRate"]),
            raw=data,
        )

    async def fetch_api_key_info(self) -> ApiKeyInfo:
        """Permissions (KuCoin's names and what they grant), IP whitelist, creation time and
        version of the key in use."""
        return parse_api_key_info(await self._client.call(API_KEY, API_KEY.path))

    async def fetch_hf_account_opened(self) -> bool:
        """Whether the account trades on KuCoin's HF ("Pro") engine."""
        return bool(await self._client.call(HF_OPENED, HF_OPENED.path))
