"""Venue adapters, one package per venue (``kucoin``, ``binance``), and ``common`` for the
venue-neutral pieces they share; each implements the ``exchanges`` protocol."""
