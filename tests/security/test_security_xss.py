"""Cross-site scripting: every place that shows text someone typed shows it escaped.

Each test puts the payloads where a person could (usernames straight into the database,
since registration refuses markup) and reads every page that shows them: the raw payload
never appears, its escaped form does, no link or source is a ``javascript:`` URL, and
``{{7*7}}`` stays text (no template injection).
"""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    Course,
    Enrollment,
    Fact,
    FactStatus,
    LivePlayer,
    Question,
    Role,
    User,
    utcnow,
)
from quizapp.services import live, study, teach

from support.helpers import FAST_HASHER, PASSWORD
from support.security_world import COMMENTARY, form_answer, login, question_form

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            '"><svg onload=alert(1)>', "javascript:alert(1)", "{{7*7}}")
#: Nicknames have at most 20 characters: the same attacks, shorter.
NICKNAMES = ("<script>alert(1)", "<img src onerror=1>", '"><svg onload=1>',
             "javascript:alert(1)", "{{7*7}}")
JS_URL = re.compile(r"""(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""",
                    re.IGNORECASE)
FUTURE = "2099-01-01T12:00:00Z"


def assert_escaped(page: str, texts, where: str) -> None:
    """Each text is on the page, escaped; none raw; no javascript: URL anywhere."""
    assert not JS_URL.search(page), f"{where}: a javascript: URL"
    for text in texts:
        escaped = str(escape(text))
        if escaped != text:
            assert text not in page, f"{where}: {text!r} is shown unescaped"
        assert escaped in page, f"{where}: {text!r} is not shown (escaped) at all"


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def make(app, username: str, role: str = "student") -> int:
    """A user inserted directly (no validation), so a username may hold markup."""
    with app.app_context():
        user = User(username=username, password_hash=FAST_HASHER.hash(PASSWORD),
                    role=Role(role), session_nonce="x")
        db.session.add(user)
        db.session.commit()
        return user.id


def course_with_assignment(app, prof_id: int, **settings) -> tuple[int, int, str]:
    """A class of ``prof_id`` with one assignment; (class id, assignment id, join code)."""
    with app.app_context():
        prof = db.session.get(User, prof_id)
        course = teach.create_course(prof, "Seminar")
        db.session.commit()
        assignment = teach.create_assignment(prof, course.id, **{
            "title": "Week 1", "count": 3, "due_at": FUTURE, "max_attempts": 3, **settings})
        db.session.commit()
        return course.id, assignment.id, course.join_code


def enrol(app, course_id: int, user_id: int) -> None:
    with app.app_context():
        db.session.add(Enrollment(course_id=course_id, user_id=user_id, role=Role.STUDENT))
        db.session.commit()


def test_usernames_with_markup_are_escaped_on_every_page(app):
    prof_id = make(app, "prof", "instructor")
    cid, aid, _code = course_with_assignment(app, prof_id)
    for payload in PAYLOADS:
        user_id = make(app, payload)
        make(app, f"{payload} t", "instructor")
        enrol(app, cid, user_id)
        with app.app_context():
            user = db.session.get(User, user_id)
            attempt = teach.start_assignment_attempt(user, aid)
            db.session.commit()
            qid = attempt.items[0].question_id
            teach.flag_question(user, qid, "Looks wrong")
            db.session.commit()
    prof = login(app, "prof")
    for url in (f"/teach/classes/{cid}", f"/teach/assignments/{aid}",
                f"/teach/questions/{qid}"):
        assert_escaped(page(prof, url), PAYLOADS, url)
    for payload in PAYLOADS:  # the flash after adding a co-instructor names them
        added = prof.post(f"/teach/classes/{cid}/instructors",
                          data={"username": f"{payload} t"}, follow_redirects=True)
        assert added.status_code == 200
        assert_escaped(added.get_data(as_text=True), [f"{payload} t"], "co-instructor flash")
    for payload in PAYLOADS:  # their own pages
        own = login(app, payload)
        for url in ("/dashboard", "/assignments"):
            assert_escaped(page(own, url), [payload], f"{url} of {payload!r}")


