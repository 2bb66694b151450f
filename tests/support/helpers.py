"""Constants and small helpers the tests share: import them from here, not from conftest."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from quizapp.domain.question_types import QUESTION_TYPES

#: The checkout's root (seeds/, templates/, tools/, pyproject.toml), wherever a test file sits.
ROOT = Path(__file__).resolve().parents[2]

# Cheap hashes in tests: the suite checks behaviour, the benchmark measures the real cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
#: The seed commentary, for tests that paste or upload a commentary.
COMMENTARY = (ROOT / "seeds" / "nato-japan-commentary.txt").read_text(encoding="utf-8")


def basic_auth(username: str, password: str = PASSWORD) -> dict[str, str]:
    """HTTP Basic headers for ``username`` (for ``POST /api/v1/tokens``)."""
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def valid_response(question: dict[str, Any]) -> Any:
    """Some well-formed answer to ``question`` (right or wrong does not matter here)."""
    return QUESTION_TYPES[question["type"]].example(question)


def answer_form(payload: dict, right: bool = True) -> dict:
    """The form data ``_question.html`` posts for a right (or a wrong) answer."""
    kind, key = payload["type"], payload["answer"]
    if kind == "mcq":
        wrong = next(c["id"] for c in payload["choices"] if c["id"] != key)
        return {"response": key if right else wrong}
    if kind == "multi":
        others = [c["id"] for c in payload["choices"] if c["id"] not in key]
        return {"response": key if right else others[:1]}
    if kind == "true_false":
        return {"response": "true" if key == right else "false"}
    if kind == "short":
        return {"response": key if right else "Atlantis"}
    if kind == "ordering":
        order = key if right else list(reversed(key))
        return {f"response-{item}": str(n) for n, item in enumerate(order, 1)}
    pairs = dict(key)
    if not right:
        lefts = list(pairs)
        pairs[lefts[0]], pairs[lefts[1]] = pairs[lefts[1]], pairs[lefts[0]]
    return {f"response-{left}": right_id for left, right_id in pairs.items()}


def wrong_response(payload: dict[str, Any]) -> Any:
    """A well-formed response to the question ``payload`` that is wrong."""
    kind = payload["type"]
    if kind == "mcq":
        return next(c["id"] for c in payload["choices"] if c["id"] != payload["answer"])
    if kind == "multi":
        return [next(c["id"] for c in payload["choices"] if c["id"] not in payload["answer"])]
    if kind == "true_false":
        return not payload["answer"]
    if kind == "short":
        return "definitely not it"
    if kind == "ordering":
        return list(reversed(payload["answer"]))
    rights = list(payload["answer"].values())  # every pair wrong: each left gets the next right
    return dict(zip(payload["answer"], rights[1:] + rights[:1], strict=True))


def assert_handled(response: Any) -> None:
    """A request was served or refused as the API promises: never a 500, and a refusal
    under /api/ carries ``{"error": {"code", "message"}}`` (405 from the router aside)."""
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (response.request.path, text[:300])
    if response.status_code >= 400 and response.request.path.startswith("/api/") \
            and response.status_code != 405:
        assert {"code", "message"} <= set(response.get_json()["error"]), text[:300]


def key_for(app, question_id: int) -> dict[str, Any]:
    """The stored payload (with its key) of question ``question_id``."""
    from quizapp.extensions import db
    from quizapp.models import Question

    with app.app_context():
        return db.session.get(Question, question_id).payload


def body_schema(spec: dict, operation: dict) -> dict:
    """The JSON schema of an openapi.json operation's request body, its $ref followed."""
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema
