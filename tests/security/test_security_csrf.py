"""CSRF: every HTML route that accepts POST refuses a request without a token (400) and
changes nothing; the same request with the session's token gets through. The JSON API is
exempt because it never reads the browser's cookies."""

from __future__ import annotations

import base64
import re

from support.security_world import (
    COMMENTARY,
    MATRIX,
    Actor,
    Route,
    actors,
    build_world,
    changed_tables,
    owner_of,
    snapshot,
)

CSRF_MESSAGE = "The form expired or was sent from elsewhere"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

#: POST routes without an object in the path: (endpoint, owner, url, form).
PLAIN_POSTS = [
    Route("auth.register", "POST", "anonymous", lambda w: {},
          form=lambda w: {"username": "newbie", "password": "long enough pw",
                          "confirm": "long enough pw"}),
    Route("auth.login", "POST", "anonymous", lambda w: {},
          form=lambda w: {"username": "owner_student", "password": "correct horse battery"}),
    Route("study.new_quiz", "POST", "student", lambda w: {}, form=lambda w: {"length": "5"}),
    Route("study.print_practice", "POST", "student", lambda w: {},
          form=lambda w: {"length": "5"}),
    Route("study.review", "POST", "student", lambda w: {}),
    Route("study.mistakes", "POST", "student", lambda w: {}),
    Route("teach.index", "POST", "instructor", lambda w: {}, form=lambda w: {"name": "New"}),
    Route("teach.commentaries", "POST", "instructor", lambda w: {},
          form=lambda w: {"title": "Another", "text": COMMENTARY}),
    Route("teach.new_question", "POST", "instructor", lambda w: {},
          form=lambda w: {"type": "short", "topic": w.doc_slug, "prompt": "Which year?",
                          "accepted": "2010"}),
    Route("teach.import_questions", "POST", "instructor", lambda w: {},
          form=lambda w: {"format": "gift", "topic": w.doc_slug, "confirm": "1",
                          "content": base64.b64encode(b"Which year? {=2010}").decode()}),
    Route("teach.join_by_code", "POST", "outsider", lambda w: {},
          form=lambda w: {"code": w.join_code}),
    Route("live.host_index", "POST", "instructor", lambda w: {},
          form=lambda w: {"count": "3", "seconds": "30"}),
    Route("live.set_new", "POST", "instructor", lambda w: {},
          form=lambda w: {"name": "Fresh", "shown": str(w.live_question),
                          "questions": str(w.live_question), "save": "1"}),
    Route("live.join", "POST", "anonymous", lambda w: {},
          form=lambda w: {"pin": w.pin, "nickname": "Latecomer"}),
    Route("auth.logout", "POST", "student", lambda w: {}, late=9),
    # The classmate's: changing the password ends the other sessions and tokens.
    Route("auth.account", "POST", "classmate", lambda w: {}, late=8,
          form=lambda w: {"current": "correct horse battery",
                          "password": "a brand new passphrase",
                          "confirm": "a brand new passphrase"}),
    Route("auth.logout_everywhere", "POST", "classmate", lambda w: {}, late=10),
    # The outsider's, last: deleting the account ends everything the outsider had.
    Route("auth.delete_account", "POST", "outsider", lambda w: {}, late=11,
          form=lambda w: {"password": "correct horse battery"}),
    # LTI: posted by the LMS or its frame, so exempt from the session's CSRF token (see
    # CSRF_EXEMPT); fuzzed all the same.
    Route("lti.login", "POST", "anonymous", lambda w: {},
          form=lambda w: {"iss": "https://lms.example", "login_hint": "x"}),
    Route("lti.launch", "POST", "anonymous", lambda w: {},
          form=lambda w: {"id_token": "a.b.c", "state": "state-x"}),
    Route("lti.deep_link", "POST", "anonymous", lambda w: {},
          form=lambda w: {"launch_id": "lti1p3-launch-x", "assignment_id": "new"}),
]

