"""WSGI entry point for gunicorn: ``gunicorn quizapp.wsgi:app``."""

from . import create_app

app = create_app()
