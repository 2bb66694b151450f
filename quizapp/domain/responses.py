"""What the question types trade in: a response read from a form, a checked result, a
refusal of a response that does not fit, and one row of item analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_TEXT = 300


class InvalidResponse(ValueError):
    """The response does not fit the question (wrong type, unknown id, empty...)."""


@dataclass(frozen=True)
class Result:
    correct: bool
    #: Partial credit in [0, 1]; equals 1.0 exactly when ``correct``.
    credit: float


@dataclass(frozen=True)
class ParsedAnswer:
    """An answer read from a form: the response as the API takes it, or an error."""

    response: Any = None
    #: What to put back into the widgets when the answer must be corrected.
    draft: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: (option id, text, is it the key, how many chose it): one row of item analysis.
Tally = tuple[str, str, bool, int]
