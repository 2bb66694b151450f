"""The ``quizapp`` command: a Flask CLI group over the app factory."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

import click
from flask import Flask, current_app, g
from flask.cli import (
    FlaskGroup,
    ScriptInfo,
    routes_command,
    run_command,
    shell_command,
    with_appcontext,
)

from .domain.question_types import QUESTION_TYPES


def _make_app() -> Flask:
    from . import create_app
    from .config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """quizapp: quizzes from the facts of a policy commentary."""


main.add_command(shell_command)
main.add_command(routes_command)


@main.command("run", context_settings={"ignore_unknown_options": False},
              params=run_command.params)
@click.pass_context
def run(ctx: click.Context, **options) -> None:
    """Run the development server (creates and seeds the database on first start)."""
    from .services.setup import DatabaseMissing, ensure_database

    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            if ensure_database():
                click.echo("Created the database and loaded the commentary.")
        except DatabaseMissing as exc:
            raise click.ClickException(str(exc)) from None
    ctx.invoke(run_command, **options)


def _default_workers() -> int:
    # docs/deploying.md: 2 x cores + 1 sync workers.
    return min(2 * (os.cpu_count() or 1) + 1, 64)


@main.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="HOST:PORT")
@click.option("--workers", default=_default_workers, show_default="2 × cores + 1",
              type=click.IntRange(1, 64))
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="1: sync workers (self-test); warm-ups: --workers 3 --threads 8.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(1))
@click.option("--worker-class", type=click.Choice(["sync", "gthread", "gevent"]), default=None,
              help="Default: sync, or gthread with --threads > 1. gevent: warm-ups push "
                   "their state to phones (docs/live-load.md).")
def serve(bind: str, workers: int, threads: int, timeout: int,
          worker_class: str | None) -> None:
    """Serve the app with gunicorn (creates and seeds the embedded database on first start)."""
    from . import serving
    from .extensions import db
    from .services.setup import DatabaseMissing, ensure_database

    try:
        if ensure_database():
            click.echo("Created the database.")
    except DatabaseMissing as exc:
        raise click.ClickException(str(exc)) from None
    options = serving.gunicorn_options(current_app, bind, workers, threads, timeout,
                                       worker_class)
    db.engine.dispose()  # no connection of this process is shared with the forked workers
    serving.run(options)


@main.command("init-db")
def init_db_command() -> None:
    """Create or migrate the schema and load the seeds (safe to run twice)."""
    from .services.setup import init_db

    report = init_db()
    for slug, added in report.items():
        click.echo(f"{slug}: {added} new questions")
    click.echo("Database ready.")


@main.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(["student", "instructor"]), default="student",
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def add_user(name: str, role: str, password: str) -> None:
    """Create a user account."""
    from .errors import ServiceError
    from .models import Role
    from .services.accounts import create_user
    from .transactions import transaction

    try:
        with transaction():
            user = create_user(name, password, Role(role))
    except ServiceError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    click.echo(f"Created {user.role.value} {user.username}.")


@main.group("db")
@click.option("-d", "--directory", default=None,
              help="Migration scripts folder (default: the one inside the package).")
@click.option("-x", "--x-arg", multiple=True,
              help="Additional arguments consumed by custom env.py scripts.")
@with_appcontext
def db_group(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Database maintenance: Flask-Migrate's commands, and copy."""
    # Flask-Migrate's commands read these from g, where its own `db` group puts them.
    g.directory = directory
    g.x_arg = x_arg


def _add_migrate_commands() -> None:
    # Our own `db` group shadows the one Flask-Migrate adds to app.cli: keep its commands.
    from flask_migrate.cli import db as migrate_group

    for name, command in migrate_group.commands.items():
        db_group.add_command(command, name)


_add_migrate_commands()


@db_group.command("copy")
@click.option("--to", "target", required=True, metavar="URL",
              help="An empty database, e.g. postgresql://user@host/quizapp.")
