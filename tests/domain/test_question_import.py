"""Importing GIFT and Moodle XML: what quizapp exports imports back as the same questions
(every form, both formats, hostile text), Moodle's own files read by Moodle's rules, and
bad files refused with a clear message (never a 500)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from quizapp.domain import exports
from quizapp.domain.authoring import Draft, build_payload, content
from quizapp.domain.facts import load_factbase
from quizapp.domain.generator import generate_bank
from quizapp.domain.question_import import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    parse,
    parse_gift,
    parse_moodle_xml,
)
from quizapp.extensions import db
from quizapp.models import Question

SEED = Path(__file__).resolve().parents[2] / "seeds" / "nato-japan.yaml"
WRITERS = {"gift": exports.to_gift, "moodle_xml": exports.to_moodle_xml}
TOPIC = "vilnius-2023"


@pytest.fixture(scope="module")
def bank() -> list[dict]:
    return generate_bank(load_factbase(SEED), seed=0)


def round_trip(fmt: str, payloads: list[dict]) -> list[dict]:
    """Export in ``fmt``, import the file; the imported drafts as payloads."""
    text = WRITERS[fmt]([(f"{p['id']} v1", p) for p in payloads], ("$course$", "quizapp",
                                                                   "Round / trip"))
    result = parse(fmt, text.encode("utf-8"))
    assert result.skipped == []
    return [build_payload(d, uid=f"x{n}", document="doc", topic="t")
            for n, d in enumerate(result.drafts)]


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_the_whole_seed_bank_imports_back_as_the_same_questions(bank, fmt):
    back = round_trip(fmt, bank)
    assert {p["type"] for p in back} == {"mcq", "multi", "true_false", "short", "ordering",
                                         "matching"}
    assert [content(p) for p in back] == [content(p) for p in bank]


HOSTILE = ["Tricky ~ = # { } : \\ & <b>bold</b> “quotes” -> arrow", "[html] a marker",
           "%50% a weight", "&&058; a placeholder", "a ]]> cdata end", "star * and \\*",
           "line\nbreak", "// not a comment", "::not a name::", "$CATEGORY: nope",
           "T", "&amp; entity", "0"]


def authored(text: str) -> list[dict]:
    """One hand-written question of each form with ``text`` in every field."""
    def t(n: int) -> str:
        return f"{text} {n}"

    drafts = [
        Draft("mcq", t(0), choices=[(t(1), False), (t(2), True), (t(3), False)]),
        Draft("multi", t(0), choices=[(t(1), True), (t(2), False), (t(3), True)]),
        Draft("true_false", t(0), truth=False),
        Draft("short", t(0), accepted=[t(1), t(2)]),
        Draft("ordering", t(0), items=[t(1), t(2), t(3)]),
        Draft("matching", t(0), pairs=[(t(1), t(2)), (t(3), t(4)), (t(5), t(6))]),
    ]
    out = []
    for n, draft in enumerate(drafts):
        draft.explanation, draft.quote = t(7), t(8)
        out.append(build_payload(draft, uid=f"own-1-{n}", document="doc", topic="t"))
    return out


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("text", HOSTILE)
def test_hand_written_questions_of_every_form_round_trip_with_hostile_text(fmt, text):
    mine = authored(text)
    assert [content(p) for p in round_trip(fmt, mine)] == [content(p) for p in mine]


@pytest.mark.parametrize("fmt", list(WRITERS))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                    max_size=30).filter(lambda t: any(c.isalnum() for c in t)))
def test_any_text_round_trips_in_both_formats(fmt, text):
    mine = authored(text)
    assert [content(p) for p in round_trip(fmt, mine)] == [content(p) for p in mine]


# --------------------------------------------------------------------------- Moodle's files

MOODLE_GIFT = """// From Moodle's GIFT documentation
$CATEGORY: $course$/Geography

::Capital::What is the capital of France? {
  =Paris#Right
  ~London#No
  ~Berlin
}

Grant is buried in Grant's tomb.{F}

::Two answers::Which are primes? {~%50%2 ~%50%3 ~%-100%4}

Two plus two equals {=four =4}.

::Wild::Name a colour {=*re*}

Match: {
  =cat -> feline
  =dog -> canine
}

