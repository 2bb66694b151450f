"""Student pages for recalling what was missed: "my mistakes" practice and flashcards."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import ServiceError, error_body, invalid
from ..forms import ActionForm
from ..models import utcnow
from ..services import study
from . import display
from .views import bp, start_page, writes

#: Questions in one "my mistakes" quiz (as many as a review).
MISTAKES_COUNT = 20


@bp.route("/mistakes", methods=["GET", "POST"])
@writes
@login_required
def mistakes():
    """Practise the facts your latest answer got wrong, or say there are none."""

    def context() -> dict[str, Any]:
        pool = study.mistake_facts(current_user)
        return {"count": len(pool), "quiz_count": min(len(pool), MISTAKES_COUNT),
                "answered_any": bool(study.latest_answers(current_user))}

    return start_page("mistakes", MISTAKES_COUNT, "study/mistakes.html", context)


@bp.get("/flashcards")
@login_required
def flashcard_topics():
    """Choose a topic to go through as flashcards."""
    return render_template("study/flashcard_topics.html",
                           topics=study.flashcard_topics(current_user))


@bp.get("/flashcards/<topic>")
@login_required
def flashcards(topic: str):
    """A topic's facts as flashcards: question in front, answer and source quote behind."""
    cards = study.flashcards(current_user, topic)
    return render_template("study/flashcards.html", cards=cards, topic=topic,
                           title=study.topic_title(topic), form=ActionForm())


@bp.post("/facts/<fact_id>/flashcard")
@writes
@login_required
def rate_flashcard(fact_id: str):
    """Record "I knew it" or "I didn't" for a fact's flashcard in its review schedule.

    flashcards.js sends it with ``Accept: application/json`` and gets JSON back (errors as
    the API's); a plain form post is redirected to the next card.
    """
    knew = request.form.get("knew")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        if knew not in ("yes", "no"):
            raise invalid("Say whether you knew it.", {"knew": "Use yes or no."})
        due = study.rate_flashcard(current_user, fact_id, knew == "yes")
    except ServiceError as exc:
        if not wants_json:
            raise
        return error_json(exc)
    when = display.due_phrase(due, utcnow())
    message = f"Saved: this fact comes back for review {'now' if when == 'due now' else when}."
    if wants_json:
        return jsonify(due=due.isoformat(timespec="seconds") + "Z", message=message)
    back = request.form.get("topic")
    if isinstance(back, str) and back in dict(study.topic_options(current_user)):
        position = request.form.get("position", "")
        anchor = f"#card-{position}" if position.isdigit() else ""
        return redirect(url_for("study.flashcards", topic=back) + anchor)
    return redirect(url_for("study.flashcard_topics"))


def error_json(exc: ServiceError):
    """A refusal as the API words it (``errors.error_body``)."""
    return jsonify(error_body(exc.code, exc.message, exc.fields)), exc.status
