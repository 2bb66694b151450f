"""Instructor pages: classes, assignments, gradebook, question review, commentaries."""

from flask import Blueprint

bp = Blueprint("teach", __name__, url_prefix="/teach")
