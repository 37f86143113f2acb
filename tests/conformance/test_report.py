"""The report's runs of one target, clean and broken by mutants, side by side."""

from __future__ import annotations

from conformance.report import Collector, Outcome, Run


def test_a_clean_run_and_its_mutants_report_together_clean_first() -> None:
    collector = Collector()
    for run in (Run("paper", "stale_ticker"), Run("paper"), Run("paper", "unsorted_book")):
        collector.runs[run] = {"t": Outcome("t", "test_ticker", "market data", "passed", "")}
    document = collector.document(seed=1, depth=1)
    assert [r["mutant"] for r in document["runs"]] == [None, "stale_ticker", "unsorted_book"]
    assert "conformance of paper" in collector.summary_lines()
