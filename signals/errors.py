"""A request the bridge turns down, with the HTTP status and JSON body it answers with."""

from __future__ import annotations

from typing import Any

from exchanges import ExchangeError

__all__ = ["Refusal", "venue_error"]


class Refusal(Exception):
    """``status`` and a machine-readable ``code``; ``field`` names the offending field of a
    signal; ``retry_after`` (seconds) goes into a 429's header."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        retry_after: float | None = None,
        venue: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after
        self.venue = venue

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.venue is not None:
            error["venue"] = self.venue
        return {"error": error}


def venue_error(err: ExchangeError) -> dict[str, Any]:
    """What the venue said, as JSON: its name, code, message and the error's kind. An
    ``ExchangeError`` never holds a secret, so all of it can go back to the sender."""
    return {
        "venue": err.venue,
        "code": err.code,
        "message": err.message,
        "type": type(err).__name__,
        "retryable": err.retryable,
    }
