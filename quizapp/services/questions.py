"""Stored questions by id, cached per process.

A stored question's payload, type and facts never change: an edit or a regenerated bank
stores a new version under a new id (see ``setup.sync_questions`` and ``teach``). So the hot
paths (showing a question, checking an answer) read them once per process, not per request.
Only the status (active or retired) changes, and it is not cached here. The cache belongs
to one database file: when the SQLite file is replaced under a running app (a restored
backup), the pool reconnects to the new file and the cache starts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Question
from .caching import SharedLRU

#: Per app: a generated bank is a few hundred questions of a few KB each.
_KEY = "quizapp.questions"
#: Questions a worker keeps (every edit stores a new one, so the table only grows).
MAX_CACHED = 5000


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    type: str
    topic: str
    #: The generated question with its key, as stored (``payload["type"]`` is the type).
    #: Shared by every request of this process: read it, never change it.
    payload: dict[str, Any]
    fact_ids: tuple[str, ...]


_COLUMNS = select(Question.id, Question.type, Question.topic, Question.payload,
                  Question.fact_ids)


def stored_question(question_id: int) -> StoredQuestion | None:
    """The question with this id, or None if there is none."""
    # Which file the session's connection has open (see database.install_engine_hooks);
    # None on PostgreSQL.
    database = db.session.connection().info.get("file_id")
    owner, cache = current_app.extensions.get(_KEY, (None, None))
    if cache is None or owner != database:
        cache = SharedLRU(MAX_CACHED)
        current_app.extensions[_KEY] = (database, cache)
    found = cache.get(question_id)
    if found is None:
        row = db.session.execute(_COLUMNS.where(Question.id == question_id)).first()
        if row is None:
            return None
        found = StoredQuestion(row.id, row.type, row.topic, {**row.payload, "type": row.type},
                               tuple(row.fact_ids))
        cache[question_id] = found
    return found
