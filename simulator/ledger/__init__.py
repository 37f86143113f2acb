"""The ledger: balances with holds, maker/taker fees, the fee collector, and a line for every change."""

from simulator.ledger.accounts import ACCOUNT_TYPES, FEE_COLLECTOR, Account, Accounts, Entry, Row, Wallet

__all__ = ["ACCOUNT_TYPES", "FEE_COLLECTOR", "Account", "Accounts", "Entry", "Row", "Wallet"]
