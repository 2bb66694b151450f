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
from . import bodies, current_api_user, parse_body
from .openapi import operation

_FACT_PARAM = [{"name": "fact_id", "in": "path", "required": True,
                "schema": {"type": "string"}}]
_FORMAT_PARAM = [{"name": "format", "in": "query", "required": True,
                  "schema": {"type": "string", "enum": list(teach.EXPORT_FORMATS)}}]


def _course_json(course: Course, user_id: int) -> dict[str, Any]:
    return {"id": course.id, "name": course.name, "join_code": course.join_code,
            "join_url": external_url("teach.join", code=course.join_code),
            "role": "owner" if course.owner_id == user_id else "co-instructor",
            "archived": course.archived_at is not None}


def _assignment_json(a: Assignment) -> dict[str, Any]:
    return {"id": a.id, "class_id": a.course_id, "title": a.title, "count": a.count,
            "types": a.types, "topics": a.topics, "question_ids": a.question_ids,
            "due_at": a.due_at.isoformat() + "Z",
            "available_from": a.available_from.isoformat() + "Z" if a.available_from else None,
            "max_attempts": a.max_attempts,
            "grading": a.grading.value, "show_keys": a.show_keys.value,
            "time_limit_minutes": a.time_limit_minutes, "same_questions": a.same_questions}


# --------------------------------------------------------------------------- classes

@operation("post", "/classes", "Create a class (instructors)", body=bodies.NewClass,
           responses={201: "Created: {id, name, join_code, join_url}", 400: "Invalid name",
                      401: "No token", 403: "Not an instructor"})
def create_class():
    """Create a class with a join code."""
    course = teach.create_course(current_api_user(), parse_body(bodies.NewClass).name)
    return _course_json(course, current_api_user().id), 201


@operation("get", "/classes", "Your classes (instructors)",
           responses={200: "{classes: [...]}", 401: "No token", 403: "Not an instructor"})
def list_classes():
    """List the classes you own or co-teach."""
    user = current_api_user()
    return {"classes": [_course_json(c, user.id) for c in teach.courses_taught(user)]}


@operation("get", "/classes/<int:course_id>", "A class, its roster and assignments",
           responses={200: "Class", 401: "No token", 403: "Not an instructor",
                      404: "Not your class"})
def get_class(course_id: int):
    """Show a class with its roster and assignments."""
    user = current_api_user()
    course = teach.course_for_instructor(user, course_id)
    return {**_course_json(course, user.id), "owner": course.owner.username,
            "members": [{"user_id": e.user_id, "username": e.user.username,
                         "role": e.role.value} for e in teach.roster(course)],
            "assignments": [_assignment_json(a) for a in teach.course_assignments(course)]}


@operation("delete", "/classes/<int:course_id>/members/<int:user_id>",
           "Remove a member from the roster (repeating it changes nothing)",
           responses={200: "{removed: bool}", 401: "No token", 403: "Not allowed",
                      404: "Not your class"})
def remove_member(course_id: int, user_id: int):
    """Remove a student (or, as owner, a co-instructor) from a class."""
    removed = teach.remove_member(current_api_user(), course_id, user_id)
    return {"removed": removed}


@operation("post", "/classes/<int:course_id>/instructors", "Add a co-instructor (class owner only)",
           body=bodies.CoInstructor,
           responses={201: "Added", 200: "Already co-teaching", 400: "Unknown or student account",
                      401: "No token", 403: "Not the owner", 404: "Not your class"})
def add_co_instructor(course_id: int):
    """Make another instructor account a co-instructor of your class."""
    username = parse_body(bodies.CoInstructor).username
    target, added = teach.add_co_instructor(current_api_user(), course_id, username)
    return {"username": target.username, "role": "instructor"}, 201 if added else 200


@operation("get", "/classes/<int:course_id>/misconceptions",
           "Misconception map: facts the class misses most",
           responses={200: "{facts: [{fact_id, seen, missed, miss_rate, ...}]}",
                      401: "No token", 403: "Not an instructor", 404: "Not your class"})
def misconceptions(course_id: int):
    """Which facts the class misses most (quiz and warm-up answers)."""
    course = teach.course_for_instructor(current_api_user(), course_id)
    return {"facts": teach.class_misconceptions(course)}


@operation("post", "/enrollments", "Join a class by its join code", auth="token",
           body=bodies.JoinClass,
           responses={201: "Enrolled", 200: "Already in this class", 400: "No code",
                      401: "No token", 404: "No class has that code",
                      429: "Too many wrong codes lately (LOGIN_MAX_FAILURES per LOGIN_WINDOW)"})
