"""Seminar warm-ups: host screen and phone player pages."""

from flask import Blueprint

bp = Blueprint("live", __name__)
