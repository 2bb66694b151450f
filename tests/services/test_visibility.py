"""Who reads which commentary: seeds for everyone, drafts for their author only, approved
commentaries for the students of their author's classes (one rule on every route)."""

from __future__ import annotations

from support.helpers import PASSWORD

DRAFT = ("The Zeta Accord was signed in 1987 by Ruritania and Elbonia. "
         "Its secretariat is in Grand Fenwick. ") * 4 + (
    "In 1994 the Zeta Council admitted Freedonia. NATO held talks with Elbonia in 2003.")


def _login(client, name):
    client.post("/logout")
    client.post("/login", data={"username": name, "password": PASSWORD})


def test_a_draft_commentary_is_read_by_its_author_only(client, api_token, make_user):
    author = api_token("author", "instructor")
    api_token("other", "instructor")
    make_user("student")
    client.post("/api/v1/commentaries", headers=author,
                json={"title": "Zeta Draft", "text": DRAFT})
    _login(client, "author")
    listing = client.get("/source").get_data(as_text=True)
    assert "Zeta Draft" in listing
    [link] = [a for a in listing.split('"') if "document=zeta-draft" in a]
    assert "Grand Fenwick" in client.get(link).get_data(as_text=True)
    for name in ("other", "student"):
        _login(client, name)
        page = client.get("/source").get_data(as_text=True)
        assert "Zeta Draft" not in page and "Grand Fenwick" not in page
        assert "Zeta Draft" not in client.get("/progress").get_data(as_text=True)
        # Asking by its address is a 404, as the API says for GET /commentaries/{id}.
        shown = client.get(link)
        assert shown.status_code == 404
        assert "Grand Fenwick" not in shown.get_data(as_text=True)

def test_an_approved_commentary_is_read_by_the_authors_students(client, api_token):
    author = api_token("author", "instructor")
    student = api_token("student")
    stranger = api_token("stranger")
    doc = client.post("/api/v1/commentaries", headers=author,
                      json={"title": "Zeta Notes", "text": DRAFT}).get_json()
    approved = client.post(f"/api/v1/commentaries/{doc['id']}/approve", headers=author,
                           json={"fact_ids": [c["id"] for c in doc["candidates"]]})
    assert approved.status_code == 200 and approved.get_json()["changed"]
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=author).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                headers=student)
    assert stranger
    _login(client, "student")
    assert "Zeta Notes" in client.get("/source").get_data(as_text=True)
    _login(client, "stranger")
    assert "Zeta Notes" not in client.get("/source").get_data(as_text=True)
    # The seed commentary stays everyone's.
    assert client.get("/source").status_code == 200


def _approved_commentary(client, author_headers) -> tuple[str, list[str]]:
    """Import and approve the Zeta commentary; its topic id and its facts' answers."""
    doc = client.post("/api/v1/commentaries", headers=author_headers,
                      json={"title": "Zeta Notes", "text": DRAFT}).get_json()
    client.post(f"/api/v1/commentaries/{doc['id']}/approve", headers=author_headers,
                json={"fact_ids": [c["id"] for c in doc["candidates"]]})
    from quizapp.extensions import db
    from quizapp.models import Commentary

    with client.application.app_context():
        slug = db.session.get(Commentary, doc["id"]).slug
    return slug, [c["answer"] for c in doc["candidates"]]


def test_another_instructors_commentary_is_in_no_list_option_or_draw(client, api_token):
    """Topic lists, assignment and warm-up options and their draws follow the same rule."""
    author = api_token("author", "instructor")
    other = api_token("other", "instructor")
    topic, _answers = _approved_commentary(client, author)
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=other).get_json()
    _login(client, "other")
    for page in (f"/teach/classes/{course['id']}/assignments/new", "/live/",
                 "/teach/questions", "/quiz/new", "/progress"):
        assert "Zeta Notes" not in client.get(page).get_data(as_text=True), page
    refused = client.post(f"/api/v1/classes/{course['id']}/assignments", headers=other, json={
        "title": "W", "count": 3, "topics": [topic], "due_at": "2099-01-01T00:00:00Z",
        "max_attempts": 1, "grading": "highest", "show_keys": "immediately"})
    assert refused.status_code == 400 and "topics" in refused.get_json()["error"]["fields"]
    game = client.post("/api/v1/live", headers=other, json={"count": 3, "topics": [topic]})
    assert game.status_code == 400 and "topics" in game.get_json()["error"]["fields"]
    # With no topic named, a warm-up of the whole bank never draws the other's questions.
    game = client.post("/api/v1/live", headers=other, json={"count": 50}).get_json()
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import LiveGame, Question
    with client.application.app_context():
        ids = db.session.scalar(select(LiveGame.question_ids).where(LiveGame.pin == game["pin"]))
        topics = set(db.session.scalars(select(Question.topic).where(Question.id.in_(ids))))
    assert topic not in topics
    # The author sees and may use their own commentary.
    _login(client, "author")
    assert "Zeta Notes" in client.get("/live/").get_data(as_text=True)
    mine = client.post("/api/v1/live", headers=author, json={"count": 3, "topics": [topic]})
    assert mine.status_code == 201, mine.get_json()
