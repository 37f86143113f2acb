"""Venue-neutral pieces the adapters share: reconciling placements whose answers were lost,
HTTP transport failures, the order stream's memory of what it told, and the streams'
plumbing (sockets that reconnect, topics fanned out to feeds, market and private feeds, a
local book's buffering), each adapter keeping only its wire."""

from .order_tracker import OrderTracker
from .placing import PlacementGuard, unconfirmed
from .reconcile import Finder, Reconciler

__all__ = ["Finder", "OrderTracker", "PlacementGuard", "Reconciler", "unconfirmed"]