def test_live_nicknames_are_escaped_on_the_host_screen_leaderboard_and_results(app):
    prof_id = make(app, "host", "instructor")
    with app.app_context():
        game = live.create_game(db.session.get(User, prof_id), count=2, seconds_per_question=60)
        db.session.commit()
        game_id, pin = game.id, game.pin
    phones = app.test_client()
    tokens = {}
    for nickname in NICKNAMES:
        joined = phones.post(f"/api/v1/live/{pin}/players", json={"nickname": nickname})
        assert joined.status_code == 201, joined.get_json()
        assert joined.get_json()["nickname"] == nickname  # kept as typed, escaped on output
        tokens[nickname] = joined.get_json()["player_token"]
    host = login(app, "host")
    lobby = [f"/live/games/{game_id}", f"/live/games/{game_id}/panel"]
    for url in lobby:
        assert_escaped(page(host, url), NICKNAMES, f"lobby {url}")
    for nickname, token in tokens.items():
        phone = app.test_client()
        phone.set_cookie(f"live_{pin}", token)
        assert_escaped(page(phone, f"/live/{pin}/play"), [nickname], "phone")
        welcome_back = page(phone, f"/join?pin={pin}", follow_redirects=True)
        assert_escaped(welcome_back, [nickname], "welcome back")
    with app.app_context():
        host_user = db.session.get(User, prof_id)
        live.advance(host_user, utcnow(), game_id=game_id)
        live.reveal_now(host_user, utcnow(), game_id=game_id)
        db.session.commit()
    for url in (f"/live/games/{game_id}?view=leaderboard",
                f"/live/games/{game_id}/panel?view=leaderboard"):
        assert_escaped(page(host, url), NICKNAMES, f"leaderboard {url}")
    with app.app_context():
        kicked = db.session.scalar(select(LivePlayer.id).where(
            LivePlayer.nickname == NICKNAMES[0]))
    removed = host.post(f"/live/games/{game_id}/kick", data={"player_id": str(kicked)},
                        follow_redirects=True)
    assert_escaped(removed.get_data(as_text=True), [NICKNAMES[0]], "removed flash")
    with app.app_context():
        live.end_game(db.session.get(User, prof_id), utcnow(), game_id=game_id)
        db.session.commit()
    assert_escaped(page(host, f"/live/games/{game_id}"), NICKNAMES[1:], "podium")
    assert_escaped(page(host, f"/live/games/{game_id}/results"), NICKNAMES, "results")


def test_flag_comments_are_escaped_on_the_review_page(app):
    prof_id = make(app, "prof", "instructor")
    student_id = make(app, "stud")
    cid, aid, _code = course_with_assignment(app, prof_id)
    enrol(app, cid, student_id)
    with app.app_context():
        attempt = teach.start_assignment_attempt(db.session.get(User, student_id), aid)
        db.session.commit()
        qid = attempt.items[0].question_id
    student = login(app, "stud")
    for payload in PAYLOADS:
        sent = student.post(f"/questions/{qid}/flag",
                            data={f"flag-{qid}-comment": payload, f"flag-{qid}-next": "/"})
        assert sent.status_code == 303
    assert_escaped(page(login(app, "prof"), f"/teach/questions/{qid}"), PAYLOADS,
                   "flag comments")


PASTED = ("In 2031, NATO opened an office <script>alert(1)</script> in Tokyo "
          "<img src=x onerror=alert(1)> after \"><svg onload=alert(1)> talks "
          "javascript:alert(1) and {{7*7}} meetings.")


