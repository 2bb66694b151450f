"""The ``quizapp`` command: contracts other tools rely on."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from sqlalchemy import func, select

from quizapp import create_app, resource_dir
from quizapp.cli import main
from quizapp.extensions import db
from quizapp.models import AttemptQuestion, Fact, Question, Role, User

TYPES = {"mcq", "multi", "true_false", "short", "ordering", "matching"}


def test_questions_json_prints_the_bank_with_keys(runner):
    result = runner.invoke(main, ["questions", "--json", "--seed", "1"])
    assert result.exit_code == 0, result.output
    bank = json.loads(result.output)
    assert {q["type"] for q in bank} == TYPES
    for q in bank:
        assert {"id", "type", "prompt", "answer", "answer_text", "fact_ids", "source"} <= set(q)
        assert q["source"]["document"] and q["source"]["quote"]
        if q["type"] in ("mcq", "multi"):
            assert all(set(c) == {"id", "text"} for c in q["choices"])
        if q["type"] == "ordering":
            assert all(set(c) == {"id", "text"} for c in q["items"])
        if q["type"] == "matching":
            assert q["left"] and q["right"]


def test_questions_json_is_deterministic_per_seed(runner):
    first = runner.invoke(main, ["questions", "--json", "--seed", "7"]).output
    again = runner.invoke(main, ["questions", "--json", "--seed", "7"]).output
    other = runner.invoke(main, ["questions", "--json", "--seed", "8"]).output
    assert first == again
    assert first != other


def test_questions_json_filters_by_type_and_count(runner):
    result = runner.invoke(main, ["questions", "--json", "--seed", "2", "--count", "5",
                                  "--type", "mcq", "--type", "short"])
    bank = json.loads(result.output)
    assert len(bank) == 5
    assert {q["type"] for q in bank} <= {"mcq", "short"}


def test_questions_rejects_an_unknown_type(runner):
    result = runner.invoke(main, ["questions", "--json", "--type", "essay"])
    assert result.exit_code == 2
    assert "essay" in result.output


def test_facts_check_passes_on_the_seeds(runner):
    result = runner.invoke(main, ["facts", "check"])
    assert result.exit_code == 0, result.output
    assert "all sound" in result.output


def test_facts_check_exits_1_naming_each_broken_fact(tmp_path, app_config):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(resource_dir("seeds") / "nato-japan-commentary.txt", seeds)
    raw = yaml.safe_load((resource_dir("seeds") / "nato-japan.yaml").read_text())
    raw["facts"][0]["quote"] = "A sentence the commentary never says."
    raw["facts"][1]["statement"] = "No blank here."
    (seeds / "nato-japan.yaml").write_text(yaml.safe_dump(raw))
    app = create_app({**app_config, "SEEDS_DIR": str(seeds)})
    result = app.test_cli_runner().invoke(main, ["facts", "check"])
    assert result.exit_code == 1
    text = result.output  # click >= 8.2 mixes stderr into output
    assert raw["facts"][0]["id"] in text and "verbatim" in text
    assert raw["facts"][1]["id"] in text and "{answer}" in text


def test_init_db_is_safe_to_run_twice(runner, app):
    first = runner.invoke(main, ["init-db"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        facts = db.session.scalar(select(func.count()).select_from(Fact))
        questions = db.session.scalar(select(func.count()).select_from(Question))
    second = runner.invoke(main, ["init-db"])
    assert second.exit_code == 0
    assert "0 new questions" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Fact)) == facts >= 35
        assert db.session.scalar(select(func.count()).select_from(Question)) == questions


def test_flask_migrate_commands_work_under_the_db_group(runner, app):
    """`quizapp db current` / `db upgrade` (docs/deploying.md) once failed: no g.directory."""
    current = runner.invoke(main, ["db", "current"])
    assert current.exit_code == 0, current.output
    upgrade = runner.invoke(main, ["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    from quizapp.services.setup import schema_behind

    with app.app_context():
        assert not schema_behind()


def test_add_user_creates_an_instructor_with_a_hashed_password(runner, app):
    result = runner.invoke(main, ["add-user", "prof", "--role", "instructor",
                                  "--password", "a long password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "prof"))
        assert user.role is Role.INSTRUCTOR
        assert user.password_hash.startswith("$argon2id$")


def test_add_user_prompts_for_the_password(runner, app):
    result = runner.invoke(main, ["add-user", "kim"],
                           input="secret passphrase\nsecret passphrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "kim")) is not None


def test_add_user_refuses_a_short_password_and_a_taken_name(runner):
    short = runner.invoke(main, ["add-user", "lee", "--password", "short"])
    assert short.exit_code == 1 and "12 characters" in short.output
    runner.invoke(main, ["add-user", "lee", "--password", "long enough pw"])
    again = runner.invoke(main, ["add-user", "LEE", "--password", "long enough pw"])
    assert again.exit_code == 1 and "taken" in again.output


def test_serve_runs_gunicorn_with_its_own_control_socket(app, runner, monkeypatch):
    """Two quizapps on one machine must not share gunicorn's per-user control socket."""
    import gunicorn

    import quizapp.serving

    started = []
    monkeypatch.setattr(quizapp.serving, "run", started.append)
    result = runner.invoke(main, ["serve", "--bind", "127.0.0.1:8123", "--workers", "3"])
    assert result.exit_code == 0, result.output
    options = started[0]
    assert options["bind"] == "127.0.0.1:8123" and options["workers"] == 3
    if tuple(gunicorn.version_info[:2]) >= (25, 1):
        assert options["control_socket"].startswith(app.instance_path)
    else:
        assert "control_socket" not in options


