"""What new users ran into (issue 15): titles, warm-up screens, reviews, wording, navigation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Enrollment, Fact, Role, User
from quizapp.services import teach

from conftest import COMMENTARY

KOREA = "NATO and the Republic of Korea"


@pytest.fixture
def people(make_user):
    """An instructor, another instructor, a student in prof's class and one in no class."""
    users = {name: make_user(name, role) for name, role in (
        ("prof", "instructor"), ("other", "instructor"), ("stud", "student"),
        ("loner", "student"))}
    return users


@pytest.fixture
def course(app, people):
    """prof's class with ``stud`` enrolled; returns (id, join code)."""
    with app.app_context():
        c = teach.create_course(db.session.get(User, people["prof"].id), "Seminar")
        db.session.add(Enrollment(course_id=c.id, user_id=people["stud"].id,
                                  role=Role.STUDENT))
        db.session.commit()
        return c.id, c.join_code


@pytest.fixture
def korea(app, people):
    """A commentary prof imported ("zz" sorts its slug last), its year facts approved."""
    with app.app_context():
        prof = db.session.get(User, people["prof"].id)
        doc = teach.create_commentary(prof, KOREA, COMMENTARY)
        db.session.commit()
        ids = list(db.session.scalars(select(Fact.id).where(Fact.document_id == doc.id,
                                                            Fact.kind == "year")))
        teach.set_fact_status(prof, doc.id, ids, "approved")
        db.session.commit()
        return doc.slug


def _labels(page: str) -> list[str]:
    return re.findall(r"<span>([^<]*)</span>", page)


# =========================================================================== 3. titles

def test_an_imported_topic_is_shown_by_its_title_on_every_form(client, auth, people, course,
                                                               korea):
    auth.login("prof")
    live = client.get("/live/").get_data(as_text=True)
    assert KOREA in live
    assert "Nato and the republic of korea" not in live
    # Sorted by title among the imported, after the fact files' topics.
    assert live.index("Limits, Challenges and Hopes") < live.index(KOREA)
    assignment = client.get(f"/teach/classes/{course[0]}/assignments/new").get_data(
        as_text=True)
    assert KOREA in assignment and f">{korea}<" not in assignment
    auth.logout()
    auth.login("stud")
    practice = _labels(client.get("/quiz/new").get_data(as_text=True))
    assert KOREA in practice
    progress = client.get("/progress").get_data(as_text=True)
    assert KOREA in progress


def test_topic_titles_is_the_one_source(app, korea):
    from quizapp.services import study

    with app.app_context():
        titles = study.topic_titles()
        assert titles[korea] == KOREA
        assert study.topic_title(korea) == KOREA
        assert list(titles)[-1] == korea  # fact-file topics first, imported ones after
        assert dict(study.topic_options()) == titles


# =========================================================================== 11. practice

def test_a_class_student_practises_the_instructors_commentary(client, auth, app, people,
                                                              course, korea):
    auth.login("stud")
    page = client.get("/quiz/new").get_data(as_text=True)
    assert KOREA in _labels(page)
    response = client.post("/quiz/new", data={"length": "5", "topics": [korea]})
    assert response.status_code in (302, 303)
    auth.logout()
    auth.login("loner")
    assert KOREA not in _labels(client.get("/quiz/new").get_data(as_text=True))
    refused = client.post("/quiz/new", data={"length": "5", "topics": [korea]})
    assert refused.status_code == 400
