"""Anki decks: the .apkg opened with sqlite3 holds the expected notes, with stable ids, and
nobody downloads the facts of a commentary they may not read."""

from __future__ import annotations

import html
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from sqlalchemy import select

from quizapp.domain import anki
from quizapp.extensions import db
from quizapp.models import Commentary, Fact, FactStatus, Question

from support.helpers import PASSWORD, wrong_response

ZETA = ("The Zeta Accord was signed in 1987 by Ruritania and Elbonia. "
        "Its secretariat is in Grand Fenwick. ") * 4 + (
    "In 1994 the Zeta Council admitted Freedonia. NATO held talks with Elbonia in 2003.")


def open_deck(data: bytes, tmp_path: Path, name: str = "deck") -> dict:
    """The deck's notes ({guid: fields}), tags, deck ids and model ids, read with sqlite3."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "collection.anki2" in archive.namelist()
    path = tmp_path / f"{name}.anki2"
    path.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(path)
    try:
        notes = {guid: flds.split("\x1f") for guid, flds in
                 conn.execute("SELECT guid, flds FROM notes")}
        tags = [t for (t,) in conn.execute("SELECT tags FROM notes")]
        cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
        decks_json, models_json = conn.execute("SELECT decks, models FROM col").fetchone()
    finally:
        conn.close()
    decks = {int(k): v["name"] for k, v in json.loads(decks_json).items() if k != "1"}
    return {"notes": notes, "tags": tags, "cards": cards, "decks": decks,
            "models": set(map(int, json.loads(models_json)))}


def _login(client, name: str) -> None:
    client.post("/logout")
    client.post("/login", data={"username": name, "password": PASSWORD})


def _facts(app, *conditions) -> list[Fact]:
    with app.app_context():
        facts = list(db.session.scalars(select(Fact).where(
            Fact.status == FactStatus.APPROVED, *conditions)))
        for fact in facts:
            _ = fact.commentary.title
            db.session.expunge(fact)
        return facts


def test_a_topic_deck_holds_each_fact_with_its_source_sentence(app, client, make_user,
                                                               tmp_path):
    make_user("student1")
    _login(client, "student1")
    facts = _facts(app, Fact.topic == "vilnius-2023")
    assert facts
    response = client.get("/decks/topics/vilnius-2023.apkg")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "quizapp-topic-vilnius-2023.apkg" in response.headers["Content-Disposition"]
    deck = open_deck(response.data, tmp_path)
    assert len(deck["notes"]) == len(facts) == deck["cards"]
    for fact in facts:
        fields = deck["notes"][genanki.guid_for("quizapp", "fact", fact.id)]
        front, answer, quote, commentary, fact_id = fields
        assert front == html.escape(fact.data["question"])
        assert html.unescape(quote) == fact.quote  # the source sentence, verbatim
        assert html.unescape(commentary) == fact.commentary.title
        assert fact_id == fact.id
        assert answer
    assert list(deck["decks"].values()) == [f"quizapp::{_topic_title(app, 'vilnius-2023')}"]
    assert all(t.strip().startswith("quizapp::") for t in deck["tags"])


def _topic_title(app, topic: str) -> str:
    from quizapp.services import study

    with app.test_request_context():
        return study.topic_title(topic)


def test_a_second_download_has_the_same_note_deck_and_model_ids(app, client, make_user,
                                                                tmp_path):
    make_user("student1")
    _login(client, "student1")
    first = open_deck(client.get("/decks/commentaries/nato-japan.apkg").data, tmp_path, "a")
    second = open_deck(client.get("/decks/commentaries/nato-japan.apkg").data, tmp_path, "b")
    assert len(first["notes"]) > 50
    assert set(first["notes"]) == set(second["notes"])
    assert first["decks"] == second["decks"] and first["models"] == second["models"]
    with app.app_context():
        title = db.session.scalar(select(Commentary.title).where(Commentary.slug == "nato-japan"))
    assert first["decks"] == {anki.stable_id("deck", "document:nato-japan"): f"quizapp::{title}"}
    assert first["models"] == {anki.MODEL.model_id}
    # The same fact in a topic deck is the same note, so Anki updates it.
    topic = open_deck(client.get("/decks/topics/representation.apkg").data, tmp_path, "c")
    assert set(topic["notes"]) <= set(first["notes"])
    assert set(topic["decks"]).isdisjoint(first["decks"])


def test_the_missed_deck_holds_the_facts_answered_wrong(app, client, api_token, tmp_path):
    headers = api_token("learner")
    empty = client.get("/api/v1/decks?missed=true", headers=headers)
    assert empty.status_code == 404
    assert empty.get_json()["error"]["code"] == "empty_deck"
    attempt = client.post("/api/v1/attempts", headers=headers,
                          json={"count": 4, "seed": 7, "types": ["mcq", "true_false"]}
                          ).get_json()
    missed: set[str] = set()
    with app.app_context():
        payloads = {q.id: q.payload for q in db.session.scalars(select(Question).where(
            Question.id.in_([q["id"] for q in attempt["questions"]])))}
    for number, question in enumerate(attempt["questions"]):
        payload = payloads[question["id"]]
        wrong = number % 2 == 0
        response = wrong_response(payload) if wrong else payload["answer"]
        client.put(f"/api/v1/attempts/{attempt['id']}/responses/{question['id']}",
                   headers=headers, json={"response": response})
        if wrong:
            missed.update(payload["fact_ids"])
    deck = client.get("/api/v1/decks?missed=true", headers=headers)
    assert deck.status_code == 200
    assert deck.mimetype == "application/octet-stream"
    notes = open_deck(deck.data, tmp_path)["notes"]
    assert {fields[4] for fields in notes.values()} == missed
    assert set(notes) == {genanki.guid_for("quizapp", "fact", f) for f in missed}


def _approved_commentary(client, author_headers) -> tuple[int, str]:
    doc = client.post("/api/v1/commentaries", headers=author_headers,
                      json={"title": "Zeta Notes", "text": ZETA}).get_json()
    client.post(f"/api/v1/commentaries/{doc['id']}/approve", headers=author_headers,
                json={"fact_ids": [c["id"] for c in doc["candidates"]]})
    with client.application.app_context():
        return doc["id"], db.session.get(Commentary, doc["id"]).slug


def test_nobody_downloads_a_commentary_they_may_not_read(app, client, api_token, tmp_path):
    author = api_token("author", "instructor")
    other = api_token("other", "instructor")
    student = api_token("student")
    outsider = api_token("outsider")
    doc_id, slug = _approved_commentary(client, author)
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=author).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                headers=student)
    # Readers: the author and the author's students, whole commentary or its topic.
    for headers in (author, student):
        for query in (f"document_id={doc_id}", f"topic={slug}"):
            got = client.get(f"/api/v1/decks?{query}", headers=headers)
            assert got.status_code == 200, got.get_json()
            fronts = " ".join(f[0] for f in open_deck(got.data, tmp_path)["notes"].values())
            assert "Zeta" in fronts or "Elbonia" in fronts or "Ruritania" in fronts
    # Anyone else: not found, by id, by topic, through the class deck or the HTML routes.
    for headers in (other, outsider):
        for query in (f"document_id={doc_id}", f"topic={slug}"):
            refused = client.get(f"/api/v1/decks?{query}", headers=headers)
            assert refused.status_code == 404
            assert "Zeta" not in refused.get_data(as_text=True)
    other_class = client.post("/api/v1/classes", json={"name": "D"}, headers=other).get_json()
    assert client.get(f"/api/v1/decks?class_id={other_class['id']}&document_id={doc_id}",
                      headers=other).status_code == 404
    for name in ("other", "outsider"):
        _login(client, name)
        assert client.get(f"/decks/commentaries/{slug}.apkg").status_code == 404
        assert client.get(f"/decks/topics/{slug}.apkg").status_code == 404


def test_an_instructor_downloads_the_facts_of_their_class_assignments(app, client, api_token,
                                                                       make_user, tmp_path):
    teacher = api_token("teacher", "instructor")
    api_token("stranger", "instructor")
    student = api_token("student")
    course = client.post("/api/v1/classes", json={"name": "Seminar"}, headers=teacher
                         ).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                headers=student)
    assert client.get(f"/api/v1/decks?class_id={course['id']}", headers=teacher
                      ).status_code == 404  # no assignments yet: a clear message
    with app.app_context():
        picked = list(db.session.scalars(select(Question).where(
            Question.type == "mcq", Question.owner_id.is_(None)).order_by(Question.id)
            .limit(3)))
        ids, facts = [q.id for q in picked], {f for q in picked for f in q.fact_ids}
    made = client.post(f"/api/v1/classes/{course['id']}/assignments", headers=teacher, json={
        "title": "Week 1", "question_ids": ids, "due_at": "2099-01-01T12:00:00Z",
        "max_attempts": 1, "grading": "highest", "show_keys": "immediately"})
    assert made.status_code == 201, made.get_json()
    _login(client, "teacher")
    page = client.get(f"/teach/classes/{course['id']}").get_data(as_text=True)
    assert f"/teach/classes/{course['id']}/deck.apkg" in page
    deck = client.get(f"/teach/classes/{course['id']}/deck.apkg")
    assert deck.status_code == 200
    notes = open_deck(deck.data, tmp_path)["notes"]
    assert {fields[4] for fields in notes.values()} == facts
    whole = client.get(f"/teach/classes/{course['id']}/deck.apkg?document=1")
    assert len(open_deck(whole.data, tmp_path, "w")["notes"]) > len(facts)
    # Another instructor, and a student of the class, get nothing.
    _login(client, "stranger")
    assert client.get(f"/teach/classes/{course['id']}/deck.apkg").status_code == 404
    assert client.get(f"/api/v1/decks?class_id={course['id']}",
                      headers=student).status_code == 403


@pytest.mark.parametrize(("query", "status"), [
    ("", 400), ("missed=true&topic=about", 400), ("missed=yes", 400), ("document_id=abc", 400),
    ("class_id=-1", 400), ("topic=no-such-topic", 404)])
def test_a_bad_deck_request_is_a_clear_4xx(client, api_token, query, status):
    got = client.get(f"/api/v1/decks?{query}", headers=api_token())
    assert got.status_code == status
    assert got.get_json()["error"]["message"]


def test_progress_and_source_pages_offer_the_decks(client, api_token, make_user):
    make_user("student1")
    _login(client, "student1")
    progress = client.get("/progress?topic=about").get_data(as_text=True)
    assert "/decks/topics/representation.apkg" in progress
    source = client.get("/source").get_data(as_text=True)
    assert "/decks/commentaries/nato-japan.apkg" in source