def test_serve_defaults_to_the_documented_sync_workers(app, runner, monkeypatch):
    """docs/deploying.md: 2 x cores + 1 sync workers (--threads 1) for self-test pages."""
    import os

    import quizapp.serving

    started = []
    monkeypatch.setattr(quizapp.serving, "run", started.append)
    assert runner.invoke(main, ["serve"]).exit_code == 0
    assert started[0]["threads"] == 1
    assert started[0]["workers"] == min(2 * (os.cpu_count() or 1) + 1, 64)


def test_a_long_instance_path_turns_the_control_socket_off(monkeypatch):
    import gunicorn

    from quizapp.serving import _control_socket_options

    monkeypatch.setattr(gunicorn, "version_info", (27, 0, 1))
    assert _control_socket_options("/srv/q") == {"control_socket": "/srv/q/gunicorn.ctl"}
    assert _control_socket_options("/" + "x" * 120) == {"control_socket_disable": True}
    monkeypatch.setattr(gunicorn, "version_info", (23, 0, 0))
    assert _control_socket_options("/srv/q") == {}


@pytest.mark.parametrize(("count", "types"), [(10, []), (20, []), (8, ["true_false"])])
def test_questions_count_draws_exactly_as_a_practice_quiz(app, runner, make_user, count,
                                                          types):
    """``--count N --seed S`` prints the quiz a practice attempt with seed S draws from the
    bank generated with seed S (here the app's bank seed, 0): as long as the rules allow
    from the whole bank (20 stops short), filled when narrowed to a form."""
    from quizapp.services import study

    options = [arg for t in types for arg in ("--type", t)]
    result = runner.invoke(main, ["questions", "--json", "--seed", "0", "--count", str(count),
                                  *options])
    printed = [q["id"] for q in json.loads(result.output)]
    assert len(printed) == count if types else len(printed) <= count
    user = make_user()
    with app.app_context():
        attempt = study.start_attempt(db.session.get(User, user.id), count=count, seed=0,
                                      types=types or None)
        drawn = list(db.session.scalars(
            select(Question.uid).join(AttemptQuestion, AttemptQuestion.question_id == Question.id)
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(AttemptQuestion.position)))
        db.session.rollback()
    assert printed == drawn
    facts = [f for q in json.loads(result.output) for f in q["fact_ids"]]
    if not types:
        assert len(facts) == len(set(facts))  # one question per fact


def test_resources_beside_the_package_win_over_a_leftover_folder_inside_it(tmp_path,
                                                                          monkeypatch):
    # A checkout pulled across the move of migrations/ out of quizapp/ keeps an untracked
    # quizapp/migrations/__pycache__: the migrations beside the package must still be found.
    import quizapp

    package = tmp_path / "quizapp"
    (package / "migrations" / "__pycache__").mkdir(parents=True)
    (tmp_path / "migrations").mkdir()
    monkeypatch.setattr(quizapp, "_PACKAGE", package)
    assert quizapp.resource_dir("migrations") == tmp_path / "migrations"
    (package / "migrations" / "env.py").write_text("")  # an installed wheel's copy
    assert quizapp.resource_dir("migrations") == package / "migrations"
