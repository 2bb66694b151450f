"""Instructor pages for managing assignments and classes: edit, close, delete (with its
confirmation), available from, class settings, one student's answers, extensions and grade
overrides; and what students see of them."""
# The shared fixtures are imported from the test module that defines them.
# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select
from test_teach import count, course, make_assignment, people, take  # noqa: F401 (fixtures)

from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    Course,
    Enrollment,
    Extension,
    GradeOverride,
    User,
    utcnow,
)
from quizapp.services import teach

EDIT_FORM = {"title": "Week 1", "count": "4", "due_at": "2099-01-01T12:00",
             "max_attempts": "2", "grading": "highest", "show_keys": "immediately",
             "same_questions": "same", "tz_offset": "0"}


def get_assignment(app, aid) -> Assignment:
    with app.app_context():
        a = db.session.get(Assignment, aid)
        db.session.expunge(a)
        return a


# =========================================================================== edit

def test_the_edit_form_shows_the_current_settings(client, auth, app, people, course,
                                                  make_assignment):
    aid = make_assignment(course[0], title="Week <b>1</b>")
    auth.login("prof")
    page = client.get(f"/teach/assignments/{aid}/edit").get_data(as_text=True)
    assert "Edit assignment" in page and "Save changes" in page
    assert 'value="Week &lt;b&gt;1&lt;/b&gt;"' in page
    assert 'value="2099-01-01T12:00"' in page and "data-utc" in page
    assert "questions are fixed" not in page


def test_editing_moves_the_due_date_and_sets_available_from(client, auth, app, people,
                                                            course, make_assignment):
    aid = make_assignment(course[0])
    auth.login("prof")
    response = client.post(f"/teach/assignments/{aid}/edit", data={
        **EDIT_FORM, "title": "Week 1 (moved)", "due_at": "2099-02-01T10:30",
        "available_from": "2099-01-15T08:00", "tz_offset": "-60"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teach/assignments/{aid}")
    a = get_assignment(app, aid)
    assert a.title == "Week 1 (moved)"
    assert a.due_at.isoformat() == "2099-02-01T09:30:00"  # typed at UTC+1
    assert a.available_from.isoformat() == "2099-01-15T07:00:00"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved" in page and "Opens" in page


def test_the_same_form_sent_twice_changes_nothing_the_second_time(client, auth, app,
                                                                  people, course, make_assignment):
    aid = make_assignment(course[0])
    auth.login("prof")
    data = {**EDIT_FORM, "max_attempts": "3"}
    first = client.post(f"/teach/assignments/{aid}/edit", data=data, follow_redirects=True)
    second = client.post(f"/teach/assignments/{aid}/edit", data=data, follow_redirects=True)
    assert "Saved" in first.get_data(as_text=True)
    assert "Nothing changed." in second.get_data(as_text=True)
    assert get_assignment(app, aid).max_attempts == 3


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "This field is required."),
    ({"due_at": "2001-01-01T10:00"}, "Choose a due date in the future."),
    ({"available_from": "2099-03-01T10:00"}, "Choose a time before the due date."),
    ({"max_attempts": "50"}, "Number must be between 1 and 20."),
    ({"due_at": "someday"}, "Not a valid datetime value.")])
