"""What new users ran into (issue 15): titles, warm-up screens, reviews, wording, navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptMode,
    Enrollment,
    Fact,
    FactProgress,
    FactStatus,
    User,
    utcnow,
)
from quizapp.services import teach

from support.helpers import COMMENTARY

KOREA = "NATO and the Republic of Korea"


@pytest.fixture
def people(make_user):
    """An instructor, another instructor, a student in prof's class and one in no class."""
    users = {name: make_user(name, role) for name, role in (
        ("prof", "instructor"), ("other", "instructor"), ("stud", "student"),
        ("loner", "student"))}
    return users


@pytest.fixture
def course(people, create_course):
    """prof's class with ``stud`` enrolled; returns (id, join code)."""
    made = create_course(people["prof"], [people["stud"]])
    return made.id, made.join_code


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


# =========================================================================== 5. reviews

def _due_facts(app, user_id: int, how_many: int) -> list[str]:
    """Give the learner ``how_many`` facts, all due now; return their ids."""
    with app.app_context():
        ids = db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)
                                 .order_by(Fact.id).limit(how_many)).all()
        for fact_id in ids:
            db.session.add(FactProgress(user_id=user_id, fact_id=fact_id, seen=1, correct=0,
                                        due=utcnow() - timedelta(hours=1)))
        db.session.commit()
    return list(ids)


def _review_attempts(app, user_id: int) -> list:
    with app.app_context():
        return db.session.scalars(select(Attempt.id).where(
            Attempt.user_id == user_id, Attempt.mode == AttemptMode.REVIEW)).all()


def test_review_resumes_the_unfinished_review_instead_of_starting_another(client, auth, app,
                                                                         people):
    _due_facts(app, people["stud"].id, 3)
    auth.login("stud")
    first = client.post("/review", data={})
    assert first.status_code == 302
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Resume your review" in dashboard and "Review 3 due facts" not in dashboard
    assert f'href="{first.location}"' in dashboard
    page = client.get("/review").get_data(as_text=True)
    assert "Resume the review" in page
    second = client.post("/review", data={})  # another form, another key
    assert second.location == first.location
    assert len(_review_attempts(app, people["stud"].id)) == 1


def test_new_facts_join_reviews_up_to_a_daily_limit_and_the_rest_wait(client, auth, app,
                                                                      people):
    app.config["REVIEW_NEW_PER_DAY"] = 4
    due = _due_facts(app, people["stud"].id, 10)
    auth.login("stud")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Review 4 due facts" in dashboard and "6 more waiting" in dashboard
    started = client.post("/review", data={})
    with app.app_context():
        attempt = db.session.get(Attempt, int(started.location.rstrip("/").split("/")[-1]))
        asked = {f for item in attempt.items for f in item.question.fact_ids}
        # Four questions; a matching item reviews the acronym facts it pairs all at once.
        assert len(attempt.items) == 4 and len(asked) >= 4
        # Answered and finished: those four move out; today's new facts are used up.
        attempt.finished_at = attempt.started_at
        db.session.execute(update(FactProgress).where(FactProgress.fact_id.in_(asked))
                           .values(due=attempt.started_at + timedelta(days=2)))
        db.session.commit()
    page = client.get("/review").get_data(as_text=True)
    assert "Today's reviews are done" in page
    assert f"{len(set(due) - asked)} new facts waiting" in page and "up to 4 new facts" in page
    assert client.post("/review", data={}).status_code == 200  # nothing more to start
    assert len(_review_attempts(app, people["stud"].id)) == 1


# =========================================================================== 6. wording

def test_plural_and_article_helpers():
    from quizapp.domain.text import plural, with_article

    assert [plural(1, "minute"), plural(2, "minute"), plural(0, "quiz", "quizzes")] == [
        "1 minute", "2 minutes", "0 quizzes"]
    assert [with_article(w) for w in ("acronym", "entity set", "year")] == [
        "an acronym", "an entity set", "a year"]


