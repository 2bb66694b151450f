"""Schemathesis over the whole OpenAPI description: no input makes the API answer 500."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402


@pytest.fixture
def api_schema(app, api_token, client):
    """The app's own OpenAPI description, driving requests into the app in-process."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.auth_headers = {"student": api_token("fuzz-student"),
                           "instructor": api_token("fuzz-teacher", "instructor")}
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case, api_schema):
    role = "instructor" if "live" in case.path or "class" in case.path else "student"
    response = case.call(headers=api_schema.auth_headers[role])
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    if response.status_code >= 400:
        assert "error" in response.json() or response.status_code == 405
