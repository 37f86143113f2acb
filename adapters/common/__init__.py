"""Venue-neutral pieces the adapters share: reconciling placements whose answers were lost,
HTTP transport failures, the order stream's memory of what it told, and the streams'
plumbing (sockets that reconnect, topics fanned out to feeds, market and private feeds, a
local book's buffering), and the box that keeps credentials out of print, each adapter
keeping only its wire."""

from .hidden import Hidden, refuse_pickle
from .order_tracker import OrderTracker
from .placing import PlacementGuard, unconfirmed
from .reconcile import Finder, Reconciler

__all__ = ["Finder", "Hidden", "OrderTracker", "PlacementGuard", "Reconciler", "refuse_pickle", "unconfirmed"]
