"""API v1 for instructors (classes, assignments, results, exports, review, commentaries)
and the student side of classes (enrolment, assignments, flags)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy import select

from ..errors import invalid
from ..extensions import db
from ..models import Assignment, Course, Enrollment, Role
from ..security import external_url
from ..services import teach
from . import bp, current_api_user, instructor_token_required, json_body, token_required
from .openapi import SCHEMAS, TYPES_SCHEMA, document

SCHEMAS["Assignment"] = {
    "type": "object",
    "required": ["title", "count", "due_at", "max_attempts", "grading", "show_keys"],
    "properties": {
        "title": {"type": "string", "maxLength": teach.MAX_TITLE},
        "count": {"type": "integer", "minimum": 1, "maximum": 50},
        "types": TYPES_SCHEMA,
        "topics": {"type": "array", "items": {"type": "string"}},
        "question_ids": {"type": "array", "items": {"type": "integer"},
                         "description": "Hand-picked questions instead of a draw."},
        "due_at": {"type": "string", "format": "date-time",
                   "description": "ISO 8601; without an offset it is taken as UTC."},
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": teach.MAX_ATTEMPTS},
        "grading": {"type": "string", "enum": list(teach.GRADINGS)},
        "show_keys": {"type": "string", "enum": list(teach.SHOW_KEYS)},
        "time_limit_minutes": {"type": "integer", "minimum": 1,
                               "maximum": teach.MAX_TIME_LIMIT, "nullable": True},
        "same_questions": {"type": "boolean", "default": True},
    },
}
_ASSIGNMENT_REF = {"$ref": "#/components/schemas/Assignment"}
_FACT_PARAM = [{"name": "fact_id", "in": "path", "required": True,
                "schema": {"type": "string"}}]
_FORMAT_PARAM = [{"name": "format", "in": "query", "required": True,
                  "schema": {"type": "string", "enum": list(teach.EXPORT_FORMATS)}}]


def _course_json(course: Course, user_id: int) -> dict[str, Any]:
    return {"id": course.id, "name": course.name, "join_code": course.join_code,
            "join_url": external_url("teach.join", code=course.join_code),
            "role": "owner" if course.owner_id == user_id else "co-instructor"}


def _assignment_json(a: Assignment) -> dict[str, Any]:
    return {"id": a.id, "class_id": a.course_id, "title": a.title, "count": a.count,
            "types": a.types, "topics": a.topics, "question_ids": a.question_ids,
            "due_at": a.due_at.isoformat() + "Z", "max_attempts": a.max_attempts,
            "grading": a.grading.value, "show_keys": a.show_keys.value,
            "time_limit_minutes": a.time_limit_minutes, "same_questions": a.same_questions}


# --------------------------------------------------------------------------- classes

@bp.post("/classes")
@instructor_token_required
def create_class():
    """Create a class with a join code."""
    data = json_body(("name",))
    course = teach.create_course(current_api_user(), data["name"])
    return _course_json(course, current_api_user().id), 201


document("/api/v1/classes", "post", "Create a class (instructors)",
         body={"type": "object", "required": ["name"],
               "properties": {"name": {"type": "string", "maxLength": teach.MAX_NAME}}},
         responses={201: "Created: {id, name, join_code, join_url}", 400: "Invalid name",
                    401: "No token", 403: "Not an instructor"})


@bp.get("/classes")
@instructor_token_required
def list_classes():
    """List the classes you own or co-teach."""
    user = current_api_user()
    return {"classes": [_course_json(c, user.id) for c in teach.courses_taught(user)]}


document("/api/v1/classes", "get", "Your classes (instructors)",
         responses={200: "{classes: [...]}", 401: "No token", 403: "Not an instructor"})


@bp.get("/classes/<int:course_id>")
@instructor_token_required
def get_class(course_id: int):
    """Show a class with its roster and assignments."""
    user = current_api_user()
    course = teach.course_for_instructor(user, course_id)
    return {**_course_json(course, user.id), "owner": course.owner.username,
            "members": [{"user_id": e.user_id, "username": e.user.username,
                         "role": e.role.value} for e in teach.roster(course)],
            "assignments": [_assignment_json(a) for a in teach.course_assignments(course)]}


document("/api/v1/classes/{course_id}", "get", "A class, its roster and assignments",
         responses={200: "Class", 401: "No token", 403: "Not an instructor",
                    404: "Not your class"})


@bp.delete("/classes/<int:course_id>/members/<int:user_id>")
@instructor_token_required
def remove_member(course_id: int, user_id: int):
    """Remove a student (or, as owner, a co-instructor) from a class."""
    removed = teach.remove_member(current_api_user(), course_id, user_id)
    return {"removed": removed}


document("/api/v1/classes/{course_id}/members/{user_id}", "delete",
         "Remove a member from the roster (repeating it changes nothing)",
         responses={200: "{removed: bool}", 401: "No token", 403: "Not allowed",
                    404: "Not your class"})


@bp.post("/classes/<int:course_id>/instructors")
@instructor_token_required
def add_co_instructor(course_id: int):
    """Make another instructor account a co-instructor of your class."""
    data = json_body(("username",))
    target, added = teach.add_co_instructor(current_api_user(), course_id, data["username"])
    return {"username": target.username, "role": "instructor"}, 201 if added else 200


document("/api/v1/classes/{course_id}/instructors", "post",
         "Add a co-instructor (class owner only)",
         body={"type": "object", "required": ["username"],
               "properties": {"username": {"type": "string"}}},
         responses={201: "Added", 200: "Already co-teaching", 400: "Unknown or student account",
                    401: "No token", 403: "Not the owner", 404: "Not your class"})


@bp.get("/classes/<int:course_id>/misconceptions")
@instructor_token_required
def misconceptions(course_id: int):
    """Which facts the class misses most (quiz and warm-up answers)."""
    course = teach.course_for_instructor(current_api_user(), course_id)
    return {"facts": teach.class_misconceptions(course)}


document("/api/v1/classes/{course_id}/misconceptions", "get",
         "Misconception map: facts the class misses most",
         responses={200: "{facts: [{fact_id, seen, missed, miss_rate, ...}]}",
                    401: "No token", 403: "Not an instructor", 404: "Not your class"})


@bp.post("/enrollments")
@token_required
def enroll():
    """Join a class with its join code."""
    data = json_body(("join_code",))
    course, created = teach.join_course(current_api_user(), data["join_code"])
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == current_api_user().id))
    role = enrollment.role.value if enrollment else Role.INSTRUCTOR.value
    return {"class_id": course.id, "class_name": course.name, "role": role}, \
        201 if created else 200


document("/api/v1/enrollments", "post", "Join a class by its join code",
         body={"type": "object", "required": ["join_code"],
               "properties": {"join_code": {"type": "string"}}},
         responses={201: "Enrolled", 200: "Already in this class", 400: "No code",
                    401: "No token", 404: "No class has that code",
                    429: "Too many wrong codes lately (LOGIN_MAX_FAILURES per LOGIN_WINDOW)"})


# --------------------------------------------------------------------------- assignments

@bp.post("/classes/<int:course_id>/assignments")
@instructor_token_required
def create_assignment(course_id: int):
    """Assign a quiz to a class."""
    data = json_body(("title", "due_at"))
    assignment = teach.create_assignment(
        current_api_user(), course_id, title=data.get("title"), count=data.get("count"),
        types=data.get("types"), topics=data.get("topics"),
        question_ids=data.get("question_ids"), due_at=data.get("due_at"),
        max_attempts=data.get("max_attempts", 1), grading=data.get("grading", "highest"),
        show_keys=data.get("show_keys", "immediately"),
        time_limit_minutes=data.get("time_limit_minutes"),
        same_questions=data.get("same_questions", True))
    return _assignment_json(assignment), 201


document("/api/v1/classes/{course_id}/assignments", "post", "Assign a quiz to a class",
         body=_ASSIGNMENT_REF,
         responses={201: "Created: {id, ...}", 400: "Invalid settings (see fields)",
                    401: "No token", 403: "Not an instructor", 404: "Not your class"})


@bp.get("/classes/<int:course_id>/assignments")
@instructor_token_required
def class_assignments(course_id: int):
    """List a class's assignments."""
    course = teach.course_for_instructor(current_api_user(), course_id)
    return {"assignments": [_assignment_json(a) for a in teach.course_assignments(course)]}


