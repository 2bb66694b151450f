"""What the security tests share: a world of owned objects, the people who try to reach
them, and one table of every route that takes an object id (the IDOR matrix).

The world is built through the services (fast); the people call the app over HTTP.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from quizapp.domain.question_types import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import (
    Enrollment,
    Fact,
    FactStatus,
    Question,
    QuestionStatus,
    Role,
    User,
    utcnow,
)
from quizapp.services import accounts, live, teach

from support.helpers import COMMENTARY, PASSWORD

#: Written into everything the owners create; a refusal must never show it to anyone else.
SECRET = "OWNERSECRET"
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# ----------------------------------------------------------------------------- the world

@dataclass
class World:
    """Ids of what the owners made, and the secrets (tokens) they hold."""

    app: Flask
    ids: dict[str, Any] = field(default_factory=dict)
    bearer: dict[str, str] = field(default_factory=dict)
    player_token: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None

    def payload(self, question_id: int) -> dict[str, Any]:
        with self.app.app_context():
            return db.session.get(Question, question_id).payload

    def url(self, endpoint: str, **args: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **args)


def _user(username: str, role: str) -> User:
    user = accounts.create_user(username, PASSWORD, Role(role))
    db.session.flush()
    return user


def build_world(app: Flask) -> World:
    """An instructor's class, commentary, assignment and warm-up (with a player); the
    owner student's attempt and flag in that class; a classmate, a student to remove, a
    student outside the class, and another instructor with a warm-up of his own that the
    classmate plays in."""
    w = World(app)
    with app.app_context():
        # Each use case takes the write lock itself (begin_write), so commit after each.
        s1, s2, s3, s4 = (_user(n, "student") for n in (
            "owner_student", "classmate", "leaving_student", "outsider"))
        i1, i2 = (_user(n, "instructor") for n in ("owner_prof", "other_prof"))
        w.bearer = {u.username: accounts.issue_token(u) for u in (s1, s2, s4, i1, i2)}
        db.session.commit()
        course = teach.create_course(i1, f"Seminar {SECRET}")
        for s in (s1, s2, s3):
            db.session.add(Enrollment(course_id=course.id, user_id=s.id, role=Role.STUDENT))
        db.session.commit()
        doc = teach.create_commentary(i1, f"Commentary {SECRET}", COMMENTARY)
        db.session.commit()
        facts = db.session.scalars(select(Fact).where(Fact.document_id == doc.id)
                                   .order_by(Fact.position)).all()
        years = [f.id for f in facts if f.kind == "year"]
        approved, _problems = teach.set_fact_status(i1, doc.id, years, "approved")
        db.session.commit()
        assert approved, "no year fact of the commentary could be approved"
        candidate = next(f.id for f in facts if f.status is FactStatus.CANDIDATE)
        questions = db.session.scalars(select(Question).where(
            Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE)
            .order_by(Question.id)).all()
        picked = [q for q in questions if q.type == "mcq"][:1] + \
            [q for q in questions if q.type == "short"][:1] + \
            [q for q in questions if q.type == "true_false"][:1]
        assignment = teach.create_assignment(
            i1, course.id, title=f"Week {SECRET}", question_ids=[q.id for q in picked],
            due_at="2099-01-01T12:00:00Z", max_attempts=3)
        db.session.commit()
        attempt = teach.start_assignment_attempt(s1, assignment.id)
        db.session.commit()
        own = teach.create_question(i1, {"type": "mcq", "topic": doc.slug,
                                         "prompt": f"Written by hand {SECRET}?",
                                         "right": ["yes"], "wrong": ["no", "maybe"]})
        db.session.commit()
        teach.flag_question(s1, picked[0].id, f"Typo here {SECRET}")
        db.session.commit()
        game = live.create_game(i1, count=3, seconds_per_question=120)
        db.session.commit()
        other_game = live.create_game(i2, count=3, seconds_per_question=120)
        db.session.commit()
        player, t1 = live.join(game.pin, f"p{SECRET}")
        db.session.commit()
        _other_player, t2 = live.join(other_game.pin, "other", user_id=s2.id)
        db.session.commit()
        live.advance(i1, utcnow(), game_id=game.id)
        db.session.commit()
        qset = live.save_set(i1, f"Set {SECRET}", [game.question_ids[0]])
        qset2 = live.save_set(i1, f"Other set {SECRET}", [game.question_ids[0]])
        db.session.commit()
        w.ids = dict(
            s1=s1.id, s2=s2.id, s3=s3.id, i1=i1.id, i2=i2.id, course=course.id,
            join_code=course.join_code, doc=doc.id, doc_slug=doc.slug,
            approved_fact=approved[0], candidate_fact=candidate, question=picked[0].id,
            assignment=assignment.id, attempt=attempt.id, game=game.id, pin=game.pin,
            other_game=other_game.id, other_pin=other_game.pin, player=player.id,
            live_question=game.question_ids[0], own_question=own.id, qset=qset.id,
            qset2=qset2.id)
        w.player_token = {"owner": t1, "other": t2}
        live.publish(game.pin)
        live.publish(other_game.pin)
    return w


def unused_pin(w: World) -> str:
    """A PIN no game has (guessing one must find nothing)."""
    pin = int(w.pin)
    while str(pin) in (w.pin, w.other_pin):
        pin = 100000 + (pin + 7919) % 900000
    return str(pin)


# ----------------------------------------------------------------------------- answers

def api_answer(payload: dict[str, Any]) -> Any:
    """A well-formed (right) response to a question, as the API takes it."""
    return payload["answer"]


def form_answer(payload: dict[str, Any], name: str = "response") -> dict[str, Any]:
    """The same response as the HTML question form posts it."""
    kind, answer = payload["type"], payload["answer"]
    if kind == "true_false":
        return {name: "true" if answer else "false"}
    if kind == "ordering":
        return {f"{name}-{item}": str(i) for i, item in enumerate(answer, 1)}
    if kind == "matching":
        return {f"{name}-{left}": right for left, right in answer.items()}
    return {name: answer}


def question_form(payload: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The instructor's edit form for a question, every option filled in."""
    form = {"prompt": prompt, "explanation": payload.get("explanation", "")}
    for group in QUESTION_TYPES[payload["type"]].option_groups:
        for option in payload.get(group, []):
            form[f"opt_{group}_{option['id']}"] = option["text"]
    return form


