"""WSGI entry point for gunicorn: ``gunicorn quizapp.wsgi:app``."""

from . import create_app
from .memory import return_large_buffers

return_large_buffers()  # see quizapp/memory.py
app = create_app()