document("/api/v1/classes/{course_id}/assignments", "get", "A class's assignments",
         responses={200: "{assignments: [...]}", 401: "No token", 403: "Not an instructor",
                    404: "Not your class"})


@bp.get("/assignments")
@token_required
def my_assignments():
    """Your assignments in every class you joined, with due state and attempts left."""
    return {"assignments": teach.assignments_for_student(current_api_user())}


document("/api/v1/assignments", "get", "Your assignments (as a student), with due state",
         responses={200: "{assignments: [{id, title, class_name, due_at, due_state "
                         "(open|due_soon|past_due), status, attempts_used, attempts_left, "
                         "can_start, grade, ...}]}", 401: "No token"})


@bp.get("/assignments/<int:assignment_id>/results")
@instructor_token_required
def results(assignment_id: int):
    """Gradebook and item analysis of an assignment."""
    assignment = teach.assignment_for_instructor(current_api_user(), assignment_id)
    return teach.results_json(teach.gradebook(assignment))


document("/api/v1/assignments/{assignment_id}/results", "get",
         "Gradebook and item analysis",
         responses={200: "{students: [{username, attempts, grade}], questions: [{question_id, "
                         "prompt, p_correct, discrimination, choices: [{text, chosen}]}]}",
                    401: "No token", 403: "Not an instructor", 404: "Not your assignment"})