def fact_form(app: Flask, fact_id: str, question: str) -> dict[str, Any]:
    """The instructor's edit form for a candidate fact, with a new question text."""
    with app.app_context():
        data = db.session.get(Fact, fact_id).data
    answer = data.get("answer")
    return {"question": question, "statement": data.get("statement") or "{answer}",
            "answer": "\n".join(answer) if isinstance(answer, list) else str(answer),
            "aliases": "\n".join(data.get("aliases", [])),
            "distractors": "\n".join(data.get("distractors", [])),
            "event": data.get("event", ""), "explanation": data.get("explanation", "")}


# ----------------------------------------------------------------------------- the matrix

Args = Callable[[World], dict[str, Any]]
Body = Callable[[World], Any]


@dataclass(frozen=True)
class Route:
    """One method of one URL rule with an object in its path, and who owns that object.

    ``owner``: "student" (the attempt's learner), "member" (any student of the class),
    "instructor" (the class, assignment, commentary, question or warm-up host), "player"
    (the warm-up player's token), or
    "anyone": the path holds a capability (join code, PIN, an approved fact) that any
    user may use; then ``guessed`` is a code or object nobody was given, which must reach
    nothing.
    """

    endpoint: str
    method: str
    owner: str
    args: Args
    form: Body | None = None
    json: Body | None = None
    query: str = ""
    guessed: Args | None = None
    #: The owner's call changes what later calls see (finish, retire, end...): the control
    #: runs these last, in this order.
    late: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.endpoint, self.method

    @property
    def api(self) -> bool:
        return self.endpoint.startswith("api.")


def _attempt(w: World) -> dict[str, Any]:
    return {"attempt_id": w.attempt}


def _course(w: World) -> dict[str, Any]:
    return {"course_id": w.course}


def _assignment(w: World) -> dict[str, Any]:
    return {"assignment_id": w.assignment}


def _student(w: World) -> dict[str, Any]:
    return {"assignment_id": w.assignment, "student_id": w.s1}


def _api_student(w: World) -> dict[str, Any]:
    return {"assignment_id": w.assignment, "user_id": w.s1}


def _course_assignment(w: World) -> dict[str, Any]:
    return {"course_id": w.course, "assignment_id": w.assignment}


def _question(w: World) -> dict[str, Any]:
    return {"question_id": w.question}


def _own_question(w: World) -> dict[str, Any]:
    return {"question_id": w.own_question}