def db_copy(target: str) -> None:
    """Copy this database (ids kept) into an empty database, in one transaction."""
    from .services.dbcopy import CopyRefused, copy_database

    try:
        report = copy_database(target)
    except CopyRefused as exc:
        raise click.ClickException(str(exc)) from None
    for table, rows in report.rows.items():
        click.echo(f"{table}: {rows} rows")
    click.echo(f"Copied {report.total} rows at migration {report.revision}. Point "
               "QUIZAPP_DATABASE_URL at the new database and restart the app.")


@main.group("facts")
def facts_group() -> None:
    """Inspect the curated fact files."""


@facts_group.command("check")
def facts_check() -> None:
    """Check every fact file in seeds/; exit 1 with one message per broken fact."""
    from .domain.extraction import generation_problem
    from .domain.facts import check_factbase, load_factbase, seed_paths

    failed = False
    for path in seed_paths(current_app.config["SEEDS_DIR"]):
        base = load_factbase(path)
        problems = check_factbase(base)
        for fact in base.facts:
            refusal = generation_problem(fact, base)
            if refusal is not None:
                problems.append(f"{fact.id}: cannot generate questions: {refusal}")
        for problem in problems:
            click.echo(f"{path.name}: {problem}", err=True)
        failed = failed or bool(problems)
        click.echo(f"{path.name}: {len(base.facts)} facts, "
                   f"{'FAILED' if problems else 'all sound'}")
    if failed:
        sys.exit(1)


@main.command("questions")
@click.option("--json", "as_json", is_flag=True, help="Print the bank as a JSON array.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--count", default=None, type=click.IntRange(min=1),
              help="At most this many questions (drawn with the seed).")
@click.option("--type", "types", multiple=True, type=click.Choice(list(QUESTION_TYPES)),
              help="Only these types (repeatable).")
def questions(as_json: bool, seed: int, count: int | None, types: tuple[str, ...]) -> None:
    """Print the question bank generated from the seeds, with keys."""
    import random

    from .domain.facts import load_factbase, seed_paths
    from .domain.generator import contract_view, generate_bank
    from .domain.selection import Candidate, draw, letter_of, number_of, truth_of

    bank = []
    for path in seed_paths(current_app.config["SEEDS_DIR"]):
        bank.extend(generate_bank(load_factbase(path), seed))
    chosen = [q for q in bank if not types or q["type"] in types]
    if count is not None and count < len(chosen):
        # As a practice quiz draws (study.start_attempt): the whole bank with its forms
        # chosen (a drill of a few forms fills its length), ids in bank order, rng of the
        # seed.
        candidates = [Candidate(i, q["type"], q["topic"], tuple(q["fact_ids"]),
                                q.get("importance", "supporting"), tuple(q.get("cues", ())),
                                tuple(q.get("near", ())), truth_of(q["type"], q["answer"]),
                                letter_of(q["type"], q["answer"]),
                                number_of(q["type"], q["answer"]))
                      for i, q in enumerate(bank, start=1)]
        chosen = [bank[c.id - 1] for c in draw(candidates, count, random.Random(seed),
                                               types or ())]
    bank = chosen
    records = [contract_view(q) for q in bank]
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for q in records:
        click.echo(f"[{q['type']}] {q['prompt']}\n    -> {q['answer_text']}")


@main.group("live")
def live_group() -> None:
    """Seminar warm-ups: housekeeping."""


