"""Student pages: dashboard, practice and review quizzes, results, progress, the source."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from ..database import begin_write
from ..domain.generator import public_view
from ..domain.passages import annotate
from ..domain.question_types import QUESTION_TYPES
from ..domain.selection import short_quiz_note
from ..domain.text import plural
from ..errors import ServiceError, not_found
from ..extensions import db
from ..forms import ActionForm
from ..models import Attempt, AttemptQuestion, utcnow
from ..services import decks, printing, study
from ..services.questions import StoredQuestion, stored_question
from ..transactions import refused
from . import display, sheets
from .forms import NewQuizForm, new_start_key, parse_response, start_key

bp = Blueprint("study", __name__)
# Start forms carry a fresh random key, so sending one twice starts one attempt.
bp.add_app_template_global(new_start_key, "new_start_key")
# Every POST here is checked for its CSRF token by CSRFProtect (see create_app); the forms
# below only render the token.


def writes(view: Callable) -> Callable:
    """Begin a POST's transaction as a write before anything (the login too) is read.

    On SQLite this takes the write lock first instead of upgrading a read transaction
    half-way, which would mean a rollback and reading the user again.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if request.method == "POST":
            begin_write(db.session)
        return view(*args, **kwargs)

    return wrapped


@bp.app_template_filter("due_phrase")
def _due_phrase(due: datetime | None) -> str:
    return display.due_phrase(due, utcnow())


@bp.app_template_filter("ago_phrase")
def _ago_phrase(moment: datetime | None) -> str:
    return display.ago_phrase(moment, utcnow())


@bp.app_template_filter("score_text")
def _score_text(value: float | None) -> str:
    return display.number_text(value)


bp.add_app_template_filter(plural, "plural")


@bp.app_template_filter("utc_text")
def _utc_text(moment: datetime | None) -> str:
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC" if moment else ""