def test_a_pasted_commentary_its_title_and_candidates_are_escaped(app):
    make(app, "prof", "instructor")
    student_id = make(app, "stud")
    prof = login(app, "prof")
    title = "Notes " + " ".join(PAYLOADS)
    added = prof.post("/teach/commentaries", data={"title": title,
                                                   "text": COMMENTARY + "\n\n" + PASTED})
    assert added.status_code == 303, added.get_data(as_text=True)[:500]
    doc_url = added.headers["Location"]
    assert_escaped(page(prof, doc_url), PAYLOADS, "candidates")
    assert_escaped(page(prof, "/teach/commentaries"), PAYLOADS, "commentary list")
    with app.app_context():
        fact = db.session.scalar(select(Fact).where(Fact.quote == PASTED))
        assert fact is not None and fact.status is FactStatus.CANDIDATE
        fact_id, doc = fact.id, fact.commentary
        assert_escaped(page(prof, f"/teach/facts/{fact_id}"), PAYLOADS, "fact edit form")
        changed, problems = teach.set_fact_status(db.session.get(User, doc.created_by_id),
                                                  doc.id, [fact_id], "approved")
        db.session.commit()
        assert changed == [fact_id], problems
        doc_id, slug = doc.id, doc.slug
        # Its author's students read an approved commentary: enrol this one.
        course = teach.create_course(db.session.get(User, doc.created_by_id), "Class")
        teach.join_course(db.session.get(User, student_id), course.join_code)
        db.session.commit()
    assert_escaped(page(prof, f"/teach/questions?document={doc_id}"), PAYLOADS,
                   "review queue")
    student = login(app, "stud")
    assert_escaped(page(student, f"/source?document={slug}"), PAYLOADS, "source page")
    with app.app_context():
        # Enrolled above: the student practises the commentary of their class's instructor.
        # The pasted fact is the commentary's only approved one: whatever form it is asked
        # in, the feedback quotes it.
        attempt = study.start_attempt(db.session.get(User, student_id), count=1,
                                      topics=[slug])
        db.session.commit()
        attempt_id, payload = attempt.id, attempt.items[0].question.payload
    answered = student.post(f"/attempts/{attempt_id}/questions/1", data=form_answer(payload),
                            follow_redirects=True)
    assert answered.status_code == 200
    assert_escaped(answered.get_data(as_text=True), PAYLOADS, "feedback quote")


def test_class_names_are_escaped_for_instructors_and_students(app):
    make(app, "prof", "instructor")
    make(app, "stud")
    prof, student = login(app, "prof"), login(app, "stud")
    for payload in PAYLOADS:
        created = prof.post("/teach/", data={"name": payload}, follow_redirects=True)
        assert created.status_code == 200
        assert_escaped(created.get_data(as_text=True), [payload], "class created")
    assert_escaped(page(prof, "/teach/"), PAYLOADS, "class list")
    with app.app_context():
        prof_user = db.session.scalar(select(User).where(User.username == "prof"))
        courses = teach.courses_taught(prof_user)
        for course in courses:
            teach.create_assignment(prof_user, course.id, title="Week 1", count=2,
                                    due_at=FUTURE)
            db.session.commit()
        classes = [(c.id, c.join_code, c.name) for c in courses]
    for cid, code, name in classes:
        assert_escaped(page(prof, f"/teach/classes/{cid}/join-screen"), [name], "join screen")
        qr = page(prof, f"/teach/classes/{cid}/qr.svg")
        assert not re.search(r"<(script|img|svg onload)", qr), "markup in the QR code's title"
        assert_escaped(page(student, f"/classes/join/{code}"), [name], "join page")
        joined = student.post(f"/classes/join/{code}", follow_redirects=True)
        assert_escaped(joined.get_data(as_text=True), [name], "joined flash")
    for url in ("/assignments", "/dashboard"):
        assert_escaped(page(student, url), PAYLOADS, f"student {url}")


def test_assignment_titles_are_escaped_in_the_gradebook_and_for_students(app):
    prof_id = make(app, "prof", "instructor")
    student_id = make(app, "stud")
    cid, _aid, _code = course_with_assignment(app, prof_id)
    enrol(app, cid, student_id)
    prof = login(app, "prof")
    for payload in PAYLOADS:
        created = prof.post(f"/teach/classes/{cid}/assignments/new", data={
            "title": payload, "count": "2", "due_at": "2099-01-01T12:00", "max_attempts": "1",
            "grading": "highest", "show_keys": "immediately", "same_questions": "same",
            "tz_offset": "0"}, follow_redirects=True)
        assert created.status_code == 200
        assert_escaped(created.get_data(as_text=True), [payload], "assigned flash + class")
    with app.app_context():
        ids = {a.title: a.id for a in teach.course_assignments(db.session.get(
            Course, cid))}
    for payload in PAYLOADS:
        for url in (f"/teach/assignments/{ids[payload]}",
                    f"/teach/assignments/{ids[payload]}/items"):
            assert_escaped(page(prof, url), [payload], url)
    student = login(app, "stud")
    for url in ("/assignments", "/dashboard"):
        assert_escaped(page(student, url), PAYLOADS, f"student {url}")


