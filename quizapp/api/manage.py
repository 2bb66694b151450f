"""API v1 for changing what an instructor set up: edit, close, delete an assignment; rename,
archive, delete a class and renew its join code; one student's attempts, extension and grade
override. Every call is for a class the token's instructor teaches (others: 404); deleting
or renaming a class is for its owner (a co-instructor: 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import User
from ..services import teach
from . import bodies, current_api_user, parse_body
from .openapi import operation
from .teach import _assignment_json, _course_json

_STUDENT = "/assignments/<int:assignment_id>/students/<int:user_id>"
_REFUSALS = {401: "No token", 403: "Not an instructor", 404: "Not your assignment"}
_STUDENT_REFUSALS = {**_REFUSALS, 404: "Not your assignment, or not a student of its class",
                     409: "The class is archived"}


# --------------------------------------------------------------------------- assignments

@operation("patch", "/assignments/<int:assignment_id>",
           "Edit an assignment: any settings, partially (sending the current values changes "
           "nothing)", body=bodies.AssignmentChanges,
           responses={200: "The assignment and `changed` (names of the settings changed)",
                      400: "Invalid settings (see fields)", **_REFUSALS,
                      409: "Archived class, or question settings after students started"})
def edit_assignment(assignment_id: int):
    """Change some settings of an assignment (move its due date, rename it, ...)."""
    changes = parse_body(bodies.AssignmentChanges).model_dump(exclude_unset=True)
    assignment, changed = teach.update_assignment(current_api_user(), assignment_id, changes)
    return {**_assignment_json(assignment), "changed": sorted(changed)}


@operation("delete", "/assignments/<int:assignment_id>",
           "Delete an assignment with all its attempts and grades (final; close it instead "
           "to keep the grades)",
           responses={204: "Deleted", **_REFUSALS, 409: "The class is archived"})
def delete_assignment(assignment_id: int):
    """Delete an assignment with its attempts, answers, extensions and overrides."""
    teach.delete_assignment(current_api_user(), assignment_id)
    return "", 204


@operation("post", "/assignments/<int:assignment_id>/close",
           "Close an assignment now: due now, extensions end, timed attempts end, no new "
           "attempt starts (repeating it changes nothing)",
           responses={200: "The assignment, closed_now, extensions_ended", **_REFUSALS,
                      409: "The class is archived"})
def close_assignment(assignment_id: int):
    """Make an assignment due now for everyone; grades stay."""
    assignment, ended = teach.close_assignment(current_api_user(), assignment_id)
    return {**_assignment_json(assignment), "closed_now": ended is not None,
            "extensions_ended": ended or 0}


# --------------------------------------------------------------------------- classes

@operation("patch", "/classes/<int:course_id>",
           "Rename a class or archive it (hidden from its students, read-only) or restore it",
           body=bodies.ClassChanges,
           responses={200: "The class", 400: "Invalid name (see fields)", 401: "No token",
                      403: "Not an instructor, or not the owner", 404: "Not your class",
                      409: "Renaming an archived class"})
def edit_class(course_id: int):
    """Rename, archive or restore a class you own."""
    changes = parse_body(bodies.ClassChanges).model_dump(exclude_unset=True)
    course = teach.update_course(current_api_user(), course_id, changes)
    return _course_json(course, current_api_user().id)


@operation("delete", "/classes/<int:course_id>",
           "Delete a class with its roster, assignments, attempts and grades (final)",
           responses={204: "Deleted", 401: "No token", 403: "Not an instructor, or not the owner",
                      404: "Not your class"})
def delete_class(course_id: int):
    """Delete a class you own, with its roster, assignments and attempts."""
    teach.delete_course(current_api_user(), course_id)
    return "", 204


@operation("post", "/classes/<int:course_id>/join-code",
           "New join code for a class (the old one stops working)",
           responses={200: "The class with its new join_code and join_url", 401: "No token",
                      403: "Not an instructor, or not the owner", 404: "Not your class",
                      409: "The class is archived"})
def renew_join_code(course_id: int):
    """Give a class a new join code; the old one stops working."""
    course = teach.renew_join_code(current_api_user(), course_id)
    return _course_json(course, current_api_user().id)


# --------------------------------------------------------------------------- one student

@operation("get", _STUDENT,
           "One student's attempts at an assignment (answers and keys), extension and grade",
           responses={200: "{username, due_at, extension, grade, grade_overridden, override, "
                           "attempts: [{id, score, questions: [{prompt, response_text, "
                           "correct, answer_text}]}]}",
                      401: "No token", 403: "Not an instructor",
                      404: "Not your assignment, or not a student of its class"})
def student_work(assignment_id: int, user_id: int):
    """A student's attempts: each question, their answer, right or not, and the key."""
    return teach.student_work_json(teach.student_work(current_api_user(), assignment_id,
                                                      user_id))


@operation("put", _STUDENT + "/extension", "Give one student a later due date (an extension)",
           body=bodies.Extension,
           responses={201: "Extended", 200: "Extension changed", 400: "Invalid date (fields)",
                      **_STUDENT_REFUSALS})
def set_extension(assignment_id: int, user_id: int):
    """Give one student a later due date."""
    due_at = parse_body(bodies.Extension).due_at
    extension, created = teach.set_extension(current_api_user(), assignment_id, user_id,
                                             due_at)
    return {"user_id": user_id, "due_at": extension.due_at.isoformat() + "Z"}, \
        201 if created else 200


@operation("put", _STUDENT + "/override",
           "Set one student's grade by hand (an override, shown as one in results and CSV)",
           body=bodies.GradeOverride,
           responses={201: "Set", 200: "Changed", 400: "Invalid grade or no reason (fields)",
                      **_STUDENT_REFUSALS})
def set_override(assignment_id: int, user_id: int):
    """Set one student's grade by hand, with a reason."""
    new = parse_body(bodies.GradeOverride)
    override, created = teach.set_override(current_api_user(), assignment_id, user_id,
                                           new.grade, new.reason)
    return {"user_id": user_id, "grade": override.grade, "reason": override.reason,
            "set_at": override.set_at.isoformat() + "Z"}, 201 if created else 200


def _clear_view(clear: Callable[[User, int, int], bool]) -> Callable[[int, int], Any]:
    """A DELETE of one student's extension or override: ``clear`` it (done again: 204)."""

    def view(assignment_id: int, user_id: int):
        clear(current_api_user(), assignment_id, user_id)
        return "", 204

    return view


# The extension and the override are taken back alike: one view each from one table.
for _what, _clear, _summary, _done in (
        ("extension", teach.clear_extension, "Take an extension back", "No extension now"),
        ("override", teach.clear_override, "Remove a grade override", "No override now")):
    operation("delete", f"{_STUDENT}/{_what}", f"{_summary} (repeating it changes nothing)",
              endpoint=f"clear_{_what}",
              responses={204: _done, **_STUDENT_REFUSALS})(_clear_view(_clear))