def enroll():
    """Join a class with its join code."""
    join_code = parse_body(bodies.JoinClass).join_code
    course, created = teach.join_course(current_api_user(), join_code)
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == current_api_user().id))
    role = enrollment.role.value if enrollment else Role.INSTRUCTOR.value
    return {"class_id": course.id, "class_name": course.name, "role": role}, \
        201 if created else 200


# --------------------------------------------------------------------------- assignments

@operation("post", "/classes/<int:course_id>/assignments", "Assign a quiz to a class",
           body=bodies.Assignment,
           responses={201: "Created: {id, ...}", 400: "Invalid settings (see fields)",
                      401: "No token", 403: "Not an instructor", 404: "Not your class"})
def create_assignment(course_id: int):
    """Assign a quiz to a class."""
    settings = parse_body(bodies.Assignment)
    assignment = teach.create_assignment(current_api_user(), course_id,
                                         **settings.model_dump())
    return _assignment_json(assignment), 201


@operation("get", "/classes/<int:course_id>/assignments", "A class's assignments",
           responses={200: "{assignments: [...]}", 401: "No token", 403: "Not an instructor",
                      404: "Not your class"})
def class_assignments(course_id: int):
    """List a class's assignments."""
    course = teach.course_for_instructor(current_api_user(), course_id)
    return {"assignments": [_assignment_json(a) for a in teach.course_assignments(course)]}


@operation("get", "/assignments", "Your assignments (as a student), with due state", auth="token",
           responses={200: "{assignments: [{id, title, class_name, due_at, due_state "
                           "(open|due_soon|past_due), status, attempts_used, attempts_left, "
                           "can_start, grade, ...}]}", 401: "No token"})
def my_assignments():
    """Your assignments in every class you joined, with due state and attempts left."""
    return {"assignments": teach.assignments_for_student(current_api_user())}


@operation("get", "/assignments/<int:assignment_id>/results", "Gradebook and item analysis",
           responses={200: "{students: [{username, attempts, grade}], questions: [{question_id, "
                           "prompt, p_correct, discrimination, choices: [{text, chosen}]}]}",
                      401: "No token", 403: "Not an instructor", 404: "Not your assignment"})
def results(assignment_id: int):
    """Gradebook and item analysis of an assignment."""
    assignment = teach.assignment_for_instructor(current_api_user(), assignment_id)
    return teach.results_json(teach.gradebook(assignment))


@operation("get", "/assignments/<int:assignment_id>/export",
           "Export the gradebook (csv) or questions (gift, moodle_xml, json)", params=_FORMAT_PARAM,
           responses={200: "The file", 400: "Unknown format", 401: "No token",
                      403: "Not an instructor", 404: "Not your assignment"})
