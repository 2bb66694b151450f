"""Fuzzing every HTML form (hypothesis): random text, odd unicode, huge values, numbers
where text goes and lists where one value goes, sent by the owner of the page (CSRF off).
Whatever arrives, the answer is a page or a redirect, never a 500.

The JSON API is fuzzed from its OpenAPI description in tests/test_api_fuzz.py.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.helpers import assert_handled
from support.security_world import MATRIX, Actor, Route, actors, build_world, owner_of
from test_security_csrf import PLAIN_POSTS, html_posts

EXAMPLES = 8
ODD = st.sampled_from([
    "", " ", "0", "-1", "00", "-0", " 7 ", "1e309", "NaN", "inf", "0x10", "1_000",
    "99999999999999999999999", "2147483648", "-2147483649", "²", "١٢", "٣", "Ⅻ", "\x00",
    "\u202e", "\ufeff", "\u200b", "𝕏", "👩‍🏫", "' OR 1=1 --", "<script>", "%s%n{0}",
    "../../etc/passwd", "true", "null", "[]", "{}", "2099-13-45T25:61", "1970-01-01T00:00",
    "0001-01-01T00:00", "9999-12-31T23:59", "a" * 5000])
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
NUMBER = st.one_of(st.integers(-(10**25), 10**25), st.floats()).map(str)
#: Long but under MAX_CONTENT_LENGTH, so the form's own limits must catch it.
HUGE = st.just("é" * 100_000)
SMALL = st.one_of(ODD, TEXT, NUMBER)
VALUE = st.one_of(SMALL, SMALL, SMALL, HUGE)
VALUES = st.one_of(VALUE, st.lists(VALUE, max_size=3))


def form_values(valid: dict, extra_keys: tuple[str, ...] = (),
                values: st.SearchStrategy = VALUES) -> st.SearchStrategy[dict]:
    """The valid form (or nothing) with some fields replaced, dropped, repeated or added."""
    keys = st.sampled_from([*valid, "csrf_token", "next", *extra_keys]) | TEXT
    changes = st.dictionaries(keys, values, max_size=6)
    return st.builds(lambda base, fuzz: {**base, **fuzz}, st.sampled_from([valid, {}]),
                     changes)


#: JSON text no client should send: lone surrogates, and nesting past any parser's depth.
HOSTILE_JSON = st.sampled_from(['{"response": "\\ud83d"}', '{"response": ["\\udc00x"]}',
                                '{"\\ud800": 1}', "[" * 100_000, '{"a":' * 50_000,
                                '{"response": ' + "[" * 40 + "]" * 40 + "}"])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=8)


def run(examples: int, strategy, call) -> None:
    """Send ``examples`` generated requests; any 500 (or exception) fails with the input."""

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(value):
        assert_handled(call(value))

    check()


def owner(route: Route, people: dict[str, Actor], app) -> Actor:
    if route.owner == "anonymous":
        return people["anonymous"]
    return people[route.owner] if route.owner in people else owner_of(route, people)


def test_a_body_over_the_size_limit_is_a_413_page(app):
    w = build_world(app)
    host = actors(w)["instructor"].client
    response = host.post("/teach/commentaries", data={"title": "Big", "text": "x" * 600_000})
    assert response.status_code == 413
    assert "That request is too large." in response.get_data(as_text=True)


def test_every_html_form_is_fuzzed(app):
    fuzzed = {r.endpoint for r in MATRIX + PLAIN_POSTS if r.method == "POST" and not r.api}
    assert html_posts(app) <= fuzzed


def test_no_form_post_causes_a_server_error(app):
    w = build_world(app)
    people = actors(w)
    routes = sorted([r for r in MATRIX if r.method == "POST" and not r.api] + PLAIN_POSTS,
                    key=lambda r: r.late)
    for route in routes:
        person = owner(route, people, app)
        if route.json is not None:  # the phone's answer: JSON in, JSON out
            bodies = st.one_of(JSON.map(lambda v: {"json": v}),
                               JSON.map(lambda v: {"json": {"response": v,
                                                            "confidence": v}}),
                               (TEXT | HOSTILE_JSON).map(
                                   lambda t: {"data": t.encode(),
                                              "content_type": "application/json"}))
            run(EXAMPLES, bodies, lambda body, r=route, p=person: p.call(w, r, **body))
            continue
        valid = route.form(w) if route.form else {}
        uploads = route.endpoint in ("teach.commentaries", "teach.import_questions")
        strategy = form_values(valid, ("upload",) if uploads else ())
        if uploads:
            # With a file the test client spools a big body to a temporary file it never
            # closes (a ResourceWarning); huge values go without a file (413 all the same).
            upload = st.binary(max_size=3000).map(lambda b: (io.BytesIO(b), "notes.txt"))
            strategy = st.builds(lambda form, file: {**form, "upload": file},
                                 form_values(valid, values=SMALL), upload) | strategy
        run(EXAMPLES, strategy, lambda data, r=route, p=person: p.call(w, r, data=data))


#: Pages that read the query string: (owner, path, parameter names).
QUERY_FORMS = [
    ("instructor", "/teach/questions", ("status", "page", "document", "topic", "type",
                                        "flagged", "q")),
    ("student", "/progress", ("topic",)),
    ("student", "/source", ("document",)),
    ("student", "/quiz/new", ("length", "types", "topics")),
    ("anonymous", "/join", ("pin",)),
    ("anonymous", "/login", ("next",)),
    ("anonymous", "/register", ("next",)),
    ("instructor", "/live/games/{game}", ("view",)),
    ("instructor", "/live/games/{game}/panel", ("view",)),
]
#: Paths with a text argument: (owner, method, path with {} where the text goes).
TEXT_PATHS = [
    ("instructor", "GET", "/teach/facts/{}"),
    ("instructor", "POST", "/teach/facts/{}"),
    ("student", "POST", "/facts/{}/practice"),
    ("student", "POST", "/facts/{}/flashcard"),
    ("student", "GET", "/flashcards/{}"),
    ("student", "GET", "/classes/join/{}"),
    ("student", "POST", "/classes/join/{}"),
    ("anonymous", "GET", "/live/{}/play"),
    ("anonymous", "GET", "/live/{}/me"),
    ("anonymous", "POST", "/live/{}/answers/0"),
    ("instructor", "GET", "/teach/assignments/{assignment}/export.{}"),
    ("instructor", "GET", "/teach/documents/{doc}/export.{}"),
]


def test_no_query_string_or_text_in_a_path_causes_a_server_error(app):
    w = build_world(app)
    people = actors(w)
    for who, path, names in QUERY_FORMS:
        client = people[who].client
        url = path.format(game=w.game)
        # (no huge values: servers cap a request line at a few KB)
        queries = st.dictionaries(st.sampled_from(names) | TEXT,
                                  SMALL | st.lists(SMALL, max_size=3), max_size=4)
        run(EXAMPLES, queries,
            lambda q, c=client, u=url: c.get(u, query_string=q))
    for who, method, path in TEXT_PATHS:
        client = people[who].client
        run(EXAMPLES, st.one_of(ODD, TEXT),
            lambda text, c=client, m=method, p=path: c.open(
                p.format(quote(text, safe=""), assignment=w.assignment, doc=w.doc),
                method=m))


@pytest.mark.parametrize("action, field", [("advance", "from_index"), ("kick", "player_id")])
def test_a_non_ascii_digit_in_a_host_form_is_refused(app, action, field):
    w = build_world(app)
    host = actors(w)["instructor"].client
    response = host.post(f"/live/games/{w.game}/{action}", data={field: "²"})
    # advance: the form is refused; kick: no player has that id, so it flashes and redirects.
    assert response.status_code == (400 if action == "advance" else 302)
