"""Request bodies: one model per body validates it (400 naming the field) and describes it
in openapi.json, so the description and the checks cannot drift apart."""

from __future__ import annotations

import pytest

from support.helpers import body_schema


def _spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_every_request_body_in_openapi_has_a_schema_with_properties(client):
    spec = _spec(client)
    bodies = [(path, method, op) for path, ops in spec["paths"].items()
              for method, op in ops.items() if "requestBody" in op]
    assert len(bodies) >= 25
    for path, method, operation in bodies:
        schema = body_schema(spec, operation)
        assert schema.get("type") == "object" and schema.get("properties"), (path, method)


def test_request_bodies_are_openapi_3_0_without_a_null_type(client):
    """Pydantic writes JSON Schema 2020-12 (anyOf [X, {type: null}]); 3.0 says nullable."""
    spec = _spec(client)
    assert spec["openapi"].startswith("3.0.")
    assert '"null"' not in str(spec["components"]).replace("'", '"')
    available = spec["components"]["schemas"]["Assignment"]["properties"]["available_from"]
    assert available["nullable"] is True and available["type"] == "string"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/attempts", {"count": "5"}, "count"),
    ("/api/v1/attempts", {"mode": "exam"}, "mode"),
    ("/api/v1/attempts", {"assignment_id": True}, "assignment_id"),
    ("/api/v1/enrollments", {"join_code": 12345}, "join_code"),
    ("/api/v1/attempts", {"types": ["mcq", "essay"]}, "types"),
])
def test_a_body_with_a_wrong_type_gets_a_400_naming_the_field(client, api_token, path, body,
                                                              field):
    response = client.post(path, json=body, headers=api_token("typed"))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["message"] == "Some fields are not valid."
    assert list(error["fields"]) == [field]
    assert error["fields"][field].startswith(("Use ", "Item "))


def test_a_missing_field_is_named_and_an_unknown_one_ignored(client, api_token):
    response = client.post("/api/v1/enrollments", json={"code": "x"},
                           headers=api_token("typed"))
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "invalid", "message": "Missing fields.",
        "fields": {"join_code": "This field is required."}}


def test_a_patch_refuses_fields_it_does_not_know(client, api_token):
    headers = api_token("typed-teacher", "instructor")
    course = client.post("/api/v1/classes", json={"name": "Typed"}, headers=headers).get_json()
    response = client.patch(f"/api/v1/classes/{course['id']}", json={"colour": "red"},
                            headers=headers)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["colour"]


def test_a_question_s_answer_fields_are_refused_in_the_authoring_rules_words(client,
                                                                             api_token):
    """A hand-written question's type and answers are checked by the rules the form and
    the GIFT / Moodle XML import share, so the API refuses them in the same words."""
    headers = api_token("typed-teacher", "instructor")
    response = client.post("/api/v1/questions", headers=headers, json={
        "type": "true_false", "topic": "x", "prompt": "A statement.", "answer": "maybe"})
    assert response.status_code == 400
    assert "true or false" in response.get_json()["error"]["fields"]["truth"]
