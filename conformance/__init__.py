"""The contract every ``exchanges.Exchange`` keeps, as a pytest plugin.

Adapter authors: define a ``conformance_target`` fixture returning a :class:`Target` in a
conftest, then run ``pytest --pyargs conformance``. See the README's conformance section.
"""

from .faults import Fault, FaultInjectingTransport
from .helpers import AREAS
from .target import StreamHooks, Target, TransportWrapper

__all__ = ["AREAS", "Fault", "FaultInjectingTransport", "StreamHooks", "Target", "TransportWrapper"]
