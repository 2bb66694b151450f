"""Authorization per object: every route with an id, PIN or code in its path, called by
someone who does not own the object, is refused and changes nothing.

The matrix (tests/security_world.py) lists each route with its owner; a new route with an
argument that the matrix does not list fails ``test_the_matrix_covers_every_route_with_an_id``.
"""

from __future__ import annotations

import pytest

from support.security_world import (
    MATRIX,
    SECRET,
    actors,
    build_world,
    changed_tables,
    may_call,
    owner_of,
    refused,
    routes_with_objects,
    snapshot,
)


def test_the_matrix_covers_every_route_with_an_id(app):
    listed = [r.key for r in MATRIX]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    missing = routes_with_objects(app) - set(listed)
    assert not missing, f"add these routes to MATRIX in tests/security_world.py: {missing}"
    stale = set(listed) - routes_with_objects(app)
    assert not stale, f"these routes are gone; drop them from MATRIX: {stale}"


@pytest.mark.parametrize("intruder", ["classmate", "outsider", "other instructor",
                                      "anonymous"])
def test_nobody_but_the_owner_reaches_an_object_and_nothing_changes(app, intruder):
    w = build_world(app)
    person = actors(w)[intruder]
    failures = []
    before = snapshot(app)
    for route in MATRIX:
        if may_call(route, intruder):
            continue
        args = route.guessed(w) if route.guessed else None
        response = person.call(w, route, args)
        body = response.get_data(as_text=True)
        after = snapshot(app)
        changed, before = changed_tables(before, after), after
        if not refused(response) or changed or SECRET in body:
            failures.append(f"{route.method} {route.endpoint}: {response.status_code} "
                            f"changed={changed} leaks={SECRET in body} {body[:200]!r}")
    assert not failures, f"{intruder} got through:\n" + "\n".join(failures)


def test_the_owner_reaches_every_object_in_the_matrix(app):
    """The control: the same calls succeed for the owner, so the refusals above are about
    who asks, not about a wrong URL or a missing object."""
    w = build_world(app)
    people = actors(w)
    failures = []
    for route in sorted(MATRIX, key=lambda r: r.late):
        response = owner_of(route, people).call(w, route)
        if refused(response) or response.status_code >= 500:
            failures.append(f"{route.method} {route.endpoint}: {response.status_code} "
                            f"{response.get_data(as_text=True)[:300]!r}")
    assert not failures, "the owner was refused:\n" + "\n".join(failures)


def test_a_player_token_of_another_warm_up_is_refused(app):
    w = build_world(app)
    theirs = {"X-Player-Token": w.player_token["other"]}
    client = app.test_client()
    assert client.get(f"/api/v1/live/{w.pin}/me", headers=theirs).status_code == 401
    before = snapshot(app)
    answer = client.put(f"/api/v1/live/{w.pin}/answers/0", json={"response": "a"},
                        headers=theirs)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unknown_player"
    assert changed_tables(before, snapshot(app)) == []
