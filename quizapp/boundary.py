"""What the app lets in and out as text: JSON it can parse safely, Unicode it can encode.

A JSON string may spell a lone UTF-16 surrogate (``"\\ud83d"``): Python decodes it into a
``str`` that no encoder accepts, so it fails later (storing it, or writing the page that
shows it). Nesting deep enough exhausts the parser's recursion. Both are refused here, where
every request body is parsed (``app.json.loads``, also used by ``request.get_json``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response
from flask.json.provider import DefaultJSONProvider

from .errors import invalid

#: Deepest nesting a request body may have; the API's own bodies need far less.
MAX_JSON_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def scrub(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (the replacement character)."""
    return _SURROGATE.sub("\ufffd", text)


def scrub_value(value: Any) -> Any:
    """A JSON value with every string (keys too) scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {scrub_value(k): scrub_value(v) for k, v in value.items()}
    return value


def _refuse_unsafe(data: Any) -> None:
    """Raise a 400 if ``data`` nests too deeply or holds a lone surrogate (no recursion)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if has_surrogate(value):
                raise invalid("The request holds text that is not valid Unicode (a lone "
                              "UTF-16 surrogate such as \\ud83d); send whole characters.")
            continue
        if not isinstance(value, list | dict):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise too_deep()
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            value = value.values()
        stack.extend((v, depth + 1) for v in value)


def too_deep():
    return invalid(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")


def loads(raw: str | bytes) -> Any:
    """Parse JSON from a client: ValueError if it is not JSON, a 400 if it is unsafe."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise too_deep() from None
    _refuse_unsafe(data)
    return data


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies checked by ``loads`` above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return loads(s)


class SafeResponse(Response):
    """A response whose text body is encoded even if it holds a lone surrogate.

    Such text comes only from data stored before input was checked (``quizapp init-db``
    repairs it); the page shows U+FFFD instead of failing. The usual path costs nothing.
    """

    def set_data(self, value: str | bytes) -> None:
        if isinstance(value, str):
            try:
                value = value.encode()
            except UnicodeEncodeError:
                value = scrub(value).encode()
        super().set_data(value)