def own_question_form(w: World) -> dict[str, Any]:
    """The author form for the owner's hand-written question, reworded."""
    return {"type": "mcq", "topic": w.doc_slug, "prompt": "Rewritten by whom?",
            "right": "yes", "wrong": "no\nmaybe"}


def _doc(w: World) -> dict[str, Any]:
    return {"document_id": w.doc}


def _fact(w: World) -> dict[str, Any]:
    return {"fact_id": w.candidate_fact}


def _game(w: World) -> dict[str, Any]:
    return {"game_id": w.game}


def _set(w: World) -> dict[str, Any]:
    return {"set_id": w.qset}


def _set_form(w: World) -> dict[str, Any]:
    question = str(w.live_question)
    return {"name": "Renamed", "shown": question, "questions": question, "save": "1"}


def _pin(w: World) -> dict[str, Any]:
    return {"pin": w.pin}


def _answer_at_0(w: World) -> dict[str, Any]:
    return {"pin": w.pin, "question_index": 0}


def _assignment_form(w: World) -> dict[str, Any]:
    return {"title": "Sneaky", "count": "3", "due_at": "2099-01-01T12:00",
            "max_attempts": "1", "grading": "highest", "show_keys": "immediately",
            "same_questions": "same", "tz_offset": "0"}


def _assignment_json(w: World) -> dict[str, Any]:
    return {"title": "Sneaky", "count": 3, "due_at": "2099-01-01T12:00:00Z",
            "max_attempts": 1, "grading": "highest", "show_keys": "immediately"}


def _lti_ticket(w: World) -> dict[str, Any]:
    """A fresh "open in a new window" link of an LTI launch (a one-time capability)."""
    from quizapp.services import lti

    with w.app.test_request_context():
        ticket = lti.new_ticket(db.session.scalar(select(User.id).limit(1)), "/dashboard")
        db.session.commit()
    return {"ticket": ticket}


