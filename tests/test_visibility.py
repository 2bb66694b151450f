"""Who reads which commentary: seeds for everyone, drafts for their author only, approved
commentaries for the students of their author's classes (one rule on every route)."""

from __future__ import annotations

from conftest import PASSWORD

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