def _age(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    """An option's age (30d, 12h, ...) as a timedelta; a bad one is a usage error."""
    from .domain.live import parse_age

    try:
        return parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None


@live_group.command("prune")
@click.option("--older-than", "age", required=True, metavar="AGE", callback=_age,
              help="Delete warm-ups that ended longer ago than this: 30d, 12h, 2w, 90m.")
def live_prune(age: timedelta) -> None:
    """Delete finished and expired warm-ups, with their players and answers."""
    from .models import utcnow
    from .services import live
    from .transactions import transaction

    now = utcnow()
    with transaction():
        pruned = live.prune_games(age, now)
    before = (now - age).strftime("%Y-%m-%d %H:%M UTC")
    if not pruned:
        click.echo(f"No warm-up ended before {before}; nothing deleted.")
        return
    click.echo(f"Deleted {len(pruned)} warm-up{'s' if len(pruned) != 1 else ''} that ended "
               f"before {before}, with {sum(p.players for p in pruned)} players and "
               f"{sum(p.answers for p in pruned)} answers:")
    for p in pruned:
        click.echo(f"  PIN {p.pin} (game {p.id}, ended {p.ended_at:%Y-%m-%d %H:%M} UTC): "
                   f"{p.players} players, {p.answers} answers")


@main.group("lti")
def lti_group() -> None:
    """LTI 1.3: connect LMS platforms (Moodle, Canvas...), send grades, fill rosters."""


@lti_group.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. its URL.")
@click.option("--client-id", required=True, help="The client id the platform gave quizapp.")
@click.option("--deployment-id", "deployment_ids", required=True, multiple=True,
              help="A deployment id (repeatable).")
@click.option("--auth-login-url", required=True, help="The platform's OIDC auth URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token URL.")
@click.option("--keyset-url", required=True, help="The platform's public keyset (JWKS) URL.")
@click.option("--name", default="", help="A name to show on the LMS page.")
def lti_add_platform(issuer: str, client_id: str, deployment_ids: tuple[str, ...],
                     auth_login_url: str, auth_token_url: str, keyset_url: str,
                     name: str) -> None:
    """Register an LMS platform (again: update its URLs and add deployments)."""
    from .errors import ServiceError
    from .services import lti
    from .transactions import transaction

    try:
        with transaction():
            platform = lti.add_platform(
                issuer=issuer, client_id=client_id, deployment_ids=list(deployment_ids),
                auth_login_url=auth_login_url, auth_token_url=auth_token_url,
                keyset_url=keyset_url, name=name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Platform {platform.id}: {platform.issuer} (client id {platform.client_id}), "
               f"deployments: {', '.join(d.deployment_id for d in platform.deployments)}")


@lti_group.command("list")
def lti_list() -> None:
    """List the registered platforms and their deployments."""
    from .services import lti

    rows = lti.platforms()
    if not rows:
        click.echo("No platform registered; add one with `quizapp lti add-platform`.")
    for p in rows:
        click.echo(f"{p.id}\t{p.issuer}\tclient id {p.client_id}\tdeployments "
                   f"{', '.join(d.deployment_id for d in p.deployments)}\t{p.name}")


@lti_group.command("send-grades")
def lti_send_grades() -> None:
    """Send the queued grades to their platforms (run it from cron; safe to run twice)."""
    from .services import lti
    from .transactions import transaction

    sent, failed = lti.send_grades()
    pending = lti.pending_grades()
    with transaction():
        lti.purge_state()
    click.echo(f"Sent {sent} grades; {failed} failed and will be tried again; "
               f"{pending} waiting.")
    if failed:
        sys.exit(1)


@lti_group.command("sync-roster")
@click.argument("class_id", type=int)
def lti_sync_roster(class_id: int) -> None:
    """Enrol the members of the LMS course behind a class (Names and Role Provisioning)."""
    from sqlalchemy import select

    from .errors import ServiceError
    from .extensions import db
    from .models import LtiContext
    from .services import lti
    from .transactions import transaction

    context = db.session.scalar(select(LtiContext).where(
        LtiContext.course_id == class_id, LtiContext.memberships_url.is_not(None)))
    if context is None:
        raise click.ClickException(f"Class {class_id} has no LMS roster to read.")
    try:
        with transaction():
            added = lti.sync_roster(context)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Enrolled {added} new members in class {class_id}.")