def test_edited_question_wording_is_escaped_for_students_instructors_and_the_host(app):
    prof_id = make(app, "prof", "instructor")
    student_id = make(app, "stud")
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.type == "mcq")
                                     .order_by(Question.id))
        qid, payload = question.id, question.payload
    form = question_form(payload, " / ".join(PAYLOADS))
    keys = {f"opt_choices_{payload['answer']}"}  # a key's text cannot change in the editor
    for n, name in enumerate(k for k in form if k.startswith("opt_") and k not in keys):
        form[name] = f"{PAYLOADS[n % len(PAYLOADS)]} #{n}"
    form["explanation"] = " ".join(PAYLOADS)
    prof = login(app, "prof")
    saved = prof.post(f"/teach/questions/{qid}", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:800]
    new_url = saved.headers["Location"]
    assert_escaped(page(prof, new_url), PAYLOADS, "edited question")
    with app.app_context():
        new = db.session.scalar(select(Question).where(Question.uid == question.uid)
                                .order_by(Question.version.desc()))
        new_id, topic = new.id, new.topic
        attempt = study.start_attempt(db.session.get(User, student_id), count=1,
                                      question_ids=[new_id], owner_id=prof_id)  # prof's own
        game = live.create_game(db.session.get(User, prof_id), question_ids=[new_id])
        db.session.commit()
        live.advance(db.session.get(User, prof_id), utcnow(), game_id=game.id)
        db.session.commit()
        attempt_id, game_id, new_payload = attempt.id, game.id, new.payload
    assert_escaped(page(prof, f"/teach/questions?topic={topic}&type=mcq"), PAYLOADS[:1],
                   "review queue")
    assert_escaped(page(prof, f"/live/games/{game_id}"), PAYLOADS, "host question")
    student = login(app, "stud")
    assert_escaped(page(student, f"/attempts/{attempt_id}/questions/1"), PAYLOADS,
                   "question page")
    feedback = student.post(f"/attempts/{attempt_id}/questions/1",
                            data=form_answer(new_payload), follow_redirects=True)
    assert_escaped(feedback.get_data(as_text=True), PAYLOADS, "feedback")
    student.post(f"/attempts/{attempt_id}/finish")
    assert_escaped(page(student, f"/attempts/{attempt_id}/result"), PAYLOADS, "result page")


def test_typed_short_answers_are_escaped_on_feedback_result_and_item_analysis(app):
    prof_id = make(app, "prof", "instructor")
    student_id = make(app, "stud")
    cid, aid, _code = course_with_assignment(app, prof_id, count=len(PAYLOADS),
                                             types=["short"])
    enrol(app, cid, student_id)
    student = login(app, "stud")
    started = student.post(f"/assignments/{aid}/start")
    assert started.status_code == 303
    attempt_url = started.headers["Location"]
    for number, payload in enumerate(PAYLOADS, 1):
        answered = student.post(f"{attempt_url}/questions/{number}",
                                data={"response": payload}, follow_redirects=True)
        assert answered.status_code == 200
        assert_escaped(answered.get_data(as_text=True), [payload], "feedback")
    student.post(f"{attempt_url}/finish")
    assert_escaped(page(student, f"{attempt_url}/result"), PAYLOADS, "result page")
    assert_escaped(page(login(app, "prof"), f"/teach/assignments/{aid}/items"), PAYLOADS,
                   "item analysis")


def test_redirect_targets_never_become_javascript_urls(app):
    student_id = make(app, "stud")
    client = app.test_client()
    for target in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                   "\tjavascript:alert(1)", "java\nscript:alert(1)"):
        client.post("/logout")
        response = client.post("/login", query_string={"next": target},
                               data={"username": "stud", "password": PASSWORD})
        assert response.headers["Location"] == "/dashboard", target
    # the log-in page passes ?next= on to the sign-up link: encoded, never markup
    login_page = page(app.test_client(), "/login", query_string={"next": PAYLOADS[2]})
    assert PAYLOADS[2] not in login_page and not JS_URL.search(login_page)
    with app.app_context():
        attempt = study.start_attempt(db.session.get(User, student_id), count=1)
        db.session.commit()
        qid = attempt.items[0].question_id
    flagged = login(app, "stud").post(f"/questions/{qid}/flag", data={
        f"flag-{qid}-comment": "x", f"flag-{qid}-next": "javascript:alert(1)"})
    assert flagged.status_code == 303 and flagged.headers["Location"] == "/dashboard"