@bp.get("/assignments/<int:assignment_id>/export")
@instructor_token_required
def export_assignment(assignment_id: int):
    """Download the gradebook (csv) or the questions (gift, moodle_xml, json)."""
    assignment = teach.assignment_for_instructor(current_api_user(), assignment_id)
    body, mimetype, filename = teach.export_assignment(assignment, request.args.get("format"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


document("/api/v1/assignments/{assignment_id}/export", "get",
         "Export the gradebook (csv) or questions (gift, moodle_xml, json)",
         params=_FORMAT_PARAM,
         responses={200: "The file", 400: "Unknown format", 401: "No token",
                    403: "Not an instructor", 404: "Not your assignment"})


@bp.get("/documents/<int:document_id>/export")
@instructor_token_required
def export_document(document_id: int):
    """Download all active questions of a commentary (gift, moodle_xml, json)."""
    body, mimetype, filename = teach.document_export(current_api_user(), document_id,
                                                     request.args.get("format"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


document("/api/v1/documents/{document_id}/export", "get",
         "Export a commentary's question bank (gift, moodle_xml, json)",
         params=[{**_FORMAT_PARAM[0], "schema": {"type": "string",
                                                 "enum": ["gift", "moodle_xml", "json"]}}],
         responses={200: "The file", 400: "Unknown format", 401: "No token",
                    403: "Not an instructor", 404: "Not found"})


# --------------------------------------------------------------------------- review

@bp.post("/questions/<int:question_id>/flags")
@token_required
def flag_question(question_id: int):
    """Report that a question you were asked looks wrong."""
    data = json_body(("comment",))
    flag, created = teach.flag_question(current_api_user(), question_id, data["comment"])
    return {"id": flag.id, "question_id": flag.question_id}, 201 if created else 200


document("/api/v1/questions/{question_id}/flags", "post", "Flag a question as wrong",
         body={"type": "object", "required": ["comment"],
               "properties": {"comment": {"type": "string", "maxLength": teach.MAX_COMMENT}}},
         responses={201: "Flagged", 200: "Already flagged with this comment",
                    400: "No comment", 401: "No token", 404: "Not a question you were asked"})


def _question_json(question) -> dict[str, Any]:
    user = current_api_user()
    status, replaced_by_id = teach.seen_state(user, question)  # as this instructor sees it
    return {"id": question.id, "uid": question.uid, "version": question.version,
            "status": status.value, "type": question.type,
            "topic": question.topic, "fact_ids": question.fact_ids,
            "replaced_by_id": replaced_by_id, "payload": question.payload,
            "flags": [{"id": f.id, "comment": f.comment, "resolved": f.resolved,
                       "username": f.user.username, "created_at": f.created_at.isoformat() + "Z"}
                      for f in teach.question_flags(user, question)]}


@bp.get("/questions/<int:question_id>")
@instructor_token_required
def get_question(question_id: int):
    """Show a question with its key and the flags raised on it."""
    return _question_json(teach.question_for_review(current_api_user(), question_id))


document("/api/v1/questions/{question_id}", "get", "A question with key and flags",
         responses={200: "Question", 401: "No token", 403: "Not an instructor",
                    404: "Not found"})


@bp.patch("/questions/<int:question_id>")
@instructor_token_required
def edit_question(question_id: int):
    """Reword a question: a new version replaces it, the old one is retired (for you)."""
    data = json_body(("prompt",))
    new = teach.edit_question(current_api_user(), question_id, prompt=data["prompt"],
                              options=data.get("options"), explanation=data.get("explanation"))
    return _question_json(new)


document("/api/v1/questions/{question_id}", "patch",
         "Edit wording (prompt, wrong choices' texts, explanation) as a new version: your "
         "own for a shared seed question. Key texts and a true/false statement cannot "
         "change (400 naming the field)",
         body={"type": "object", "required": ["prompt"], "properties": {
             "prompt": {"type": "string"}, "explanation": {"type": "string"},
             "options": {"type": "object", "description": "option id (or group.id, e.g. "
                         "choices.a) -> new text", "additionalProperties": {"type": "string"}}}},
         responses={200: "The new version", 400: "Invalid wording", 401: "No token",
                    403: "Not an instructor", 404: "Not found", 409: "Already replaced"})


@bp.post("/questions/<int:question_id>/retire")
@instructor_token_required
def retire_question(question_id: int):
    """Retire a question so no quiz asks it again."""
    user = current_api_user()
    question = teach.retire_question(user, question_id)
    return {"id": question.id, "status": teach.seen_state(user, question)[0].value}


document("/api/v1/questions/{question_id}/retire", "post",
         "Retire a question (a shared seed question: for your classes and warm-ups)",
         responses={200: "Retired", 401: "No token", 403: "Not an instructor",
                    404: "Not found"})


# --------------------------------------------------------------------------- commentaries

@bp.post("/commentaries")
@instructor_token_required
def create_commentary():
    """Add a commentary; candidate facts are extracted for review."""
    data = json_body(("title", "text"))
    doc = teach.create_commentary(current_api_user(), data["title"], data["text"])
    summary = teach.commentary_summary(doc)
    return {"id": doc.id, "title": doc.title, "slug": doc.slug,
            "candidates": [teach.candidate_json(f) for f in summary["facts"]]}, 201


document("/api/v1/commentaries", "post", "Add a commentary and extract candidate facts",
         body={"type": "object", "required": ["title", "text"], "properties": {
             "title": {"type": "string", "maxLength": teach.MAX_TITLE},
             "text": {"type": "string", "maxLength": teach.MAX_COMMENTARY_CHARS}}},
         responses={201: "{id, candidates: [{id, kind, answer, quote}]}",
                    400: "Missing, too short or too long", 401: "No token",
                    403: "Not an instructor", 413: "Request too large"})


@bp.get("/commentaries/<int:document_id>")
@instructor_token_required
def get_commentary(document_id: int):
    """Show a commentary you added with all its facts and their status."""
    doc = teach.commentary_for_instructor(current_api_user(), document_id)
    summary = teach.commentary_summary(doc)
    return {"id": doc.id, "title": doc.title, "slug": doc.slug, "counts": summary["counts"],
            "questions": summary["questions"],
            "candidates": [teach.candidate_json(f) for f in summary["facts"]]}


document("/api/v1/commentaries/{document_id}", "get", "A commentary and its facts",
         responses={200: "Commentary", 401: "No token", 403: "Not an instructor",
                    404: "Not yours"})


def _status_change(document_id: int, status: str):
    data = json_body(("fact_ids",))
    changed, problems = teach.set_fact_status(current_api_user(), document_id,
                                              data["fact_ids"], status)
    doc = teach.commentary_for_instructor(current_api_user(), document_id)
    return {"changed": changed, "problems": problems,
            "questions": teach.commentary_summary(doc)["questions"]}


@bp.post("/commentaries/<int:document_id>/approve")
@instructor_token_required
def approve_facts(document_id: int):
    """Approve candidate facts; their questions are generated."""
    return _status_change(document_id, "approved")


@bp.post("/commentaries/<int:document_id>/reject")
@instructor_token_required
def reject_facts(document_id: int):
    """Reject candidate facts; no question asks about them."""
    return _status_change(document_id, "rejected")


for _verb, _summary in (("approve", "Approve facts (questions are generated)"),
                        ("reject", "Reject facts")):
    document(f"/api/v1/commentaries/{{document_id}}/{_verb}", "post", _summary,
             body={"type": "object", "required": ["fact_ids"], "properties": {
                 "fact_ids": {"type": "array", "items": {"type": "string"}}}},
             responses={200: "{changed, problems: {fact_id: [...]}, questions}",
                        400: "No fact ids", 401: "No token", 403: "Not an instructor",
                        404: "Not yours"})


@bp.patch("/facts/<fact_id>")
@instructor_token_required
def edit_fact(fact_id: str):
    """Edit a candidate fact before approving it."""
    data = json_body()
    if not any(k in data for k in teach.FACT_FIELDS):
        raise invalid("Nothing to change.",
                      {k: "Optional." for k in teach.FACT_FIELDS})
    fact, problems = teach.update_fact(current_api_user(), fact_id, data)
    return {**teach.candidate_json(fact), "problems": problems}


document("/api/v1/facts/{fact_id}", "patch", "Edit a fact of your commentary",
         params=_FACT_PARAM,
         body={"type": "object", "properties": {
             "question": {"type": "string"}, "statement": {"type": "string"},
             "answer": {}, "aliases": {"type": "array", "items": {"type": "string"}},
             "distractors": {"type": "array", "items": {"type": "string"}},
             "explanation": {"type": "string"}, "event": {"type": "string"}}},
         responses={200: "The fact and what still blocks approval", 400: "Invalid",
                    401: "No token", 403: "Not an instructor", 404: "Not yours"})