def test_a_fact_without_distractors_is_a_date_fact_not_a_date_fact_with_a_bad_article():
    """The message names the kind with its article ("a date fact", once "a acronym fact")."""
    from quizapp.domain.facts import Fact as DomainFact
    from quizapp.domain.facts import FactBase, check_fact

    fact = DomainFact.from_dict({"id": "x", "topic": "t", "kind": "date", "answer": "1 May 2010",
                                 "quote": "1 May 2010", "distractors": []}, "doc")
    problems = check_fact(fact, FactBase("doc", "T", "1 May 2010", [], {}, [fact]))
    assert any(p.startswith("a date fact needs") for p in problems), problems
    assert [p for p in problems if "fact needs" in p] == [
        "a date fact needs at least 3 curated distractors"]


def test_a_one_minute_one_question_assignment_reads_in_the_singular(client, auth, app, people,
                                                                   course):
    with app.app_context():
        teach.create_assignment(db.session.get(User, people["prof"].id), course[0],
                                title="Quick", count=1, due_at="2099-01-01T12:00:00Z",
                                max_attempts=1, time_limit_minutes=1)
        db.session.commit()
    auth.login("stud")
    page = " ".join(client.get("/assignments").get_data(as_text=True).split())
    assert "1 question · 1 minute once started" in page
    assert "1 minutes" not in page and "1 questions" not in page


@pytest.mark.parametrize("title, expected", [
    ("Week 1: NATO and Japan, the partnership since 2006 and beyond",
     "week-1-nato-and-japan-the-partnership-since-2006"),
    ("Short", "short"),
    ("x" * 80, "x" * 50),
])
def test_export_names_are_cut_at_a_word_boundary(title, expected):
    assert teach.exports._slug(title) == expected
    assert len(teach.exports._slug(title)) <= 50


def test_report_a_problem_is_a_button_and_instructors_add_to_the_review_queue(client, auth,
                                                                              app, people):
    from quizapp.models import Question, QuestionStatus

    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE).limit(1))
    auth.login("prof")
    page = client.get(f"/teach/questions/{qid}").get_data(as_text=True)
    assert '<summary class="button flag-toggle">Report a problem' in page
    assert "Send to instructor" not in page and "Add to the review queue" in page