#: POST routes without the session's CSRF token, and what protects them instead.
CSRF_EXEMPT = {
    "lti.login": "starts a login only; the state and nonce it sets are checked at the launch",
    "lti.launch": "the platform's signed id_token with a single-use nonce and the state cookie",
    "lti.deep_link": "the launch id (random, server-side, bound to the launch's cookie)",
}


def html_posts(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/")}


def posts_to_check() -> list[Route]:
    routes = [r for r in MATRIX if r.method == "POST" and not r.api] + PLAIN_POSTS
    return sorted((r for r in routes if r.endpoint not in CSRF_EXEMPT), key=lambda r: r.late)


def caller(route: Route, people: dict[str, Actor], app) -> Actor:
    """The owner; a new browser for each anonymous form (log in, sign up, join)."""
    if route.owner == "anonymous":
        return Actor("anonymous", app.test_client())
    return people[route.owner] if route.owner in people else owner_of(route, people)


def session_token(client, logged_in: bool) -> str:
    """The CSRF token of this client's session, as its pages carry it."""
    body = client.get("/dashboard" if logged_in else "/login").get_data(as_text=True)
    match = TOKEN.search(body)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_every_html_post_route_is_in_the_csrf_table(app):
    listed = {r.endpoint for r in posts_to_check()} | set(CSRF_EXEMPT)
    assert html_posts(app) - listed == set(), "add the new POST routes to PLAIN_POSTS"


def test_a_post_without_a_token_is_refused_and_changes_nothing(csrf_app):
    w = build_world(csrf_app)
    people = actors(w, csrf=True)
    failures = []
    before = snapshot(csrf_app)
    for route in posts_to_check():
        person = caller(route, people, csrf_app)
        response = person.call(w, route)
        after = snapshot(csrf_app)
        changed, before = changed_tables(before, after), after
        if response.status_code != 400 or CSRF_MESSAGE not in response.get_data(as_text=True) \
                or changed:
            failures.append(f"{route.endpoint}: {response.status_code} changed={changed}")
        if route.endpoint == "auth.logout":
            assert person.client.get("/dashboard").status_code == 200, "logged out anyway"
    assert not failures, "accepted without a CSRF token:\n" + "\n".join(failures)


def test_the_same_posts_with_the_session_token_get_through(csrf_app):
    """The control: the refusal above is about the token, not the request."""
    w = build_world(csrf_app)
    people = actors(w, csrf=True)
    failures = []
    for route in posts_to_check():
        person = caller(route, people, csrf_app)
        token = session_token(person.client, route.owner not in ("anonymous", "player"))
        if route.json is not None:
            response = person.call(w, route, headers={"X-CSRFToken": token})
        else:
            response = person.call(w, route, data={**(route.form(w) if route.form else {}),
                                                   "csrf_token": token})
        if CSRF_MESSAGE in response.get_data(as_text=True) or response.status_code >= 500:
            failures.append(f"{route.endpoint}: {response.status_code}")
    assert not failures, "refused with a valid token:\n" + "\n".join(failures)


def test_a_token_from_another_session_is_refused(csrf_app):
    w = build_world(csrf_app)
    people = actors(w, csrf=True)
    stolen = session_token(people["classmate"].client, True)
    before = snapshot(csrf_app)
    response = people["instructor"].client.post("/teach/", data={"name": "Forged",
                                                                 "csrf_token": stolen})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert changed_tables(before, snapshot(csrf_app)) == []


def test_the_api_ignores_the_browser_session_so_its_csrf_exemption_is_safe(csrf_app):
    """A page on another site can make a logged-in browser POST to /api/; without the
    bearer token (which no cookie carries) the API refuses, and it sends no CORS grant."""
    w = build_world(csrf_app)
    browser = actors(w, csrf=True)["instructor"].client
    before = snapshot(csrf_app)
    for body in ({"json": {"name": "Forged"}}, {"data": {"name": "Forged"}}):
        response = browser.post("/api/v1/classes", headers={"Origin": "https://evil.example"},
                                **body)
        assert response.status_code == 401
        assert "Access-Control-Allow-Origin" not in response.headers
    assert changed_tables(before, snapshot(csrf_app)) == []
