"""The contract every ``exchanges.Exchange`` keeps, as a pytest plugin.

Adapter authors: define a ``conformance_target`` fixture returning a :class:`Target` in a
conftest, then run ``pytest --pyargs conformance``. See the README's conformance section.
"""

from .areas import AREAS
from .faults import Fault, FaultInjectingTransport
from .target import Target, TransportWrapper

__all__ = ["AREAS", "Fault", "FaultInjectingTransport", "Target", "TransportWrapper"]