@bp.app_template_filter("iso_utc")
def _iso_utc(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


@bp.get("/")
def index():
    """Send visitors to their home (an instructor's is the teaching dashboard), or to log in."""
    if current_user.is_authenticated:
        return redirect(url_for("teach.index" if current_user.is_instructor
                                else "study.dashboard"))
    return render_template("study/welcome.html")


def _assignments_for(user) -> list[dict[str, Any]]:
    # services.teach belongs to the instructor team; the dashboard works without it.
    try:
        from ..services import teach
    except ImportError:
        return []
    listing = getattr(teach, "assignments_for_student", None)
    rows = []
    for row in (listing(user) if listing else []):
        row = dict(row) if isinstance(row, dict) else {"id": row.id, "title": row.title,
                                                       "due_at": row.due_at}
        due = row.get("due_at")
        if isinstance(due, str):
            try:
                due = datetime.fromisoformat(due.removesuffix("Z"))
            except ValueError:
                due = None
        row["due"] = due
        rows.append(row)
    return rows


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon to clients that ask for /favicon.ico without reading the page's link."""
    return send_from_directory(current_app.static_folder, "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)


@bp.get("/dashboard")
@login_required
def dashboard():
    """Show the learner's progress and what to do next."""
    summary = study.progress_summary(current_user)
    mastery = study.topic_mastery(current_user)
    chart = display.bar_chart([(m["title"], m["share"], f"{display.percent(m['share'], 1)}%")
                               for m in mastery])
    trend = study.accuracy_trend(current_user)
    history = study.attempt_history(current_user)
    return render_template(
        "study/dashboard.html", summary=summary, mastery=mastery, chart=chart,
        history=history, hidden_scores={a.id for a in history if not study.keys_visible(a)},
        trend=trend, spark=display.sparkline(trend) if trend else None,
        open_attempts=study.unfinished_attempts(current_user),
        review=study.review_status(current_user),
        next_due=study.next_due_at(current_user) if not summary["due_count"] else None,
        assignments=_assignments_for(current_user), form=ActionForm(),
        start_assignment=current_app.view_functions.get("teach.start_assignment") is not None,
        mastery_definition=study.MASTERY_DEFINITION, mode_labels=display.MODE_LABELS)


@bp.route("/quiz/new", methods=["GET", "POST"])
@writes
@login_required
def new_quiz():
    """Choose length, topics and question forms, then start a practice quiz."""
    form = NewQuizForm()
    if form.validate_on_submit():
        try:
            attempt = study.start_attempt(current_user, count=form.count,
                                          types=form.types.data or None,
                                          topics=form.topics.data or None,
                                          start_key=start_key(request.form))
        except ServiceError as exc:
            refused(exc, form, {"count": "other_length"}, form.topics)
        else:
            if attempt.max_score < form.count:
                narrowed = form.topics.leaves_out() or form.types.leaves_out()
                flash(short_quiz_note(attempt.max_score, form.count, narrowed), "info")
            return redirect(url_for("study.attempt", attempt_id=attempt.id))
    status = 400 if form.errors else 200
    return render_template("study/new_quiz.html", form=form), status


def _numbered_item(attempt: Attempt, number: int) -> AttemptQuestion:
    if not 1 <= number <= len(attempt.items):
        raise ServiceError(404, "not_found", "That question is not part of this quiz.")
    return attempt.items[number - 1]


def _question_context(outline_or_attempt: Any, number: int, total: int, answered: int,
                      question: StoredQuestion, next_number: int | None) -> dict[str, Any]:
    """What question.html needs for a question, answered or not."""
    attempt, now = outline_or_attempt, utcnow()
    return {
        "attempt": attempt, "number": number, "total": total, "answered": answered,
        "question": {**public_view(question.payload), "id": question.id},
        "topic_title": study.topic_title(question.topic),
        "type_label": QUESTION_TYPES[question.type].student_label,
        "time_up": attempt.deadline is not None and now > attempt.deadline,
        "seconds_left": int((attempt.deadline - now).total_seconds())
        if attempt.deadline is not None else None,
        "mode_label": display.MODE_LABELS[attempt.mode.value],
        # The page's forms need only the CSRF token; the template writes it (no FlaskForm:
        # building and rendering two cost a fifth of the page).
        "next_number": next_number,
        "draft": None, "error": None, "answer": None,
    }


def _render_question(attempt: Attempt, item: AttemptQuestion, *, draft: Any = None,
                     error: str | None = None, status: int = 200):
    answers = {r.question_id: r for r in attempt.answers}
    answer = answers.get(item.question_id)
    question = stored_question(item.question_id)
    payload = question.payload
    context = _question_context(
        attempt, attempt.items.index(item) + 1, len(attempt.items), len(answers), question,
        _next_unanswered_number(attempt, answers))
    context.update(item=item, draft=draft, error=error, answer=answer)
    if answer is not None:
        feedback = study.feedback_for(attempt, item.question, answer)
        context.update(feedback=feedback, key=payload["answer"] if feedback.revealed else None,
                       your_answer=display.response_text(payload, answer.response))
        if feedback.revealed:
            context["passages"] = study.source_passages(payload["source"])
            if QUESTION_TYPES[payload["type"]].corrected_by_facts(payload):
                statements = study.true_statements(item.question)
                explanation = payload.get("explanation", "")
                for sentence in statements:
                    explanation = explanation.replace(sentence, "", 1).strip()
                context.update(true_statements=statements, explanation=explanation)
    return render_template("study/question.html", **context), status


def _next_unanswered_number(attempt: Attempt, answers: dict) -> int | None:
    return next((n for n, i in enumerate(attempt.items, 1) if i.question_id not in answers),
                None)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    """Show the first unanswered question, so a quiz resumes where it stopped.

    The page of every question a learner is about to answer: built from one query for the
    attempt's outline and the cached question, not from the attempt's ORM objects.
    """
    outline = study.attempt_outline(current_user, attempt_id)
    if outline.finished:
        return redirect(url_for("study.result", attempt_id=attempt_id))
    number = outline.next_unanswered_number()
    if number is None:
        return render_template("study/finish.html", form=ActionForm(),
                               attempt=study.get_attempt(current_user, attempt_id))
    question = stored_question(outline.question_ids[number - 1])
    return render_template("study/question.html", **_question_context(
        outline, number, len(outline.question_ids), len(outline.answered), question, number))


@bp.get("/attempts/<int:attempt_id>/questions/<int:number>")
@login_required
def question(attempt_id: int, number: int):
    """Show one question of an attempt: its form, or its feedback once answered."""
    attempt = study.get_attempt(current_user, attempt_id)
    return _render_question(attempt, _numbered_item(attempt, number))


@bp.post("/attempts/<int:attempt_id>/questions/<int:number>")
@writes
@login_required
def answer(attempt_id: int, number: int):
    """Record the answer to one question, then show its feedback.

    The same use case as the API's answer (``study.store_answer``): one query finds the
    question by its number under the write lock; no ORM objects unless the form is shown
    again.
    """
    target = study.answer_target(current_user, attempt_id, number=number)
    parsed = parse_response(target.question.payload, request.form)
    if not parsed.ok:
        return _render_again(attempt_id, number, parsed.draft, parsed.error)
    try:
        study.store_answer(current_user, target, parsed.response)
    except ServiceError as exc:
        refused(exc)
        if exc.status == 400:
            return _render_again(attempt_id, number, parsed.draft, exc.message)
        if exc.status != 409:
            raise
        flash(exc.message, "warning")
        if target.finished:
            return redirect(url_for("study.result", attempt_id=attempt_id))
    here = url_for("study.question", attempt_id=attempt_id, number=number)
    return redirect(here + "#feedback-heading")


def _render_again(attempt_id: int, number: int, draft: Any, error: str | None):
    """The question with the learner's draft and what is wrong with it (400)."""
    attempt = study.get_attempt(current_user, attempt_id)
    return _render_question(attempt, _numbered_item(attempt, number), draft=draft,
                            error=error, status=400)


@bp.post("/attempts/<int:attempt_id>/finish")
@writes
@login_required
def finish(attempt_id: int):
    """Finish an attempt (again is harmless) and show its result."""
    study.finish_attempt(current_user, attempt_id)
    return redirect(url_for("study.result", attempt_id=attempt_id))


def _result_rows(attempt: Attempt, visible: bool) -> list[dict[str, Any]]:
    answers = {r.question_id: r for r in attempt.answers}
    rows = []
    for number, item in enumerate(attempt.items, 1):
        payload = item.question.payload
        answer = answers.get(item.question_id)
        rows.append({
            "number": number, "prompt": payload["prompt"], "type": payload["type"],
            "answered": answer is not None,
            "your_answer": display.response_text(payload, answer.response)
            if answer is not None else None,
            "correct": bool(answer and answer.correct),
            "credit": answer.credit if answer is not None else 0.0,
            "answer_text": payload["answer_text"] if visible else None,
            "quotes": [q for q in payload["source"].get("quotes")
                       or [payload["source"]["quote"]] if q] if visible else [],
            "fact_id": payload["fact_ids"][0] if payload["fact_ids"] else None,
        })
    return rows


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """Show the score and every question with your answer, the key and its source."""
    attempt = study.get_attempt(current_user, attempt_id)
    if not attempt.finished:
        flash("Finish the quiz to see your result.", "info")
        return redirect(url_for("study.attempt", attempt_id=attempt.id))
    visible = study.keys_visible(attempt)
    due_count = study.progress_summary(current_user)["due_count"]
    return render_template("study/result.html", attempt=attempt, visible=visible,
                           rows=_result_rows(attempt, visible), due_count=due_count,
                           percent=display.percent(attempt.score, attempt.max_score),
                           form=ActionForm(), mode_labels=display.MODE_LABELS)


@bp.route("/review", methods=["GET", "POST"])
@writes
@login_required
def review():
    """Start a review of the facts that are due, or say when the next one will be."""
    return start_page("review", 20, "study/review.html", lambda: {
        "review": study.review_status(current_user), "next_due": study.next_due_at(current_user),
        "seen_any": bool(study.progress_summary(current_user)["facts"])})


def start_page(mode: str, count: int, template: str, context: Callable[[], dict[str, Any]]):
    """A page whose one button starts a ``mode`` quiz of ``count`` questions; a 409 (none
    to ask) shows the page again, which says why. ``context``: the template's values."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            attempt = study.start_attempt(current_user, count=count, mode=mode,
                                          start_key=start_key(request.form))
        except ServiceError as exc:
            refused(exc)
            if exc.status != 409:
                raise
        else:
            return redirect(url_for("study.attempt", attempt_id=attempt.id))
    return render_template(template, form=form, **context())


@bp.post("/facts/<fact_id>/practice")
@writes
@login_required
def practise_fact(fact_id: str):
    """Start a short quiz (up to 3 questions) on one fact."""
    attempt = study.start_fact_practice(current_user, fact_id,
                                        start_key=start_key(request.form))
    return redirect(url_for("study.attempt", attempt_id=attempt.id))


@bp.get("/source")
@login_required
def source():
    """Read the commentary with every fact's quote highlighted, ready to practise."""
    commentaries = study.readable_commentaries(current_user)
    slug = request.args.get("document")
    commentary = next((c for c in commentaries if c.slug == slug), None) if slug else \
        (commentaries[0] if commentaries else None)
    if commentary is None:
        raise not_found("That commentary")
    facts = study.facts_of(commentary)
    blocks = annotate(commentary.text, {f.id: f.quote for f in facts})
    numbers: dict[str, int] = {}
    for block in blocks:
        for key in block.keys:
            numbers[key] = len(numbers) + 1
    mastery = {row["fact_id"]: row["mastery"] for row in study.fact_progress(current_user)}
    return render_template("study/source.html", document=commentary, documents=commentaries,
                           blocks=blocks, facts={f.id: f for f in facts}, numbers=numbers,
                           mastery=mastery, form=ActionForm())


@bp.get("/progress")
@login_required
def progress():
    """Facts by topic with what you know of each and when it is due; filter by topic, status."""
    topics = study.topic_options(current_user)
    topic = request.args.get("topic") or None
    if topic not in dict(topics):
        topic = None
    status = request.args.get("status") or None
    if status not in display.PROGRESS_FILTERS:
        status = None
    rows = study.fact_progress(current_user, topic)
    summary = study.progress_summary(current_user)
    groups = display.progress_groups(rows, topics, status, utcnow())
    return render_template("study/progress.html", rows=rows, topics=topics, topic=topic,
                           status=status, groups=groups, summary=summary,
                           mastery_definition=study.MASTERY_DEFINITION)


# ------------------------------------------------------------ Anki decks and printed quizzes

@bp.get("/decks/missed.apkg")
@login_required
def missed_deck():
    """Download the facts you missed last time as an Anki deck."""
    return sheets.send_deck(decks.missed_deck(current_user))


@bp.get("/decks/topics/<topic>.apkg")
@login_required
def topic_deck(topic: str):
    """Download every fact of a topic you may practise as an Anki deck."""
    return sheets.send_deck(decks.topic_deck(current_user, topic))


@bp.get("/decks/commentaries/<slug>.apkg")
@login_required
def commentary_deck(slug: str):
    """Download every fact of a commentary you may read as an Anki deck."""
    return sheets.send_deck(decks.commentary_deck(current_user, slug))


@bp.route("/print/practice", methods=["GET", "POST"])
@login_required
def print_practice():
    """Print a practice quiz: the questions the online quiz with that seed asks, then the key.

    The new-quiz form posts here to choose a seed; the printable page is a GET of it.
    """
    if request.method == "POST":
        form = NewQuizForm()
        if not form.validate_on_submit():
            return render_template("study/new_quiz.html", form=form), 400
        return redirect(url_for("study.print_practice", count=form.count,
                                topics=form.topics.data or [], types=form.types.data or [],
                                seed=random.SystemRandom().randrange(2**31)))
    paper = printing.paper_size(request.args.get("paper"))
    seed = printing.parse_seed(request.args.get("seed"))
    if seed is None:
        args = request.args.to_dict(flat=False)
        args["seed"] = random.SystemRandom().randrange(2**31)
        return redirect(url_for("study.print_practice", **args))
    sheet = printing.practice_sheet(
        current_user, seed=seed, count=printing.parse_count(request.args.get("count")),
        types=request.args.getlist("types"), topics=request.args.getlist("topics"))
    return sheets.render_sheet(sheet, paper, url_for("study.new_quiz"), "New practice quiz")
