"""Schemathesis over the whole OpenAPI description: no input makes the API answer 500."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from conftest import COMMENTARY  # noqa: E402


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
