"""What a venue's local book did with an update or a snapshot: the words the book feed and
each venue's sequence rules share."""

__all__ = ["APPLIED", "BUFFERED", "GAP", "STALE"]

APPLIED = 0
BUFFERED = 1
STALE = 2
GAP = 3
