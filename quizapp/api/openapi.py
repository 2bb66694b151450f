"""``GET /api/v1/openapi.json``: assembled from the paths each API module documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from . import RequestBody, basic_auth, bp, instructor_token_required, token_required

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


class _BodySchema(GenerateJsonSchema):
    """Pydantic's JSON Schema without a title on every property (the name says it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def _openapi30(node: Any) -> Any:
    """Pydantic's JSON Schema 2020-12 as OpenAPI 3.0 reads it: ``anyOf [X, null]`` becomes
    X with ``nullable: true`` (3.0 has no null type; its $ref takes no siblings: allOf)."""
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi30(value) for key, value in node.items()}
    options = node.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        node = {key: value for key, value in node.items() if key != "anyOf"}
        if len(rest) == 1 and "$ref" in rest[0]:
            node["allOf"] = rest
        elif len(rest) == 1:
            node = {**rest[0], **node}
        else:
            node["anyOf"] = rest
        node["nullable"] = True
    return node


def body_schema(model: type[RequestBody]) -> dict[str, str]:
    """Put ``model``'s schema (and those it nests) in components/schemas; its $ref."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                     schema_generator=_BodySchema)
    for name, nested in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        nested = _openapi30(nested)
        if SCHEMAS.setdefault(name, nested) != nested:
            raise ValueError(f"Two request bodies are named {name}; rename one.")
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document(path: str, method: str, summary: str, *,
             body: type[RequestBody] | None = None, body_required: bool = True,
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
        op["requestBody"] = {"required": body_required,
                             "content": {"application/json": {"schema": body_schema(body)}}}
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


#: ``operation(auth=...)``: the check in front of the view, and the scheme openapi.json names.
_GUARDS: dict[str | None, tuple[Callable | None, str | None]] = {
    "instructor": (instructor_token_required, "bearer"),
    "token": (token_required, "bearer"),
    "basic": (basic_auth.login_required, "basic"),
    None: (None, None),
}


def operation(method: str, rule: str, summary: str, *, auth: str | None = "instructor",
              endpoint: str | None = None, **doc: Any) -> Callable[[Callable], Callable]:
    """Route ``method`` ``rule`` of the blueprint to the view, behind ``auth`` (an instructor's
    token, any user's token, HTTP Basic, or None: no check), and describe it in openapi.json
    with ``summary`` and ``doc`` (what ``document`` takes)."""
    guard, scheme = _GUARDS[auth]

    def register(view: Callable) -> Callable:
        guarded = guard(view) if guard else view
        bp.route(rule, methods=[method.upper()], endpoint=endpoint)(guarded)
        document(bp.url_prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), method, summary,
                 auth=scheme, **doc)
        return guarded

    return register


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
