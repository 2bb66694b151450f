"""``GET /api/v1/openapi.json``: assembled from the paths each API module documents."""

from __future__ import annotations

from typing import Any

from ..domain.question_types import QUESTION_TYPES, response_schema
from . import bp

#: A list of question types (``types`` filters) and a response to a question of any type.
TYPES_SCHEMA = {"type": "array", "items": {"type": "string", "enum": list(QUESTION_TYPES)}}
RESPONSE_SCHEMA = response_schema()

PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"],
                                 "properties": {"code": {"type": "string"},
                                                "message": {"type": "string"},
                                                "fields": {"type": "object"}}}},
    },
}


def document(path: str, method: str, summary: str, *, body: dict | None = None,
             responses: dict[int, str] | None = None, auth: str | None = "bearer",
             params: list[dict] | None = None) -> None:
    """Record one operation of the API for the OpenAPI description."""
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    for status, description in (responses or {200: "OK"}).items():
        entry: dict[str, Any] = {"description": description}
        if status >= 400:
            entry["content"] = {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}
        else:
            entry["content"] = {"application/json": {"schema": {"type": "object"}}} \
                if status != 204 else None
            if entry["content"] is None:
                del entry["content"]
        op["responses"][str(status)] = entry
    if body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    if auth == "bearer":
        op["security"] = [{"bearer": []}]
    elif auth == "basic":
        op["security"] = [{"basic": []}]
    else:
        op["security"] = []
    params = list(params or [])
    for name in _path_params(path):
        if not any(p["name"] == name for p in params):
            schema = {"type": "integer"} if name.endswith("id") or name.endswith("index") \
                else {"type": "string"}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
    if params:
        op["parameters"] = params
    PATHS.setdefault(path, {})[method.lower()] = op


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "quizapp API", "version": "1.0.0",
                 "description": "Quizzes generated from the facts of a policy commentary."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(PATHS.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "basic": {"type": "http", "scheme": "basic"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """Describe the API v1 in OpenAPI 3."""
    return spec()


document("/api/v1/openapi.json", "get", "This description", auth=None)
