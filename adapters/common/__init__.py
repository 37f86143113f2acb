"""Venue-neutral pieces the adapters share: reconciling placements whose answers were lost,
HTTP transport failures, and the order stream's memory of what it told."""

from .order_tracker import OrderTracker
from .placing import PlacementGuard, unconfirmed
from .reconcile import Finder, Reconciler

__all__ = ["Finder", "OrderTracker", "PlacementGuard", "Reconciler", "unconfirmed"]