def export_assignment(assignment_id: int):
    """Download the gradebook (csv) or the questions (gift, moodle_xml, json)."""
    assignment = teach.assignment_for_instructor(current_api_user(), assignment_id)
    body, mimetype, filename = teach.export_assignment(assignment, request.args.get("format"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@operation("get", "/documents/<int:document_id>/export",
           "Export a commentary's question bank (gift, moodle_xml, json)",
           params=[{**_FORMAT_PARAM[0], "schema": {"type": "string",
                                                   "enum": ["gift", "moodle_xml", "json"]}}],
           responses={200: "The file", 400: "Unknown format", 401: "No token",
                      403: "Not an instructor", 404: "Not found"})
def export_document(document_id: int):
    """Download all active questions of a commentary (gift, moodle_xml, json)."""
    body, mimetype, filename = teach.commentary_export(current_api_user(), document_id,
                                                     request.args.get("format"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --------------------------------------------------------------------------- review

@operation("post", "/questions/<int:question_id>/flags", "Flag a question as wrong", auth="token",
           body=bodies.QuestionFlag,
           responses={201: "Flagged", 200: "Already flagged with this comment",
                      400: "No comment", 401: "No token", 404: "Not a question you were asked"})
def flag_question(question_id: int):
    """Report that a question you were asked looks wrong."""
    comment = parse_body(bodies.QuestionFlag).comment
    flag, created = teach.flag_question(current_api_user(), question_id, comment)
    return {"id": flag.id, "question_id": flag.question_id}, 201 if created else 200


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


@operation("get", "/questions/<int:question_id>", "A question with key and flags",
           responses={200: "Question", 401: "No token", 403: "Not an instructor",
                      404: "Not found"})
def get_question(question_id: int):
    """Show a question with its key and the flags raised on it."""
    return _question_json(teach.question_for_review(current_api_user(), question_id))


@operation("patch", "/questions/<int:question_id>",
           "Edit wording (prompt, wrong choices' texts, explanation) as a new version: your "
           "own for a shared seed question. Key texts and a true/false statement cannot "
           "change (400 naming the field)", body=bodies.QuestionEdit,
           responses={200: "The new version", 400: "Invalid wording", 401: "No token",
                      403: "Not an instructor", 404: "Not found", 409: "Already replaced"})
def edit_question(question_id: int):
    """Reword a question: a new version replaces it, the old one is retired (for you)."""
    edit = parse_body(bodies.QuestionEdit)
    new = teach.edit_question(current_api_user(), question_id, prompt=edit.prompt,
                              options=edit.options, explanation=edit.explanation)
    return _question_json(new)


@operation("post", "/questions/<int:question_id>/retire",
           "Retire a question (a shared seed question: for your classes and warm-ups)",
           responses={200: "Retired", 401: "No token", 403: "Not an instructor",
                      404: "Not found"})
def retire_question(question_id: int):
    """Retire a question so no quiz asks it again."""
    user = current_api_user()
    question = teach.retire_question(user, question_id)
    return {"id": question.id, "status": teach.seen_state(user, question)[0].value}


# --------------------------------------------------------------------------- commentaries

@operation("post", "/commentaries", "Add a commentary and extract candidate facts",
           body=bodies.NewCommentary,
           responses={201: "{id, candidates: [{id, kind, answer, quote}]}",
                      400: "Missing, too short or too long", 401: "No token",
                      403: "Not an instructor", 413: "Request too large"})
def create_commentary():
    """Add a commentary; candidate facts are extracted for review."""
    new = parse_body(bodies.NewCommentary)
    doc = teach.create_commentary(current_api_user(), new.title, new.text)
    summary = teach.commentary_summary(doc)
    return {"id": doc.id, "title": doc.title, "slug": doc.slug,
            "candidates": [teach.candidate_json(f) for f in summary["facts"]]}, 201


@operation("get", "/commentaries/<int:document_id>", "A commentary and its facts",
           responses={200: "Commentary", 401: "No token", 403: "Not an instructor",
                      404: "Not yours"})
def get_commentary(document_id: int):
    """Show a commentary you added with all its facts and their status."""
    doc = teach.commentary_for_instructor(current_api_user(), document_id)
    summary = teach.commentary_summary(doc)
    return {"id": doc.id, "title": doc.title, "slug": doc.slug, "counts": summary["counts"],
            "questions": summary["questions"],
            "candidates": [teach.candidate_json(f) for f in summary["facts"]]}


def _status_change(document_id: int, status: str):
    fact_ids = parse_body(bodies.FactIds).fact_ids
    changed, problems = teach.set_fact_status(current_api_user(), document_id, fact_ids,
                                              status)
    doc = teach.commentary_for_instructor(current_api_user(), document_id)
    return {"changed": changed, "problems": problems,
            "questions": teach.commentary_summary(doc)["questions"]}


_FACT_STATUS = {"body": bodies.FactIds,
                "responses": {200: "{changed, problems: {fact_id: [...]}, questions}",
                              400: "No fact ids", 401: "No token", 403: "Not an instructor",
                              404: "Not yours"}}


@operation("post", "/commentaries/<int:document_id>/approve",
           "Approve facts (questions are generated)", **_FACT_STATUS)
def approve_facts(document_id: int):
    """Approve candidate facts; their questions are generated."""
    return _status_change(document_id, "approved")


@operation("post", "/commentaries/<int:document_id>/reject", "Reject facts", **_FACT_STATUS)
def reject_facts(document_id: int):
    """Reject candidate facts; no question asks about them."""
    return _status_change(document_id, "rejected")


@operation("patch", "/facts/<fact_id>", "Edit a fact of your commentary", params=_FACT_PARAM,
           body=bodies.FactChanges,
           responses={200: "The fact and what still blocks approval", 400: "Invalid",
                      401: "No token", 403: "Not an instructor", 404: "Not yours"})
def edit_fact(fact_id: str):
    """Edit a candidate fact before approving it."""
    data = parse_body(bodies.FactChanges).model_dump(exclude_unset=True)
    if not any(k in data for k in teach.FACT_FIELDS):
        raise invalid("Nothing to change.",
                      {k: "Optional." for k in teach.FACT_FIELDS})
    fact, problems = teach.update_fact(current_api_user(), fact_id, data)
    return {**teach.candidate_json(fact), "problems": problems}
