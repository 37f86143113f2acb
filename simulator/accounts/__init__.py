"""Accounts: balances with holds, maker/taker fees, the fee collector, and the ledger."""

from simulator.accounts.book import ACCOUNT_TYPES, FEE_COLLECTOR, Account, Accounts, Entry, Row, Wallet

__all__ = ["ACCOUNT_TYPES", "FEE_COLLECTOR", "Account", "Accounts", "Entry", "Row", "Wallet"]