MATRIX: list[Route] = [
    # ------------------------------------------------------------------ a student's attempt
    Route("study.attempt", "GET", "student", _attempt),
    Route("study.question", "GET", "student", lambda w: {**_attempt(w), "number": 1}),
    Route("study.answer", "POST", "student", lambda w: {**_attempt(w), "number": 1},
          form=lambda w: form_answer(w.payload(w.question))),
    Route("study.result", "GET", "student", _attempt),
    Route("study.finish", "POST", "student", _attempt, late=1),
    Route("api.get_attempt", "GET", "student", _attempt),
    Route("api.put_response", "PUT", "student",
          lambda w: {**_attempt(w), "question_id": w.question},
          json=lambda w: {"response": api_answer(w.payload(w.question))}),
    Route("api.finish_attempt", "POST", "student", _attempt, late=1),
    Route("teach.flag", "POST", "student", _question,
          form=lambda w: {f"flag-{w.question}-comment": "Wrong year?",
                          f"flag-{w.question}-next": "/dashboard"}),
    Route("api.flag_question", "POST", "student", _question,
          json=lambda w: {"comment": "Wrong year?"}),
    Route("teach.start_assignment", "POST", "member", _assignment),
    Route("teach.print_assignment", "GET", "member", _assignment),
    Route("teach.class_deck", "GET", "instructor", _course),
    # The owner's commentary (its topic is its slug): read by the students of his class.
    Route("study.commentary_deck", "GET", "member", lambda w: {"slug": w.doc_slug}),
    Route("study.topic_deck", "GET", "member", lambda w: {"topic": w.doc_slug}),
    Route("study.flashcards", "GET", "member", lambda w: {"topic": w.doc_slug}),
    # a fact of the owner's commentary: only those who may read it rate its flashcard
    Route("study.rate_flashcard", "POST", "member", lambda w: {"fact_id": w.approved_fact},
          form=lambda w: {"knew": "yes", "topic": w.doc_slug, "position": "2"}),
    # a candidate fact is nobody's to practise; an approved one is everyone's
    Route("study.practise_fact", "POST", "anyone", lambda w: {"fact_id": w.approved_fact},
          guessed=_fact),
    # ------------------------------------------------------------------ an instructor's class
    Route("teach.course", "GET", "instructor", _course),
    Route("teach.join_screen", "GET", "instructor", _course),
    Route("teach.qr_code", "GET", "instructor", _course),
    Route("teach.misconceptions", "GET", "instructor", _course),
    Route("teach.remove_member", "POST", "instructor",
          lambda w: {**_course(w), "user_id": w.s3}),
    Route("teach.add_co_instructor", "POST", "instructor", _course,
          form=lambda w: {"username": "other_prof"}),
    Route("lti.sync_roster", "POST", "instructor", _course),
    Route("lti.enter", "GET", "anyone", _lti_ticket,
          guessed=lambda w: {"ticket": "nobody-was-given-this-one"}),
    Route("teach.new_assignment", "GET", "instructor", _course),
    Route("teach.new_assignment", "POST", "instructor", _course, form=_assignment_form),
    Route("api.get_class", "GET", "instructor", _course),
    Route("api.class_assignments", "GET", "instructor", _course),
    Route("api.create_assignment", "POST", "instructor", _course, json=_assignment_json),
    Route("api.add_co_instructor", "POST", "instructor", _course,
          json=lambda w: {"username": "other_prof"}),
    Route("api.remove_member", "DELETE", "instructor",
          lambda w: {**_course(w), "user_id": w.s3}),
    Route("api.misconceptions", "GET", "instructor", _course),
    Route("teach.join", "GET", "anyone", lambda w: {"code": w.join_code},
          guessed=lambda w: {"code": "ZZZZ9999"}),
    Route("teach.join", "POST", "anyone", lambda w: {"code": w.join_code},
          guessed=lambda w: {"code": "ZZZZ9999"}),
    # ------------------------------------------------------------------ its assignment
    Route("teach.gradebook", "GET", "instructor", _assignment),
    Route("teach.item_analysis", "GET", "instructor", _assignment),
    Route("teach.export_assignment", "GET", "instructor",
          lambda w: {**_assignment(w), "fmt": "csv"}),
    Route("api.results", "GET", "instructor", _assignment),
    Route("api.export_assignment", "GET", "instructor", _assignment, query="format=csv"),
    # ------------------------------------------------------------------ managing them
    Route("teach.edit_assignment", "GET", "instructor", _assignment),
    Route("teach.edit_assignment", "POST", "instructor", _assignment,
          form=lambda w: {**_assignment_form(w), "title": "Moved week",
                          "due_at": "2099-02-01T12:00"}),
    Route("api.edit_assignment", "PATCH", "instructor", _assignment,
          json=lambda w: {"due_at": "2099-03-01T12:00:00Z"}),
    Route("teach.student_work", "GET", "instructor", _student),
    Route("api.student_work", "GET", "instructor", _api_student),
    Route("teach.set_extension", "POST", "instructor", _student,
          form=lambda w: {"due_at": "2099-06-01T12:00", "tz_offset": "0"}),
    Route("api.set_extension", "PUT", "instructor", _api_student,
          json=lambda w: {"due_at": "2099-07-01T12:00:00Z"}),
    Route("teach.clear_extension", "POST", "instructor", _student, late=1),
    Route("api.clear_extension", "DELETE", "instructor", _api_student, late=1),
    Route("teach.set_override", "POST", "instructor", _student,
          form=lambda w: {"grade": "2", "reason": "Lost connection"}),
    Route("api.set_override", "PUT", "instructor", _api_student,
          json=lambda w: {"grade": 2.5, "reason": "Lost connection"}),
    Route("teach.clear_override", "POST", "instructor", _student, late=1),
    Route("api.clear_override", "DELETE", "instructor", _api_student, late=1),
    Route("teach.class_settings", "GET", "instructor", _course),
    Route("teach.class_settings", "POST", "instructor", _course,
          form=lambda w: {"name": "Renamed seminar"}),
    Route("api.edit_class", "PATCH", "instructor", _course,
          json=lambda w: {"name": "Renamed again", "archived": False}, late=14),
    Route("teach.close_assignment", "POST", "instructor", _assignment, late=11),
    Route("api.close_assignment", "POST", "instructor", _assignment, late=11),
    Route("teach.renew_join_code", "POST", "instructor", _course, late=12),
    Route("api.renew_join_code", "POST", "instructor", _course, late=12),
    Route("teach.archive_class", "POST", "instructor", _course, late=13,
          form=lambda w: {"archived": "1"}),
    Route("teach.delete_assignment", "GET", "instructor", _course_assignment),
    Route("api.delete_assignment", "DELETE", "instructor", _assignment, late=15),
    # a second click finds it gone: back to the class, nothing refused
    Route("teach.delete_assignment", "POST", "instructor", _course_assignment, late=16),
    Route("teach.delete_class", "GET", "instructor", _course),
    Route("api.delete_class", "DELETE", "instructor", _course, late=17),
    Route("teach.delete_class", "POST", "instructor", _course, late=18),
    # ------------------------------------------------------------------ its commentary
    Route("teach.commentary", "GET", "instructor", _doc),
    Route("teach.fact_status", "POST", "instructor", _doc,
          form=lambda w: {"status": "rejected", "fact_ids": w.candidate_fact}),
    Route("teach.export_document", "GET", "instructor", lambda w: {**_doc(w), "fmt": "json"}),
    Route("teach.edit_fact", "GET", "instructor", _fact),
    Route("teach.edit_fact", "POST", "instructor", _fact,
          form=lambda w: fact_form(w.app, w.candidate_fact, "Whose question?")),
    Route("api.get_commentary", "GET", "instructor", _doc),
    Route("api.approve_facts", "POST", "instructor", _doc,
          json=lambda w: {"fact_ids": [w.candidate_fact]}),
    Route("api.reject_facts", "POST", "instructor", _doc,
          json=lambda w: {"fact_ids": [w.candidate_fact]}),
    Route("api.export_document", "GET", "instructor", _doc, query="format=json"),
    Route("api.edit_fact", "PATCH", "instructor", _fact,
          json=lambda w: {"question": "Whose question?"}),
    # ------------------------------------------------------------------ a question of it
    Route("teach.question", "GET", "instructor", _question),
    Route("teach.resolve", "POST", "instructor", _question),
    Route("api.get_question", "GET", "instructor", _question),
    Route("teach.question", "POST", "instructor", _question, late=2,
          form=lambda w: question_form(w.payload(w.question), "Reworded by whom?")),
    Route("api.edit_question", "PATCH", "instructor", _question, late=2,
          json=lambda w: {"prompt": "Reworded by whom?"}),
    Route("teach.rewrite_question", "GET", "instructor", _own_question),
    Route("teach.rewrite_question", "POST", "instructor", _own_question, late=2,
          form=own_question_form),
    Route("api.replace_question", "PUT", "instructor", _own_question, late=2,
          json=lambda w: {**own_question_form(w), "wrong": ["no", "maybe"]}),
    Route("teach.retire", "POST", "instructor", _question, late=3),
    Route("api.retire_question", "POST", "instructor", _question, late=3),
    # ------------------------------------------------------------------ a warm-up
    Route("live.host", "GET", "instructor", _game),
    Route("live.host_panel", "GET", "instructor", _game),
    Route("live.host_qr", "GET", "instructor", _game),
    Route("live.host_results", "GET", "instructor", _game),
    Route("live.host_results_csv", "GET", "instructor", _game),
    Route("api.live_results", "GET", "instructor", _pin),
    Route("api.live_export", "GET", "instructor", _pin, query="format=csv"),
    Route("live.host_reveal", "POST", "instructor", _game, late=4),
    Route("api.reveal_live", "POST", "instructor", _pin, late=4),
    Route("live.host_advance", "POST", "instructor", _game, late=5,
          form=lambda w: {"from_index": "0"}),
    Route("api.advance_live", "POST", "instructor", _pin, late=5,
          json=lambda w: {"from_index": 1}),
    Route("live.host_kick", "POST", "instructor", _game, late=6,
          form=lambda w: {"player_id": str(w.player)}),
    Route("api.kick_live", "POST", "instructor", _pin, late=6,
          json=lambda w: {"nickname": f"p{SECRET}"}),
    Route("live.host_end", "POST", "instructor", _game, late=7),
    Route("api.end_live", "POST", "instructor", _pin, late=7),
    # ------------------------------------------------------------------ a warm-up player
    Route("live.set_edit", "GET", "instructor", _set),
    Route("live.set_edit", "POST", "instructor", _set, form=_set_form),
    Route("api.get_set", "GET", "instructor", _set),
    Route("api.patch_set", "PATCH", "instructor", _set, json=lambda w: {"name": "Renamed"}),
    Route("api.delete_set", "DELETE", "instructor", _set, late=8),
    Route("live.set_delete", "POST", "instructor", lambda w: {"set_id": w.qset2}, late=9),
    Route("live.play", "GET", "player", _pin),
    Route("live.play_me", "GET", "player", _pin),
    Route("live.play_answer", "POST", "player", _answer_at_0,
          json=lambda w: {"response": api_answer(w.payload(w.live_question))}),
    Route("api.live_me", "GET", "player", _pin),
    Route("api.answer_live", "PUT", "player", _answer_at_0,
          json=lambda w: {"response": api_answer(w.payload(w.live_question))}),
    # the PIN is the capability: anyone may join and watch; a guessed PIN finds nothing
    Route("api.join_live", "POST", "anyone", _pin, json=lambda w: {"nickname": "newcomer"},
          guessed=lambda w: {"pin": unused_pin(w)}),
    Route("api.live_state", "GET", "anyone", _pin, guessed=lambda w: {"pin": unused_pin(w)}),
]