def test_an_invalid_edit_shows_the_form_again(client, auth, app, people, course,
                                              changes, message, make_assignment):
    aid = make_assignment(course[0])
    auth.login("prof")
    response = client.post(f"/teach/assignments/{aid}/edit", data={**EDIT_FORM, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert get_assignment(app, aid).due_at.year == 2099 and \
        get_assignment(app, aid).title == "Week 1"


def test_once_started_the_form_fixes_the_questions(client, auth, app, people, course,
                                                   make_assignment):
    aid = make_assignment(course[0])
    take(app, people, aid)
    auth.login("prof")
    page = client.get(f"/teach/assignments/{aid}/edit").get_data(as_text=True)
    assert "1 attempt made: the questions are fixed" in page
    assert re.search(r'<fieldset class="fixed-questions" disabled', page)
    response = client.post(f"/teach/assignments/{aid}/edit",
                           data={**EDIT_FORM, "count": "7", "due_at": "2099-05-01T12:00"})
    assert response.status_code == 303
    a = get_assignment(app, aid)
    assert a.count == 4 and a.due_at.month == 5  # the questions stayed, the date moved


# =========================================================================== close, delete

def test_close_now_keeps_the_grades_and_stops_new_attempts(client, auth, app, people,
                                                          course, make_assignment):
    aid = make_assignment(course[0])
    take(app, people, aid)
    auth.login("prof")
    page = client.get(f"/teach/assignments/{aid}").get_data(as_text=True)
    assert "Close now" in page
    response = client.post(f"/teach/assignments/{aid}/close", follow_redirects=True)
    assert "no attempt can start now" in response.get_data(as_text=True)
    again = client.post(f"/teach/assignments/{aid}/close", follow_redirects=True)
    assert "already closed" in again.get_data(as_text=True)
    assert get_assignment(app, aid).due_at <= utcnow()
    assert count(app, Attempt) == 1
    auth.logout()
    auth.login("stud")
    mine = client.get("/assignments").get_data(as_text=True)
    assert "Past due" in mine and "Try again" not in mine


def test_delete_asks_first_with_the_number_of_attempts(client, auth, app, people, course,
                                                       make_assignment):
    aid = make_assignment(course[0])
    take(app, people, aid)
    take(app, people, aid)
    auth.login("prof")
    url = f"/teach/classes/{course[0]}/assignments/{aid}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "2 attempts</strong> by 1 student" in page
    assert "Delete assignment and 2 attempts" in page and "Close it now instead" in page
    assert count(app, Assignment) == 1  # asking deletes nothing
    response = client.post(url)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teach/classes/{course[0]}#assignments")
    assert count(app, Assignment) == 0 and count(app, Attempt) == 0
    assert count(app, Answer) == 0
    twice = client.post(url, follow_redirects=True)  # a double click
    assert twice.status_code == 200
    assert "already deleted" in twice.get_data(as_text=True)


def test_an_assignment_of_another_class_is_not_deleted_through_this_one(
        client, auth, app, people, course, make_assignment):
    aid = make_assignment(course[0])
    with app.app_context():
        second = teach.create_course(db.session.get(User, people["prof"].id), "Other")
        db.session.commit()
        second_id = second.id
    auth.login("prof")
    url = f"/teach/classes/{second_id}/assignments/{aid}/delete"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert count(app, Assignment) == 1


def test_management_pages_refuse_students_and_other_instructors(client, auth, app, people,
                                                               course, make_assignment):
    aid = make_assignment(course[0])
    cid, sid = course[0], people["stud"].id
    gets = [f"/teach/assignments/{aid}/edit", f"/teach/classes/{cid}/settings",
            f"/teach/classes/{cid}/delete", f"/teach/classes/{cid}/assignments/{aid}/delete",
            f"/teach/assignments/{aid}/students/{sid}"]
    posts = [(f"/teach/assignments/{aid}/edit", EDIT_FORM),
             (f"/teach/assignments/{aid}/close", {}),
             (f"/teach/classes/{cid}/assignments/{aid}/delete", {}),
             (f"/teach/classes/{cid}/settings", {"name": "Mine"}),
             (f"/teach/classes/{cid}/join-code", {}), (f"/teach/classes/{cid}/archive", {}),
             (f"/teach/classes/{cid}/delete", {}),
             (f"/teach/assignments/{aid}/students/{sid}/extension",
              {"due_at": "2099-06-01T12:00"}),
             (f"/teach/assignments/{aid}/students/{sid}/override",
              {"grade": "1", "reason": "r"})]
    for who, status in (("stud", 403), ("other", 404)):
        auth.login(who)
        for url in gets:
            assert client.get(url).status_code == status, (who, url)
        for url, data in posts:
            assert client.post(url, data=data).status_code == status, (who, url)
        auth.logout()
    with app.app_context():
        c = db.session.get(Course, cid)
        assert c.name == "Seminar" and c.archived_at is None and c.join_code == course[1]
    assert count(app, Assignment) == 1 and count(app, Extension) == 0
    assert count(app, GradeOverride) == 0
    assert get_assignment(app, aid).due_at.year == 2099


# =========================================================================== classes

def test_class_settings_rename_renew_archive_restore(client, auth, app, people, course,
                                                     make_assignment):
    cid, old_code = course
    aid = make_assignment(course[0])
    auth.login("prof")
    assert "Class settings" in client.get(f"/teach/classes/{cid}").get_data(as_text=True)
    bad = client.post(f"/teach/classes/{cid}/settings", data={"name": ""})
    assert bad.status_code == 400 and "This field is required." in bad.get_data(as_text=True)
    client.post(f"/teach/classes/{cid}/settings", data={"name": "Seminar <i>B</i>"})
    renewed = client.post(f"/teach/classes/{cid}/join-code", follow_redirects=True)
    with app.app_context():
        c = db.session.get(Course, cid)
        name, code = c.name, c.join_code
    assert name == "Seminar <i>B</i>" and code != old_code
    assert "The old code no longer works" in renewed.get_data(as_text=True)
    archived = client.post(f"/teach/classes/{cid}/archive", data={"archived": "1"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Archived" in archived and "New assignment" not in archived
    assert "Seminar &lt;i&gt;B&lt;/i&gt;" in archived
    index = client.get("/teach/").get_data(as_text=True)
    assert "Archived classes (1)" in index
    assert client.post(f"/teach/classes/{cid}/join-code").status_code == 303  # refused, said
    with app.app_context():
        assert db.session.get(Course, cid).join_code == code
    auth.logout()
    auth.login("stud")
    assert "Week 1" not in client.get("/assignments").get_data(as_text=True)
    assert client.post(f"/assignments/{aid}/start").status_code == 303
    assert count(app, Attempt) == 0
    auth.logout()
    auth.login("stud2")
    joining = client.post(f"/classes/join/{code}")
    assert joining.status_code == 409 and "archived" in joining.get_data(as_text=True)
    assert client.get(f"/classes/join/{old_code}").status_code == 404
    auth.logout()
    auth.login("prof")
    client.post(f"/teach/classes/{cid}/archive", data={"archived": "0"})
    auth.logout()
    auth.login("stud")
    assert "Week 1" in client.get("/assignments").get_data(as_text=True)


def test_deleting_a_class_asks_then_removes_everything_in_it(client, auth, app, people,
                                                             course, make_assignment):
    cid = course[0]
    aid = make_assignment(cid)
    take(app, people, aid)
    auth.login("prof")
    page = client.get(f"/teach/classes/{cid}/delete").get_data(as_text=True)
    assert "1 student</strong>" in page and "1 assignment</strong> with <strong>1 attempt" \
        in page
    response = client.post(f"/teach/classes/{cid}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/teach/")
    assert count(app, Course) == 0 and count(app, Enrollment) == 0
    assert count(app, Assignment) == 0 and count(app, Attempt) == 0
    twice = client.post(f"/teach/classes/{cid}/delete", follow_redirects=True)
    assert "already deleted" in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, people["stud"].id) is not None  # accounts stay


def test_a_co_instructor_may_not_rename_or_delete_the_class(client, auth, app, people,
                                                            course):
    cid = course[0]
    with app.app_context():
        teach.add_co_instructor(db.session.get(User, people["prof"].id), cid, "other")
        db.session.commit()
    auth.login("other")
    page = client.get(f"/teach/classes/{cid}/settings").get_data(as_text=True)
    assert "Only the owner, prof," in page
    assert client.post(f"/teach/classes/{cid}/settings",
                       data={"name": "Mine"}).status_code == 403
    assert client.post(f"/teach/classes/{cid}/delete").status_code == 403
    assert client.post(f"/teach/classes/{cid}/archive").status_code == 403
    assert count(app, Course, Course.name == "Seminar") == 1


# =========================================================================== one student

def test_the_gradebook_opens_a_students_answers_with_the_keys(client, auth, app, people,
                                                             course, make_assignment):
    aid = make_assignment(course[0], types=["mcq"])
    take(app, people, aid, right=False)
    sid = people["stud"].id
    auth.login("prof")
    book = client.get(f"/teach/assignments/{aid}").get_data(as_text=True)
    url = f"/teach/assignments/{aid}/students/{sid}"
    assert f'href="{url}"' in book
    page = client.get(url).get_data(as_text=True)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        keys = [item.question.payload["answer_text"] for item in attempt.items]
        prompts = [item.question.payload["prompt"] for item in attempt.items]
    assert page.count('<span class="badge bad">wrong</span>') == 4
    for key, prompt in zip(keys, prompts, strict=True):
        assert str(escape(key)) in page and str(escape(prompt)) in page
    assert "Attempt 1" in page


def test_an_extension_from_the_student_page(client, auth, app, people, course, make_assignment):
    aid = make_assignment(course[0])
    sid = people["stud"].id
    auth.login("prof")
    url = f"/teach/assignments/{aid}/students/{sid}"
    bad = client.post(url + "/extension", data={"due_at": "2098-01-01T12:00", "tz_offset": "0"})
    assert bad.status_code == 400
    assert "Choose a time after the class&#39;s due date" in bad.get_data(as_text=True)
    ok = client.post(url + "/extension", data={"due_at": "2099-01-08T12:00", "tz_offset": "0"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Extension saved." in ok and "extended" in ok
    with app.app_context():
        assert db.session.scalar(select(Extension.due_at)).isoformat() == "2099-01-08T12:00:00"
    book = client.get(f"/teach/assignments/{aid}").get_data(as_text=True)
    assert "extended to" in book
    auth.logout()
    auth.login("stud")
    assert "(your extension)" in client.get("/assignments").get_data(as_text=True)
    auth.logout()
    auth.login("prof")
    client.post(url + "/extension/remove")
    assert count(app, Extension) == 0


def test_an_override_shows_in_the_gradebook_and_the_csv(client, auth, app, people, course,
                                                        make_assignment):
    aid = make_assignment(course[0], types=["mcq"])
    take(app, people, aid, right=False)
    sid = people["stud"].id
    auth.login("prof")
    url = f"/teach/assignments/{aid}/students/{sid}"
    missing = client.post(url + "/override", data={"grade": "9", "reason": ""})
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert "Say why you set this grade." in text
    too_high = client.post(url + "/override", data={"grade": "9", "reason": "Regrade"})
    assert "Enter a number of points from 0 to 4." in too_high.get_data(as_text=True)
    client.post(url + "/override", data={"grade": "3.5", "reason": "Regraded <question 2>"})
    book = client.get(f"/teach/assignments/{aid}").get_data(as_text=True)
    assert "3.5 / 4" in book and ">override</span>" in book
    assert 'title="Regraded &lt;question 2&gt;"' in book
    page = client.get(url).get_data(as_text=True)
    assert "From the attempts: 0 / 4" in page
    csv_text = client.get(f"/teach/assignments/{aid}/export.csv").get_data(as_text=True)
    assert "grade_overridden" in csv_text.splitlines()[0]
    assert "stud,finished,1,3.5,4,87.5" in csv_text and "Regraded <question 2>" in csv_text
    client.post(url + "/override/remove")
    assert count(app, GradeOverride) == 0


def test_a_student_not_in_the_class_has_no_page(client, auth, app, people, course, make_assignment):
    aid = make_assignment(course[0])
    auth.login("prof")
    assert client.get(f"/teach/assignments/{aid}/students/{people['stud2'].id}") \
        .status_code == 404
    assert client.get(f"/teach/assignments/{aid}/students/{people['prof'].id}") \
        .status_code == 404


# =========================================================================== students

def test_students_see_opens_and_cannot_start_early(client, auth, app, people, course,
                                                   make_assignment):
    aid = make_assignment(course[0], available_from="2098-06-01T09:00:00Z")
    auth.login("stud")
    page = client.get("/assignments").get_data(as_text=True)
    assert "Opens" in page and "2098-06-01 09:00 UTC" in page
    assert f"/assignments/{aid}/start" not in page
    response = client.post(f"/assignments/{aid}/start", follow_redirects=True)
    assert "opens 01 Jun 2098" in response.get_data(as_text=True)
    assert count(app, Attempt) == 0


def test_the_new_assignment_form_takes_available_from(client, auth, app, people, course):
    auth.login("prof")
    response = client.post(f"/teach/classes/{course[0]}/assignments/new", data={
        **EDIT_FORM, "available_from": "2098-12-01T09:00", "tz_offset": "120"})
    assert response.status_code == 303
    with app.app_context():
        a = db.session.scalar(select(Assignment))
        assert a.available_from.isoformat() == "2098-12-01T11:00:00"
        assert a.due_at - a.available_from > timedelta(days=30)