def test_every_page_links_an_icon_and_favicon_ico_is_served(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data().startswith(b"<svg")


# =========================================================================== 8, 9. finding your way

def test_students_find_join_a_class_and_my_assignments_in_nav_and_dashboard(client, auth,
                                                                            people):
    auth.login("stud")
    page = client.get("/dashboard").get_data(as_text=True)
    nav = re.search(r'<ul class="nav-links">.*?</ul>', page, re.S).group(0)
    assert 'href="/classes/join">Join a class' in nav
    assert 'href="/assignments">My assignments' in nav
    body = page[page.index("<main"):]
    assert 'href="/classes/join"' in body and 'href="/assignments"' in body


def test_a_class_code_typed_as_a_warm_up_pin_points_to_the_class_join_page(client, course):
    page = client.post("/join", data={"pin": course[1], "nickname": "Ada"}).get_data(
        as_text=True)
    assert "looks like a class code" in page and "PIN is 6 digits" not in page
    assert 'href="/classes/join">Join a class' in page
    digits = client.post("/join", data={"pin": "12345", "nickname": "Ada"}).get_data(
        as_text=True)
    assert "The PIN is 6 digits" in digits


def test_instructors_land_on_the_teaching_dashboard(client, auth, people):
    login = client.post("/login", data={"username": "prof", "password": "correct horse battery"})
    assert login.location == "/teach/"
    assert client.get("/").location.endswith("/teach/")
    auth.logout()
    auth.login("stud")
    assert client.get("/").location.endswith("/dashboard")


# =========================================================================== 13. privacy

def test_the_misconception_map_counts_only_what_students_share(client, auth, app, people,
                                                               course):
    from quizapp.models import (
        Assignment,
        LiveAnswer,
        LiveGame,
        LivePlayer,
        Question,
        QuestionStatus,
    )
    from quizapp.services import study

    cid = course[0]
    with app.app_context():
        stud = db.session.get(User, people["stud"].id)
        enrolled = db.session.scalar(select(Enrollment.created_at).where(
            Enrollment.user_id == stud.id))
        questions = db.session.scalars(select(Question).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq")
            .order_by(Question.id)).all()
        by_fact = {q.fact_ids[0]: q for q in questions if len(q.fact_ids) == 1}
        private, assigned, hosted, elsewhere = list(by_fact.values())[:4]
        counted = {assigned.fact_ids[0], hosted.fact_ids[0]}
        hosted_fact = hosted.fact_ids[0]

        def wrong(question):
            return next(c["id"] for c in question.payload["choices"]
                        if c["id"] != question.payload["answer"])

        # Private practice (and a review) must not count.
        attempt = study.start_attempt(stud, count=1, question_ids=[private.id])
        study.record_answer(stud, attempt.id, private.id, wrong(private))
        # An attempt at this class's assignment counts.
        assignment = teach.create_assignment(
            db.session.get(User, people["prof"].id), cid, title="W1", count=1,
            due_at="2099-01-01T12:00:00Z", max_attempts=1, question_ids=[assigned.id])
        db.session.flush()
        given = teach.start_assignment_attempt(stud, assignment.id)
        study.record_answer(stud, given.id, assigned.id, wrong(assigned))
        # Warm-ups: prof's after joining counts; one from before joining, or another
        # instructor's, does not.
        for host, question, at in (
                ("prof", hosted, enrolled + timedelta(minutes=1)),
                ("prof", elsewhere, enrolled - timedelta(days=1)),
                ("other", elsewhere, enrolled + timedelta(minutes=1))):
            game = LiveGame(pin=str(100000 + question.id + len(host)), question_ids=[question.id],
                            host_id=people[host].id)
            db.session.add(game)
            db.session.flush()
            player = LivePlayer(game_id=game.id, nickname=host, nickname_key=host + "x",
                                token_hash=f"{game.id:064d}", user_id=stud.id)
            db.session.add(player)
            db.session.flush()
            db.session.add(LiveAnswer(game_id=game.id, player_id=player.id, question_index=0,
                                      question_id=question.id, response=None, correct=False,
                                      answered_at=at))
        db.session.commit()
        rows = {r["fact_id"]: r for r in teach.class_misconceptions(
            db.session.get(Assignment, assignment.id).course)}
    assert set(rows) == counted
    assert rows[hosted_fact]["live_answers"] == 1
    auth.login("loner")
    join = client.get(f"/classes/join/{course[1]}").get_data(as_text=True)
    assert "Your own practice quizzes and reviews stay private" in join


# =========================================================================== 12. progress

def test_progress_groups_by_topic_filters_by_status_and_folds_mastered(client, auth, app,
                                                                       people):
    user_id = people["stud"].id
    _due_facts(app, user_id, 3)  # three facts seen, missed, due now
    with app.app_context():
        mastered = db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)
                                      .order_by(Fact.id.desc()).limit(2)).all()
        for fact_id in mastered:
            db.session.add(FactProgress(user_id=user_id, fact_id=fact_id, seen=1, correct=1,
                                        due=utcnow() + timedelta(days=3)))
        db.session.commit()
    auth.login("stud")
    page = client.get("/progress").get_data(as_text=True)
    assert page.count('<details class="topic-group"') >= 2
    assert page.count('<details class="mastered-facts">') >= 1
    folded = re.findall(r'<details class="mastered-facts">.*?</details>', page, re.S)
    assert all(f"fact-{fact_id}" in "".join(folded) for fact_id in mastered)
    due = client.get("/progress?status=due").get_data(as_text=True)
    assert due.count('<tr id="fact-') == 3 and "Showing 3 facts" in due
    only = client.get("/progress?status=mastered").get_data(as_text=True)
    assert only.count('<tr id="fact-') == 2 and 'class="mastered-facts"' not in only
    assert client.get("/progress?status=nonsense").status_code == 200
