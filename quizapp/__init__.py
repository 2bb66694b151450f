"""quizapp: quizzes generated from the facts of a policy commentary."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import ConfigurationError, Defaults, instance_secret_key

_PACKAGE = Path(__file__).resolve().parent
#: Shortest secret key production accepts (``secrets.token_hex(32)`` gives 64 characters).
MIN_SECRET_KEY = 32


def resource_dir(name: str) -> Path:
    """Find templates/, static/, seeds/ or migrations/: inside an installed wheel, or
    beside the package."""
    inside = _PACKAGE / name
    # A checkout updated from before migrations/ moved out may keep an empty
    # quizapp/migrations/ holding only __pycache__: that is not the wheel's copy.
    if inside.is_dir() and any(entry.name != "__pycache__" for entry in inside.iterdir()):
        return inside
    return _PACKAGE.parent / name


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the quizapp Flask application."""
    from .transactions import TransactionalFlask

    # QUIZAPP_INSTANCE_PATH: several servers from one installation, each with its own files.
    instance_path = (test_config or {}).get("INSTANCE_PATH") \
        or os.environ.get("QUIZAPP_INSTANCE_PATH") or None
    app = TransactionalFlask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    # Ids are 32-bit integers on PostgreSQL: a larger id in a URL is simply not found.
    app.url_map.converters["int"] = BoundedInt
    app.config.from_object(Defaults)
    app.config["SEEDS_DIR"] = str(resource_dir("seeds"))
    app.config.from_prefixed_env("QUIZAPP")
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    _configure_secrets(app)
    _configure_database(app)
    _configure_live(app)
    from .boundary import JSONProvider, SafeResponse

    app.json = JSONProvider(app)
    app.response_class = SafeResponse

    from . import errors, security
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        from .database import install_engine_hooks

        install_engine_hooks(db.engine, app.config)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    errors.register(app)
    security.register(app)

    from . import api, auth, live, study, teach

    app.register_blueprint(auth.bp)
    app.register_blueprint(study.bp)
    app.register_blueprint(teach.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(api.bp)
    from . import lti

    lti.init_app(app)

    from .domain.question_types import QUESTION_TYPES

    # Templates ask the registry for a question's label, partial and display hints.
    app.jinja_env.globals["question_types"] = QUESTION_TYPES
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx: trust that many hops of X-Forwarded-For/-Proto/-Host (outermost).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


class BoundedInt(IntegerConverter):
    """``<int:...>`` that only matches values a database id column can hold."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _configure_secrets(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError(
                "QUIZAPP_SECRET_KEY must be set in production (QUIZAPP_ENV=production); "
                "refusing to start with a generated key.")
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if production:
        # A key copied from the docs ("...") or typed by hand ("changeme") lets anyone who
        # guesses it sign a session cookie and log in as any user.
        if len(str(app.config["SECRET_KEY"])) < MIN_SECRET_KEY:
            raise ConfigurationError(
                f"QUIZAPP_SECRET_KEY must have at least {MIN_SECRET_KEY} characters in "
                "production; make one with: python3 -c \"import secrets; "
                "print(secrets.token_hex(32))\"")
        # The debugger runs code typed into an error page; never on a public server.
        if app.debug:
            raise ConfigurationError(
                "Turn debug mode off in production (unset QUIZAPP_DEBUG and FLASK_DEBUG).")
        # Join links and QR codes are absolute; the request's Host header is the client's.
        public = str(app.config.get("PUBLIC_URL") or "")
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?", public):
            raise ConfigurationError(
                "QUIZAPP_PUBLIC_URL must be set in production to the address users open, "
                "e.g. https://quiz.example.org: join links and QR codes are built from it, "
                "never from the request's Host header.")
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")


def _configure_live(app: Flask) -> None:
    from .domain.live import parse_age

    try:
        app.config["LIVE_GAME_LIFETIME"] = parse_age(app.config["LIVE_GAME_LIFETIME"])
    except ValueError as exc:
        raise ConfigurationError(f"QUIZAPP_LIVE_GAME_LIFETIME: {exc}") from None


def _configure_database(app: Flask) -> None:
    from .database import engine_options, resolve_url

    url = resolve_url(app.config.get("DATABASE_URL"), app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(url, app.config["SQLITE_BUSY_TIMEOUT"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
