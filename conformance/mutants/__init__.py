"""The mutant catalogue: deliberately broken exchanges, each a realistic adapter bug, and
the contract tests that must catch it.

A mutant wraps any ``Exchange`` and breaks one promise of it. ``--conformance-mutant NAME``
(or ``all``) runs the suite on the target broken so; ``python -m conformance mutants`` runs
every mutant and prints the score: how many the suite catches in the tests named for them.
"""

from __future__ import annotations

from .catalogue import MUTANTS, Mutant, break_target

__all__ = ["MUTANTS", "Mutant", "break_target"]
