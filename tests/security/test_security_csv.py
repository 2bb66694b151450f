"""CSV exports never hand a spreadsheet a formula: text cells starting with = + - @, tab or
CR get a leading ' (OWASP), and parse back with the csv module as that text."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Enrollment, LiveGame, LivePlayer, Role, User, utcnow
from quizapp.services import accounts, live, teach

from support.helpers import FAST_HASHER, PASSWORD
from support.security_world import login

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Usernames as a database could hold them (registration allows only a leading -).
USERNAMES = ("=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1",
             '=HYPERLINK("http://x.example","y")')
#: Nicknames as players type them (at most 20 characters).
NICKNAMES = ("=1+1", "+1+1", "-1+1", "@SUM(1+1)", '=HYPERLINK("x")', "=cmd|'/c calc'!A1")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def formula_free_csv(exports: dict) -> dict[str, list[list[str]]]:
    """Each export's CSV rows, after checking it is a CSV with no cell a spreadsheet runs."""
    out = {}
    for where, response in exports.items():
        assert response.status_code == 200 and response.mimetype == "text/csv", where
        out[where] = rows_of(response.get_data(as_text=True))
        assert_no_formula(out[where])
    return out


def assert_no_formula(rows: list[list[str]]) -> None:
    """Every cell is a number or text that no spreadsheet runs."""
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                try:
                    float(cell)
                except ValueError:
                    pytest.fail(f"a formula-like cell is not neutralised: {cell!r} in {row}")


def test_gradebook_csv_neutralises_formula_usernames_in_html_and_api_exports(app):
    with app.app_context():
        prof = User(username="prof", password_hash=FAST_HASHER.hash(PASSWORD),
                    role=Role.INSTRUCTOR, session_nonce="x")
        db.session.add(prof)
        db.session.commit()
        course = teach.create_course(prof, "=1+1 class")
        db.session.commit()
        assignment = teach.create_assignment(prof, course.id, title="@SUM(1) week", count=2,
                                             due_at="2099-01-01T12:00:00Z")
        db.session.commit()
        for name in USERNAMES:
            student = User(username=name, password_hash="x", role=Role.STUDENT,
                           session_nonce="x")
            db.session.add(student)
            db.session.flush()
            db.session.add(Enrollment(course_id=course.id, user_id=student.id,
                                      role=Role.STUDENT))
        db.session.commit()
        token = accounts.issue_token(prof)
        db.session.commit()
        aid = assignment.id
    exports = {
        "html": login(app, "prof").get(f"/teach/assignments/{aid}/export.csv"),
        "api": app.test_client().get(f"/api/v1/assignments/{aid}/export?format=csv",
                                     headers={"Authorization": f"Bearer {token}"}),
    }
    for where, rows in formula_free_csv(exports).items():
        names = {row[0] for row in rows[1:]}
        assert names == {"'" + name for name in USERNAMES}, where


def test_live_results_csv_neutralises_formula_nicknames_in_html_and_api_exports(app):
    with app.app_context():
        host = User(username="host", password_hash=FAST_HASHER.hash(PASSWORD),
                    role=Role.INSTRUCTOR, session_nonce="x")
        db.session.add(host)
        db.session.commit()
        token = accounts.issue_token(host)
        db.session.commit()
        game = live.create_game(host, count=2, seconds_per_question=60)
        db.session.commit()
        host_id, game_id, pin = host.id, game.id, game.pin
    phones = app.test_client()
    for nickname in NICKNAMES:
        joined = phones.post(f"/api/v1/live/{pin}/players", json={"nickname": nickname})
        assert joined.status_code == 201, joined.get_json()
    with app.app_context():  # a question asked: the CSV gets a points column too
        live.advance(db.session.get(User, host_id), utcnow(), game_id=game_id)
        db.session.commit()
    exports = {
        "html": login(app, "host").get(f"/live/games/{game_id}/results.csv"),
        "api": app.test_client().get(f"/api/v1/live/{pin}/export?format=csv",
                                     headers={"Authorization": f"Bearer {token}"}),
    }
    for where, rows in formula_free_csv(exports).items():
        header = rows[0]
        names = {row[header.index("nickname")] for row in rows[1:]}
        assert names == {"'" + n for n in NICKNAMES}, where


@pytest.mark.parametrize("nickname", ["\t=1+1", "\r=1+1", " =1+1"])
def test_a_nickname_cannot_start_with_a_tab_or_cr(app, nickname):
    """Whitespace around a nickname is trimmed, so a tab or CR never leads a CSV cell (and
    the = after it is neutralised like any other)."""
    with app.app_context():
        host = User(username="host", password_hash="x", role=Role.INSTRUCTOR,
                    session_nonce="x")
        db.session.add(host)
        db.session.commit()
        game = live.create_game(host, count=1)
        db.session.commit()
        game_id, pin = game.id, game.pin
    joined = app.test_client().post(f"/api/v1/live/{pin}/players", json={"nickname": nickname})
    if joined.status_code == 201:
        with app.app_context():
            stored = db.session.scalar(select(LivePlayer.nickname))
            assert stored == "=1+1"
            text = live.results_csv(db.session.get(LiveGame, game_id))
        assert_no_formula(rows_of(text))
    else:
        assert joined.status_code == 400
