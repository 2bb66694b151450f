"""Answer checking: each question type's checker is its class's ``check`` in ``question_types``.

A checker returns a ``Result`` for a well-formed response, right or wrong, and raises
``InvalidResponse`` with a message a person can act on for a malformed one.
"""

from __future__ import annotations

from .question_types import MAX_TEXT, InvalidResponse, Result, check

__all__ = ["MAX_TEXT", "InvalidResponse", "Result", "check"]
