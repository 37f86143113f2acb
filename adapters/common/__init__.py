"""Venue-neutral pieces the adapters share: reconciling placements whose answers were lost."""

from .placing import PlacementGuard
from .reconcile import Finder, Reconciler

__all__ = ["Finder", "PlacementGuard", "Reconciler"]