def routes_with_objects(app: Flask) -> set[tuple[str, str]]:
    """Every (endpoint, method) whose URL holds an argument (an id, PIN or code)."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.arguments and rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


# ----------------------------------------------------------------------------- people

@dataclass
class Actor:
    """Someone calling the app: a browser session and the API credentials they hold."""

    name: str
    client: FlaskClient
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, w: World, route: Route, args: dict[str, Any] | None = None,
             **extra: Any) -> TestResponse:
        url = w.url(route.endpoint, **(route.args(w) if args is None else args))
        if route.query:
            url += "?" + route.query
        kwargs: dict[str, Any] = {}
        if "json" in extra or "data" in extra:
            pass  # the caller sends its own body
        elif route.json is not None:
            kwargs["json"] = route.json(w)
        elif route.form is not None:
            kwargs["data"] = route.form(w)
        headers = dict(self.headers) if route.api else {}
        headers.update(extra.pop("headers", {}))
        kwargs.update(extra)
        return self.client.open(url, method=route.method, headers=headers, **kwargs)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    match = CSRF_TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(app: Flask, username: str, csrf: bool = False) -> FlaskClient:
    client = app.test_client()
    data = {"username": username, "password": PASSWORD}
    if csrf:
        data["csrf_token"] = csrf_token(client)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def actors(w: World, csrf: bool = False) -> dict[str, Actor]:
    """The owners and the intruders.

    The classmate holds a player token of the other instructor's warm-up and offers it
    (as header and as this warm-up's cookie) to the owner's warm-up.
    """
    app = w.app
    classmate = login(app, "classmate", csrf)
    classmate.set_cookie(f"live_{w.pin}", w.player_token["other"])
    player = app.test_client()
    player.set_cookie(f"live_{w.pin}", w.player_token["owner"])

    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {w.bearer[name]}"}

    return {
        "student": Actor("owner student", login(app, "owner_student", csrf),
                         bearer("owner_student")),
        "instructor": Actor("owner instructor", login(app, "owner_prof", csrf),
                            bearer("owner_prof")),
        "player": Actor("owner player", player,
                        {"X-Player-Token": w.player_token["owner"]}),
        "classmate": Actor("classmate", classmate,
                           {**bearer("classmate"), "X-Player-Token": w.player_token["other"]}),
        "outsider": Actor("student outside the class", login(app, "outsider", csrf),
                          bearer("outsider")),
        "other instructor": Actor("other instructor", login(app, "other_prof", csrf),
                                  bearer("other_prof")),
        "anonymous": Actor("anonymous", app.test_client()),
    }


def owner_of(route: Route, people: dict[str, Actor]) -> Actor:
    """Who may make this call: the owner; for "anyone" routes, a user given the code."""
    if route.owner == "anyone":
        return people["outsider"]
    return people["student" if route.owner == "member" else route.owner]


def may_call(route: Route, intruder: str) -> bool:
    """A classmate may start the class's assignment; nobody else is let in."""
    return route.owner == "member" and intruder == "classmate"


# ----------------------------------------------------------------------------- checks

def snapshot(app: Flask) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the rows of every table."""
    out = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            # Raw rows: no JSON decoding, so a snapshot costs a few milliseconds.
            rows = sorted(map(repr, conn.exec_driver_sql(f'SELECT * FROM "{table.name}"')))
            out[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


#: Counters of refused guesses (wrong passwords, wrong join codes): a refusal writes them by
#: design, and they hold no one's data.
THROTTLE_TABLES = {"login_failure"}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before
            if before[name] != after.get(name) and name not in THROTTLE_TABLES]


def refused(response: TestResponse) -> bool:
    """401, 403 or 404; or, for a page, a redirect to log in (or to join a warm-up)."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (302, 303):
        return urlsplit(response.headers.get("Location", "")).path in ("/login", "/join")
    return False