::Num::What is pi? {#3.14:0.01}

Write an essay. {}

A description with no answers.

::Partial::Best? {=A ~%50%B ~C}

::Broken:: no closing {=x ~y

// only a comment here
"""


def test_moodles_own_gift_reads_by_moodles_rules():
    result = parse_gift(MOODLE_GIFT.encode())
    by_type = {d.type: d for d in result.drafts}
    assert by_type["mcq"].prompt == "What is the capital of France?"
    assert by_type["mcq"].choices == [("Paris", True), ("London", False), ("Berlin", False)]
    assert by_type["true_false"].truth is False
    assert by_type["multi"].choices == [("2", True), ("3", True), ("4", False)]
    assert by_type["short"].accepted == ["four", "4"]
    assert by_type["short"].prompt == "Two plus two equals _____."
    assert by_type["matching"].pairs == [("cat", "feline"), ("dog", "canine")]
    reasons = dict(result.skipped)
    assert "wildcard" in reasons["Line 16: Wild"]
    assert "numerical" in reasons["Line 23: Num"]
    assert "essay" in reasons["Line 25"] and "description" in reasons["Line 27"]
    assert "Part marks" in reasons["Line 29: Partial"]
    assert "not closed" in reasons["Line 31: Broken"]
    assert len(result.drafts) == 5


MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/Top</text></category></question>
  <question type="multichoice">
    <name><text>Capital</text></name>
    <questiontext format="html"><text><![CDATA[<p>What is the <b>capital</b>
      of France?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Paris since 508.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>Paris</text></answer>
    <answer fraction="0" format="html"><text>&lt;i&gt;London&lt;/i&gt;</text></answer>
    <answer fraction="-50" format="html"><text>Rome</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Typed</text></name>
    <questiontext format="moodle_auto_format"><text>Two plus two?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>four</text></answer>
    <answer fraction="0"><text>*</text></answer>
  </question>
  <question type="matching">
    <name><text>Pairs</text></name>
    <questiontext format="html"><text>Match them</text></questiontext>
    <subquestion format="html"><text>cat</text><answer><text>feline</text></answer></subquestion>
    <subquestion format="html"><text>dog</text><answer><text>canine</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>bovine</text></answer></subquestion>
  </question>
  <question type="essay"><name><text>Essay</text></name>
    <questiontext format="html"><text>Discuss.</text></questiontext></question>
  <question type="truefalse"><name><text>TF</text></name>
    <questiontext format="html"><text>The sky is green.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer></question>
</quiz>
"""


def test_moodles_own_xml_reads_by_moodles_rules():
    result = parse_moodle_xml(MOODLE_XML.encode())
    mcq, short, matching, truth = result.drafts
    assert mcq.prompt == "What is the capital of France?"
    assert mcq.choices == [("Paris", True), ("London", False), ("Rome", False)]  # HTML
    assert mcq.explanation == "Paris since 508." and mcq.quote == ""
    assert short.accepted == ["four"] and any("Case-sensitive" in n for n in short.notes)
    assert matching.pairs == [("cat", "feline"), ("dog", "canine")]
    assert any("extra match" in n for n in matching.notes)
    assert truth.type == "true_false" and truth.truth is False
    assert result.skipped == [("Question 5: Essay", "A Moodle “essay” question: quizapp "
                                                    "has no such form.")]


# --------------------------------------------------------------------------- bad files

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<quiz><question type="truefalse"><name><text>&lol2;</text></name></question></quiz>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&secret;</text></name></question></quiz>"""


@pytest.mark.parametrize("fmt, data, words", [
    ("moodle_xml", BILLION_LAUGHS, "DTD"),
    ("moodle_xml", XXE, "DTD"),
    ("moodle_xml", b"<quiz><question type='x'>", "not well-formed XML (line 1"),
    ("moodle_xml", b"<html><body/></html>", "starts with <quiz>"),
    ("moodle_xml", b"<quiz/>", "no questions"),
    ("moodle_xml", b"", "not well-formed"),
    ("gift", b"\xff\xfe\x00bad", "not UTF-8"),
    ("gift", b"\n\n// nothing\n", "no questions"),
    ("gift", b"x" * (MAX_IMPORT_BYTES + 1), "too large"),
    ("moodle_xml", b" " * (MAX_IMPORT_BYTES + 1), "too large"),
    ("csv", b"a,b", "Choose a format"),
])
def test_a_bad_file_is_refused_with_a_clear_message(fmt, data, words):
    with pytest.raises(ImportFileError, match=r".") as refused:
        parse(fmt, data)
    assert words in str(refused.value)


@pytest.mark.parametrize("fmt", list(WRITERS))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(st.binary(max_size=400),
                      st.text(alphabet="{}=~#:\\-><%[]/$\n TF0123abc", max_size=200)
                      .map(str.encode),
                      st.text(alphabet="<>/?!&;quizestonaxm=\"' \n", max_size=200)
                      .map(str.encode)))
def test_no_file_makes_the_readers_fail_but_with_a_clear_message(fmt, data):
    try:
        result = parse(fmt, data)
    except ImportFileError as exc:
        assert str(exc)
    else:
        for draft in result.drafts:
            assert draft.type in ("mcq", "multi", "true_false", "short", "ordering",
                                  "matching")


# --------------------------------------------------------------------------- the web

@pytest.fixture
def prof(client, api_token):
    return api_token("prof", "instructor")


def _export(client, headers, fmt) -> str:
    """The seed commentary's question bank as quizapp exports it."""
    with client.application.app_context():
        from quizapp.models import Commentary

        doc = db.session.scalar(select(Commentary.id).where(Commentary.slug == "nato-japan"))
    ext = {"gift": "txt", "moodle_xml": "xml"}[fmt]
    response = client.get(f"/teach/documents/{doc}/export.{ext}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _key(payload: dict) -> str:
    return json.dumps(content(payload), sort_keys=True)


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_an_exported_bank_imports_back_through_the_api_as_the_same_questions(
        client, auth, make_user, app, fmt):
    make_user("teacher", "instructor")
    auth.login("teacher")
    text = _export(client, None, fmt)
    from support.helpers import basic_auth

    token = client.post("/api/v1/tokens", headers=basic_auth("teacher")).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    dry = client.post("/api/v1/questions/import", headers=headers,
                      json={"format": fmt, "text": text, "topic": TOPIC, "dry_run": True})
    assert dry.status_code == 200 and dry.get_json()["skipped"] == []
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.owner_id.is_not(None))) \
            is None
    done = client.post("/api/v1/questions/import", headers=headers,
                       json={"format": fmt, "text": text, "topic": TOPIC})
    assert done.status_code == 201, done.get_json()
    imported = done.get_json()["imported"]
    with app.app_context():
        shared = {q.id: q for q in db.session.scalars(select(Question).where(
            Question.owner_id.is_(None), Question.status == "active"))}
        originals = sorted(_key(q.payload) for q in shared.values() if q.document_id == 1)
    assert len(imported) == len(originals)
    assert sorted(_key(q["payload"]) for q in imported) == originals
    assert all(q["payload"]["source"]["quote"] for q in imported)  # quotes found in the text
    assert {q["topic"] for q in imported} == {TOPIC}


def test_the_import_page_previews_then_imports_on_confirm(client, auth, make_user, app):
    make_user("teacher", "instructor")
    auth.login("teacher")
    page = client.get("/teach/questions/import")
    assert page.status_code == 200
    data = MOODLE_GIFT.encode()
    preview = client.post("/teach/questions/import", data={
        "format": "gift", "topic": TOPIC, "upload": (__import__("io").BytesIO(data),
                                                     "moodle.gift")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Preview: 5 to import, 6 left out" in html
    assert "quizapp has no numerical form" in html and "What is the capital of France?" in html
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.owner_id.is_not(None))) \
            is None
    done = client.post("/teach/questions/import", data={
        "format": "gift", "topic": TOPIC, "confirm": "1",
        "content": base64.b64encode(data).decode()})
    assert done.status_code == 303
    with app.app_context():
        mine = db.session.scalars(select(Question).where(Question.owner_id.is_not(None))).all()
        assert len(mine) == 5 and all(q.payload["authored"] for q in mine)


@pytest.mark.parametrize("form, words", [
    ({"format": "moodle_xml", "content": base64.b64encode(BILLION_LAUGHS).decode(),
      "confirm": "1"}, "DTD"),
    ({"format": "moodle_xml", "content": base64.b64encode(b"<quiz>").decode()},
     "not well-formed XML"),
    ({"format": "gift", "content": "!!not base64!!"}, "Choose a file"),
    ({"format": "gift"}, "Choose a file"),
    ({"format": "gift", "content": base64.b64encode(b"Essay {}").decode(), "confirm": "1"},
     "No question of this file"),
])
def test_a_bad_upload_is_a_form_error_not_a_500(client, auth, make_user, form, words):
    make_user("teacher", "instructor")
    auth.login("teacher")
    response = client.post("/teach/questions/import", data={"topic": TOPIC, **form})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_students_and_bad_bodies_get_json_errors(client, api_token, prof):
    student = api_token("pupil")
    body = {"format": "gift", "text": "Q {=a}", "topic": TOPIC}
    assert client.post("/api/v1/questions/import", json=body,
                       headers=student).status_code == 403
    for bad in ({**body, "format": "docx"}, {**body, "text": 5}, {**body, "topic": "x"},
                {**body, "text": "<quiz>", "format": "moodle_xml"}):
        response = client.post("/api/v1/questions/import", json=bad, headers=prof)
        assert response.status_code == 400 and response.get_json()["error"]["message"]


def test_imported_questions_are_the_importers_alone(client, api_token, prof, app):
    made = client.post("/api/v1/questions/import", headers=prof,
                       json={"format": "gift", "text": "Which? {=a ~b ~c}", "topic": TOPIC})
    qid = made.get_json()["imported"][0]["id"]
    other = api_token("other", "instructor")
    assert client.get(f"/api/v1/questions/{qid}", headers=other).status_code == 404
    with app.app_context():
        from quizapp.services import study

        assert qid not in {c.id for c in study.active_candidates()}
