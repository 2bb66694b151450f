"""Schemathesis over the whole OpenAPI description: no input makes the API answer 500."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from support.helpers import COMMENTARY  # noqa: E402


@pytest.fixture
def api_schema(app, api_token, client):
    """The app's own OpenAPI description, driving requests into the app in-process.

    The instructor owns a class (the student in it), an assignment, a commentary and a
    warm-up, all with small ids, so generated ids sometimes reach real objects.
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    student = api_token("fuzz-student")
    teacher = api_token("fuzz-teacher", "instructor")
    course = client.post("/api/v1/classes", json={"name": "Fuzz"}, headers=teacher).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]}, headers=student)
    client.post(f"/api/v1/classes/{course['id']}/assignments", headers=teacher, json={
        "title": "Fuzz", "count": 3, "due_at": "2099-01-01T12:00:00Z", "max_attempts": 2,
        "grading": "highest", "show_keys": "immediately"})
    client.post("/api/v1/commentaries", json={"title": "Fuzz", "text": COMMENTARY},
                headers=teacher)
    client.post("/api/v1/live", json={"count": 3}, headers=teacher)
    schema.auth_headers = {"student": student, "instructor": teacher}
    #: (method, path) -> the role it needs, learnt from "Only instructors" refusals.
    schema.roles = {}
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


def _instructors_only(response) -> bool:
    if response.status_code != 403:
        return False
    return response.json()["error"]["message"].startswith("Only instructors")


@schema.parametrize()
@settings(max_examples=12, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case, api_schema):
    operation = (case.method, case.path)
    role = api_schema.roles.get(operation, "student")
    response = case.call(headers=api_schema.auth_headers[role])
    if role == "student" and _instructors_only(response):
        # An instructor endpoint: fuzz its validation, not only the role check.
        api_schema.roles[operation] = role = "instructor"
        response = case.call(headers=api_schema.auth_headers[role])
    assert response.status_code < 500, (case.method, case.path, role, response.text[:300])
    if response.status_code >= 400:
        assert "error" in response.json() or response.status_code == 405


#: JSON text no client should send: lone surrogates, and nesting past any parser's depth.
HOSTILE_BODIES = ['{"name": "\\ud83d", "title": "a\\udc00", "response": "\\ud83d"}',
                  '"\\udfff"', '{"\\ud800": 1}', "[" * 100_000, '{"a":' * 50_000]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_no_route_fails_on_a_lone_surrogate_or_deep_nesting(app, client, api_token, body):
    """Every API write, sent by an instructor, answers such a body without a 500.

    (Routes that read no body may succeed; tests/test_boundary.py checks the 400s.)
    """
    headers = api_token("fuzz-teacher", "instructor")
    pin = client.post("/api/v1/live", json={"count": 3}, headers=headers).get_json()["pin"]
    sent = 0
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not rule.rule.startswith("/api/") or not methods:
            continue
        url = rule.rule.replace("<pin>", pin)
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        for method in methods:
            response = client.open(url, method=method, data=body, headers=headers,
                                   content_type="application/json")
            sent += 1
            assert response.status_code < 500, (method, url, response.text[:300])
            if response.status_code >= 400:
                assert "error" in response.get_json()
    assert sent >= 15
