"""LTI 1.3: launches, deep linking, grade passback and rosters against a stand-in LMS."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html import unescape

import pytest
import requests
from sqlalchemy import select

from quizapp.cli import main
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Attempt,
    Course,
    Enrollment,
    LtiGrade,
    LtiUser,
    Role,
    User,
    utcnow,
)
from quizapp.services import lti, study

from support.helpers import PASSWORD, valid_response
from support.lti_platform import INSTRUCTOR, LEARNER, Platform, new_key


@pytest.fixture
def platform(app) -> Iterator[Platform]:
    """A stand-in LMS on loopback, registered with the app as an administrator would."""
    with Platform() as lms:
        tool = app.test_client()
        lms.tool_jwks = lambda: tool.get("/.well-known/jwks.json").get_json()
        reg = lms.registration()
        result = app.test_cli_runner().invoke(main, [
            "lti", "add-platform", "--issuer", reg["issuer"], "--client-id", reg["client_id"],
            "--deployment-id", reg["deployment_id"], "--auth-login-url", reg["auth_login_url"],
            "--auth-token-url", reg["auth_token_url"], "--keyset-url", reg["keyset_url"],
            "--name", "Stand-in LMS"])
        assert result.exit_code == 0, result.output
        yield lms


def _user(app, sub: str) -> User:
    with app.app_context():
        link = db.session.scalar(select(LtiUser).where(LtiUser.sub == sub))
        assert link is not None, f"no account for {sub}"
        user = link.user
        db.session.expunge(user)
        return user


def _deep_link(app, lms: Platform, *, title: str = "Week 3 check", count: int = 3) -> dict:
    """An instructor adds a new assignment from the LMS; returns the content item it got."""
    teacher = app.test_client()
    page = lms.launch(teacher, sub="u-teacher", roles=[INSTRUCTOR],
                      message_type="LtiDeepLinkingRequest")
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    launch_id = re.search(r'name="launch_id" value="([^"]+)"', html).group(1)
    back = teacher.post("/lti/deep-link", data={"launch_id": launch_id, "assignment_id": "new",
                                                "title": title, "count": str(count)})
    assert back.status_code == 200, back.get_data(as_text=True)
    html = back.get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" data-autosubmit>', html)
    action = unescape(form.group(1))
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    assert action == lms.url + "/deep_link_return"
    # The browser posts the signed answer to the platform, which checks it with our JWKS.
    assert requests.post(action, data={"JWT": token}, timeout=10).status_code == 200
    return lms.deep_link_items[-1]


def _learner_launch(client, lms: Platform, item: dict, sub: str = "u-learner"):
    return lms.launch(client, sub=sub, roles=[LEARNER], custom=item["custom"],
                      lineitem=item["_lineitem_url"], resource_link="rl-week3")


def _take_and_finish(app, client, user: User, assignment_id: int) -> Attempt:
    """Start the assignment through its page, answer every question, finish it."""
    started = client.post(f"/assignments/{assignment_id}/start")
    assert started.status_code == 303, started.get_data(as_text=True)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[-1])
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        for item in attempt.items:
            study.record_answer(db.session.get(User, user.id), attempt_id, item.question_id,
                                valid_response(item.question.payload))
        db.session.commit()
    finished = client.post(f"/attempts/{attempt_id}/finish")
    assert finished.status_code == 302
    finished.close()  # as a WSGI server does once the response is out
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def test_tool_publishes_its_keys_and_configuration(app, client, platform):
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]
    assert client.get("/lti/jwks").get_json()["keys"] == keys
    config = client.get("/lti/config.json").get_json()
    assert config["oidc_initiation_url"] == "http://localhost/lti/login"
    assert config["target_link_uri"] == "http://localhost/lti/launch"
    assert config["public_jwk_url"] == "http://localhost/lti/jwks"
    assert lti.SCORE_SCOPE in config["scopes"] and lti.NRPS_SCOPE in config["scopes"]
    listed = app.test_cli_runner().invoke(main, ["lti", "list"])
    assert platform.issuer in listed.output and "deploy-1" in listed.output


def test_instructor_launch_creates_the_account_and_the_class(app, platform):
    teacher = app.test_client()
    page = platform.launch(teacher, sub="u-teacher", roles=[INSTRUCTOR])
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "instructor" in page.get_data(as_text=True)
    user = _user(app, "u-teacher")
    assert user.role is Role.INSTRUCTOR and user.username.startswith("grace-hopper-")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.owner_id == user.id))
        assert course.name == "Alliances in Asia"
    # Signed in with no sign-up: the class page opens.
    assert teacher.get(f"/teach/classes/{course.id}").status_code == 200
    # The LMS page, linked from the teaching pages, lists the platform and the class.
    assert 'href="/lti/"' in teacher.get("/teach/").get_data(as_text=True)
    lms_page = teacher.get("/lti/").get_data(as_text=True)
    assert platform.issuer in lms_page and "Alliances in Asia" in lms_page
    # A second launch finds the same account and class.
    platform.launch(app.test_client(), sub="u-teacher", roles=[INSTRUCTOR])
    with app.app_context():
        assert db.session.scalar(select(LtiUser).where(LtiUser.sub == "u-teacher")).user_id \
            == user.id
        assert len(db.session.scalars(select(Course).where(Course.owner_id == user.id)).all()) \
            == 1


def test_learner_launch_enrols_a_student_without_sign_up(app, platform):
    item = _deep_link(app, platform)
    learner = app.test_client()
    page = _learner_launch(learner, platform, item)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "Week 3 check" in page.get_data(as_text=True)
    user = _user(app, "u-learner")
    assert user.role is Role.STUDENT
    with app.app_context():
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id))
        assert enrollment.role is Role.STUDENT
        assert enrollment.course.name == "Alliances in Asia"
    assert "Week 3 check" in learner.get("/assignments").get_data(as_text=True)
    assert learner.get("/lti/").status_code == 403  # the LMS page is for instructors


def test_learner_before_any_instructor_is_told_to_wait(app, platform):
    page = platform.launch(app.test_client(), sub="u-learner", roles=[LEARNER])
    assert page.status_code == 409
    assert "instructor has not set up" in page.get_data(as_text=True)


def test_deep_link_returns_a_signed_resource_link_for_a_picked_assignment(app, platform):
    first = _deep_link(app, platform, title="Created in the LMS", count=4)
    assert first["type"] == "ltiResourceLink"
    assert first["url"] == "http://localhost/lti/launch"
    assert first["lineItem"]["scoreMaximum"] == 4 and first["lineItem"]["label"] == \
        "Created in the LMS"
    with app.app_context():
        made = db.session.get(Assignment, int(first["custom"]["assignment_id"]))
        assert made.title == "Created in the LMS" and made.count == 4
    # Picking the existing assignment links it again (no second assignment).
    teacher = app.test_client()
    page = platform.launch(teacher, sub="u-teacher", roles=[INSTRUCTOR],
                           message_type="LtiDeepLinkingRequest").get_data(as_text=True)
    assert "Created in the LMS" in page
    launch_id = re.search(r'name="launch_id" value="([^"]+)"', page).group(1)
    html = teacher.post("/lti/deep-link", data={"launch_id": launch_id,
                                                "assignment_id": str(made.id)}
                        ).get_data(as_text=True)
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    requests.post(platform.url + "/deep_link_return", data={"JWT": token}, timeout=10)
    assert platform.deep_link_items[-1]["custom"] == {"assignment_id": str(made.id)}
    with app.app_context():
        assert db.session.scalar(select(Assignment).where(
            Assignment.title == "Created in the LMS", Assignment.id != made.id)) is None


def test_learner_cannot_deep_link(app, platform):
    _deep_link(app, platform)
    page = platform.launch(app.test_client(), sub="u-learner", roles=[LEARNER],
                           message_type="LtiDeepLinkingRequest")
    assert page.status_code == 403
    assert "Only instructors" in page.get_data(as_text=True)


def test_launch_deep_link_attempt_and_grade_arrive_once(app, platform):
    """The whole round: deep link, learner launch, a finished attempt, one grade in the book."""
    item = _deep_link(app, platform)
    learner = app.test_client()
    assert _learner_launch(learner, platform, item).status_code == 200
    user = _user(app, "u-learner")
    attempt = _take_and_finish(app, learner, user, int(item["custom"]["assignment_id"]))
    # Sent after the finish's response (the outbox), or at the latest by the command:
    result = app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    assert result.exit_code == 0, result.output
    assert len(platform.gradebook) == 1
    score = platform.gradebook[0]
    assert score["userId"] == "u-learner"
    assert score["lineitem"] == item["_lineitem_url"]
    assert score["scoreGiven"] == attempt.score and score["scoreMaximum"] == 3
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    # Finishing again, or draining again, sends nothing more.
    learner.post(f"/attempts/{attempt.id}/finish")
    app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    assert len(platform.gradebook) == 1


def test_grade_is_sent_once_after_the_platform_was_down(app, platform):
    item = _deep_link(app, platform)
    learner = app.test_client()
    _learner_launch(learner, platform, item)
    user = _user(app, "u-learner")
    platform.down = True
    attempt = _take_and_finish(app, learner, user, int(item["custom"]["assignment_id"]))
    failed = app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    with app.app_context():
        row = db.session.scalar(select(LtiGrade).where(LtiGrade.attempt_id == attempt.id))
        assert row.sent_at is None and row.tries >= 1 and "503" in row.last_error
        assert row.next_try_at > utcnow()
    assert platform.gradebook == []
    # Not due yet: a drain now leaves it alone even though the platform is back.
    platform.down = False
    app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    assert platform.gradebook == []
    with app.app_context():  # the retry delay passes
        db.session.get(LtiGrade, row.id).next_try_at = utcnow()
        db.session.commit()
    result = app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 grades" in result.output
    assert [s["userId"] for s in platform.gradebook] == ["u-learner"]
    app.test_cli_runner().invoke(main, ["lti", "send-grades"])
    assert len(platform.gradebook) == 1
    assert failed.exit_code in (0, 1)


def test_finish_sends_the_grade_after_the_response(app, platform):
    item = _deep_link(app, platform)
    learner = app.test_client()
    _learner_launch(learner, platform, item)
    _take_and_finish(app, learner, _user(app, "u-learner"), int(item["custom"]["assignment_id"]))
    # No command run: the request that finished the attempt delivered it.
    for _ in range(100):
        if platform.gradebook:
            break
        time.sleep(0.05)
    assert len(platform.gradebook) == 1


def test_roster_is_filled_from_the_platform(app, platform):
    teacher = app.test_client()
    platform.launch(teacher, sub="u-teacher", roles=[INSTRUCTOR])
    platform.members = [
        {"user_id": "u-teacher", "name": "Grace Hopper", "status": "Active",
         "roles": [INSTRUCTOR]},
        {"user_id": "u-2", "name": "Alan Turing", "status": "Active", "roles": ["Learner"]},
        {"user_id": "u-3", "name": "Emmy Noether", "status": "Active", "roles": [LEARNER]},
        {"user_id": "u-4", "name": "Gone Student", "status": "Inactive", "roles": [LEARNER]},
    ]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.name == "Alliances in Asia"))
    response = teacher.post(f"/lti/classes/{course.id}/roster")
    assert response.status_code == 303
    assert "2 new members" in teacher.get("/lti/").get_data(as_text=True)
    with app.app_context():
        names = {e.user.username.rsplit("-", 1)[0]: e.role for e in db.session.scalars(
            select(Enrollment).where(Enrollment.course_id == course.id))}
    assert names == {"alan-turing": Role.STUDENT, "emmy-noether": Role.STUDENT}
    # The learner who launches later is the same account the roster made.
    item = _deep_link(app, platform)
    _learner_launch(app.test_client(), platform, item, sub="u-2")
    with app.app_context():
        assert len(db.session.scalars(select(LtiUser).where(LtiUser.sub == "u-2")).all()) == 1
    # Again: nobody new.
    teacher.post(f"/lti/classes/{course.id}/roster")
    assert "0 new members" in teacher.get("/lti/").get_data(as_text=True)


def test_another_instructors_class_has_no_roster_button_for_you(app, platform, make_user,
                                                                 auth):
    platform.launch(app.test_client(), sub="u-teacher", roles=[INSTRUCTOR])
    make_user("someone", "instructor")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.name == "Alliances in Asia"))
    auth.login("someone")
    assert auth._client.post(f"/lti/classes/{course.id}/roster").status_code == 404


def _forged(lms: Platform):
    other, _ = new_key()  # right kid, wrong key
    return lambda nonce: lms.id_token(nonce, key=other)


@pytest.mark.parametrize(("case", "message"), [
    ("forged", "signature does not match"),
    ("wrong_audience", "wrong audience"),
    ("expired", "has expired"),
    ("deployment", "deployment is not registered"),
    ("unknown_key", "key the platform does not publish"),
])
def test_bad_launches_are_refused_with_a_clear_message(app, platform, case, message):
    now = int(time.time())
    tokens = {
        "forged": _forged(platform),
        "wrong_audience": lambda n: platform.id_token(n, aud="another-tool"),
        "expired": lambda n: platform.id_token(n, iat=now - 900, exp=now - 600),
        "deployment": lambda n: platform.id_token(
            n, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-ours"}),
        "unknown_key": lambda n: platform.id_token(n, kid="nobody-s-key"),
    }
    client = app.test_client()
    page = platform.launch(client, id_token=tokens[case])
    assert page.status_code == 403, page.get_data(as_text=True)
    assert message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LtiUser)) is None  # nobody signed up
    assert client.get("/assignments").status_code == 302  # and nobody signed in


def test_replayed_launch_is_refused(app, platform):
    item = _deep_link(app, platform)
    client = app.test_client()
    assert _learner_launch(client, platform, item).status_code == 200
    again = client.post("/lti/launch", data=platform.last_form)
    assert again.status_code == 403
    assert "already used (replayed nonce)" in again.get_data(as_text=True)
    # Replayed from another browser (without the state cookie) it fails as well.
    stranger = app.test_client().post("/lti/launch", data=platform.last_form)
    assert stranger.status_code == 403


def test_launch_for_another_site_or_unregistered_platform_is_refused(app, platform):
    client = app.test_client()
    elsewhere = client.get("/lti/login", query_string={
        "iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id,
        "target_link_uri": "https://evil.example/launch"})
    assert elsewhere.status_code == 400
    unknown = client.get("/lti/login", query_string={
        "iss": "https://unknown.example", "login_hint": "x", "client_id": "c"})
    assert unknown.status_code in (400, 403)
    assert "not registered" in unknown.get_data(as_text=True)


def test_add_platform_refuses_plain_http(app):
    result = app.test_cli_runner().invoke(main, [
        "lti", "add-platform", "--issuer", "https://lms.example", "--client-id", "c",
        "--deployment-id", "1", "--auth-login-url", "http://lms.example/auth",
        "--auth-token-url", "https://lms.example/token",
        "--keyset-url", "https://lms.example/jwks"])
    assert result.exit_code != 0 and "https://" in result.output


def _cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_launched_session_cookie_is_cross_site_and_others_stay_lax(app, platform, make_user):
    """Over HTTPS the LMS frame needs SameSite=None; a normal login keeps SameSite=Lax."""
    page = platform.launch(app.test_client(), sub="u-teacher", roles=[INSTRUCTOR],
                           base_url="https://localhost")
    assert page.status_code == 200, page.get_data(as_text=True)
    cookie = _cookie(page, "session")
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    assert "frame-ancestors https:" in page.headers["Content-Security-Policy"]
    make_user("plain", "student")
    direct = app.test_client()
    login = direct.post("/login", data={"username": "plain", "password": PASSWORD},
                        base_url="https://localhost")
    assert "SameSite=Lax" in _cookie(login, "session")
    home = direct.get("/", base_url="https://localhost")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]


def test_new_window_link_signs_in_once(app, platform):
    page = platform.launch(app.test_client(), sub="u-teacher", roles=[INSTRUCTOR])
    link = re.search(r'href="http://localhost(/lti/enter/[^"]+)"', page.get_data(as_text=True))
    window = app.test_client()
    entered = window.get(link.group(1))
    assert entered.status_code == 303 and "/teach/classes/" in entered.headers["Location"]
    assert window.get(entered.headers["Location"]).status_code == 200
    again = app.test_client().get(link.group(1))
    assert again.status_code == 404 and "already used" in again.get_data(as_text=True)
